import AjvCompiler from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';
import { pageItemSchema, pageSerializer } from './page-serializer.js';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;
/** what Fastify calls to validate one part of a request: Ajv's function, with `errors` read after a `false` */
interface Validate {
  (data: unknown, context?: unknown): unknown;
  errors?: unknown;
}

/** A route's schema that could not be compiled (found by `compileAll`, or when the route is first used). */
export interface SchemaCompileFailure {
  readonly route: string;
  readonly error: Error;
}

/**
 * Route schemas compiled when first needed instead of while the server starts (issue 18: Ajv and
 * fast-json-stringify compiling ~70 routes' schemas took ~0.4 s of every start, before the port
 * opened). Validation and serialisation are Fastify's own compilers with the same options; only
 * *when* they compile changes. A route's first request compiles its schemas (a few ms), and
 * `compileAll()` compiles the rest, one route part per turn of the event loop, once the server
 * listens, so the first requests rarely pay for it.
 */
export class LazySchemas {
  private readonly pending: Array<{ route: string; compile: () => unknown }> = [];
  private stopped = false;
  private readonly ajv = AjvCompiler();
  private readonly fjs = SerializerSelector();

  /** Fastify's `schemaController.compilersFactory` */
  readonly compilersFactory: CompilersFactory = {
    // Fastify hands each a copy of the shared schemas, so building the compiler itself (a new Ajv
    // instance per plugin context that added schemas: ~0.1 s in all) can wait for the first use too
    buildValidator: ((externalSchemas, options) => {
      let compiler: ReturnType<ValidatorFactory> | undefined;
      return (route) => this.lazyValidator(`${route.method} ${route.url} ${route.httpPart}`, () => (compiler ??= this.ajv(externalSchemas, options))(route) as Validate);
    }) as ValidatorFactory,
    buildSerializer: ((externalSchemas, options) => {
      let compiler: ReturnType<SerializerFactory> | undefined;
      const compile = (route: Parameters<ReturnType<SerializerFactory>>[0]) => (compiler ??= this.fjs(externalSchemas, options))(route);
      return (route) => this.lazySerializer(`${route.method} ${route.url} ${route.httpStatus}`, () => {
        const whole = compile(route);
        // a page's items are serialised by the same compiler from their own schema, and kept when immutable
        const item = pageItemSchema(route.schema);
        return item ? pageSerializer(whole, compile({ ...route, schema: item })) : whole;
      });
    }) as SerializerFactory,
  };

  /** route parts whose schemas are still to be compiled */
  get uncompiled(): number {
    return this.pending.length;
  }

  /**
   * Compiles every schema not compiled yet, yielding to the event loop between two (`yieldEvery`:
   * a promise that resolves on the next turn; none compiles them all at once). Resolves with the
   * schemas that failed, which their routes will answer with a 500.
   */
  async compileAll(yieldEvery?: () => Promise<void>): Promise<SchemaCompileFailure[]> {
    const failures: SchemaCompileFailure[] = [];
    this.stopped = false;
    for (let next = this.pending.shift(); next && !this.stopped; next = this.pending.shift()) {
      try {
        next.compile();
      } catch (error) {
        failures.push({ route: next.route, error: error as Error });
      }
      if (yieldEvery) await yieldEvery();
    }
    return failures;
  }

  /** ends a `compileAll` under way after the schema it is compiling (the server closes) */
  stop(): void {
    this.stopped = true;
  }

  private lazyValidator(route: string, compile: () => Validate): Validate {
    const get = this.queued(route, compile);
    const validate: Validate & { schemaEnv: boolean } = Object.assign(
      (data: unknown, context?: unknown) => {
        const fn = get();
        const valid = fn(data, context);
        validate.errors = fn.errors;
        return valid;
      },
      // Fastify passes the parent object (so Ajv may coerce or default a whole part) only to a
      // function that says it is Ajv's; this one is, once compiled
      { schemaEnv: true, errors: null as unknown },
    );
    return validate;
  }

  private lazySerializer(route: string, compile: () => (doc: unknown) => string): (doc: unknown) => string {
    const get = this.queued(route, compile);
    return (doc) => get()(doc);
  }

  /**
   * `compile` run once, on the first call of what this returns (by a request or `compileAll`),
   * queued for `compileAll`. A schema that does not compile throws the same error at every call
   * after the first, without compiling again: a broken route's requests cost no compile each.
   */
  private queued<T>(route: string, compile: () => T): () => T {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    const get = (): T => {
      if (!outcome) {
        try {
          outcome = { ok: true, value: compile() };
        } catch (error) {
          outcome = { ok: false, error };
        }
      }
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    };
    this.pending.push({ route, compile: get });
    return get;
  }
}
