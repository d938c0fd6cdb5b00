/**
 * Route schemas compiled on first use (lazy-schemas.ts) behave exactly as Fastify's own eager
 * compilers: the same answers for valid, invalid, coerced and defaulted requests and the same
 * serialised replies, compared request by request with an app built the default way. And the
 * real server's schemas all compile.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { LazySchemas } from './lazy-schemas.js';
import { startTestServer } from '../../test/support/server.js';

const AJV = { customOptions: { removeAdditional: false as const, coerceTypes: 'array' as const, useDefaults: true } };

function routes(app: FastifyInstance): FastifyInstance {
  app.addSchema({ $id: 'Side', type: 'string', enum: ['buy', 'sell'] });
  app.post('/orders/:id', {
    schema: {
      params: Type.Object({ id: Type.String({ pattern: '^ord_[a-z0-9]+$' }) }),
      querystring: Type.Object({ dry: Type.Optional(Type.Boolean()), tags: Type.Optional(Type.Array(Type.String())), limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) }),
      body: Type.Object({ side: Type.Ref('Side'), quantity: Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$' }), note: Type.Optional(Type.String({ maxLength: 5 })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ id: Type.String(), side: Type.String(), limit: Type.Integer(), dry: Type.Boolean(), tags: Type.Array(Type.String()) }) },
    },
  }, async (request) => {
    const q = request.query as { dry?: boolean; tags?: string[]; limit: number };
    const b = request.body as { side: string };
    // fields the response schema does not name are left out by the serialiser
    return { id: (request.params as { id: string }).id, side: b.side, limit: q.limit, dry: q.dry ?? false, tags: q.tags ?? [], secret: 'not serialised' };
  });
  app.get('/plain', async () => ({ ok: true }));
  return app;
}

const REQUESTS: Array<{ method: 'POST' | 'GET'; url: string; payload?: unknown }> = [
  { method: 'POST', url: '/orders/ord_1', payload: { side: 'buy', quantity: '0.5' } },
  { method: 'POST', url: '/orders/ord_1?dry=true&tags=a&tags=b&limit=7', payload: { side: 'sell', quantity: '2' } },
  { method: 'POST', url: '/orders/ord_1?tags=single', payload: { side: 'sell', quantity: '2' } },
  { method: 'POST', url: '/orders/ord_1?limit=0', payload: { side: 'buy', quantity: '1' } },
  { method: 'POST', url: '/orders/ord_1?dry=maybe', payload: { side: 'buy', quantity: '1' } },
  { method: 'POST', url: '/orders/BAD', payload: { side: 'buy', quantity: '1' } },
  { method: 'POST', url: '/orders/ord_1', payload: { side: 'hold', quantity: '1' } },
  { method: 'POST', url: '/orders/ord_1', payload: { side: 'buy', quantity: '1', extra: true } },
  { method: 'POST', url: '/orders/ord_1', payload: { side: 'buy', quantity: '1', note: 'too long' } },
  { method: 'POST', url: '/orders/ord_1', payload: { side: 'buy' } },
  { method: 'POST', url: '/orders/ord_1', payload: 'not an object' },
  { method: 'GET', url: '/plain' },
];

async function answers(app: FastifyInstance): Promise<Array<{ status: number; body: string }>> {
  const out: Array<{ status: number; body: string }> = [];
  for (const r of REQUESTS) {
    const res = await app.inject({ method: r.method, url: r.url, ...(r.payload !== undefined ? { payload: r.payload as string } : {}) });
    out.push({ status: res.statusCode, body: res.body });
  }
  return out;
}

describe('route schemas compiled on first use', () => {
  const apps: FastifyInstance[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('answers every request as Fastify\'s eager compilers do, before any schema was compiled ahead', async () => {
    const eager = routes(Fastify({ ajv: AJV }));
    const schemas = new LazySchemas();
    const lazy = routes(Fastify({ ajv: AJV, schemaController: { compilersFactory: schemas.compilersFactory } }));
    apps.push(eager, lazy);
    await Promise.all([eager.ready(), lazy.ready()]);
    expect(schemas.uncompiled, 'nothing was compiled while the app started').toBeGreaterThan(0);
    const expected = await answers(eager);
    expect(expected.map((a) => a.status)).toEqual([200, 200, 200, 400, 400, 400, 400, 400, 400, 400, 415, 200]);
    expect(JSON.parse(expected[1]!.body)).toEqual({ id: 'ord_1', side: 'sell', limit: 7, dry: true, tags: ['a', 'b'] });
    expect(expected[0]!.body).not.toContain('not serialised');
    expect(await answers(lazy)).toEqual(expected);
    // and the same again, now that the schemas are compiled
    expect(await schemas.compileAll()).toEqual([]);
    expect(schemas.uncompiled).toBe(0);
    expect(await answers(lazy)).toEqual(expected);
  });

  it('compiles what the first requests did not, and names a schema that does not compile; its route answers 500', async () => {
    const schemas = new LazySchemas();
    const app = Fastify({ ajv: AJV, schemaController: { compilersFactory: schemas.compilersFactory } });
    apps.push(app);
    app.post('/fine', { schema: { body: Type.Object({ a: Type.String() }) } }, async () => ({ ok: true }));
    app.post('/broken', { schema: { body: { type: 'object', properties: { a: { $ref: 'Missing#' } } } } }, async () => ({ ok: true }));
    await app.ready();
    let turns = 0;
    const failures = await schemas.compileAll(async () => {
      turns += 1;
    });
    expect(turns, 'one turn of the event loop per schema').toBe(2);
    expect(failures.map((f) => f.route)).toEqual(['POST /broken body']);
    expect((await app.inject({ method: 'POST', url: '/fine', payload: { a: 'x' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/fine', payload: { a: 1 } })).statusCode).toBe(200); // coerced to '1'
    expect((await app.inject({ method: 'POST', url: '/fine', payload: {} })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/broken', payload: { a: 'x' } })).statusCode).toBe(500);
    expect((await app.inject({ method: 'POST', url: '/broken', payload: { a: 'x' } })).statusCode, 'and again: the failure is kept, not compiled anew').toBe(500);
  });

  it('every route schema of the real server compiles', { timeout: 60_000 }, async () => {
    const server = await startTestServer();
    try {
      expect(await server.runtime.app.routeSchemasCompiled()).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
