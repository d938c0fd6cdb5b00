import type { EventStore } from '../application/ports/event-store.js';
import type { Logger } from '../application/ports/logger.js';
import { wrapAppends } from './wrap-appends.js';

/** Why this node cannot record an alert now (a short, secret-free explanation), or undefined when it can. */
export type StoreProblem = string | undefined;

export interface StoreHealthOptions {
  /** throws (or rejects) when the store cannot take a write now; never hangs past its own time limit */
  readonly probe: () => Promise<void>;
  readonly log: Logger;
  /** how often the store is probed, in ms (default 250: a load balancer hears of an outage within a second) */
  readonly intervalMs?: number;
}

/**
 * Whether this node can record an alert now: what `/ready` answers. The store is probed on a
 * short interval (a query on PostgreSQL, free disk on SQLite), and every failed append marks it
 * unavailable at once; the next successful probe or append clears it. Nothing here decides what
 * an alert gets: an alert whose append fails is answered 503 by the route whatever this says.
 */
export class StoreHealth {
  private problem: StoreProblem;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(private readonly options: StoreHealthOptions) {}

  /** undefined when an alert can be recorded now, else why not */
  get unavailable(): StoreProblem {
    return this.problem;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.options.intervalMs ?? 250);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Probes now (at most one probe at a time); resolves with the result. */
  async check(): Promise<StoreProblem> {
    if (this.probing) return this.problem;
    this.probing = true;
    try {
      await this.options.probe();
      this.recovered();
    } catch (error) {
      this.failed(error);
    } finally {
      this.probing = false;
    }
    return this.problem;
  }

  /** An append (or a probe) failed: the store is away until a probe or an append succeeds. */
  failed(error: unknown): void {
    const reason = describe(error);
    if (this.problem === undefined) this.options.log.error({ reason }, 'the event store cannot record now: this node is not ready');
    this.problem = reason;
  }

  recovered(): void {
    if (this.problem !== undefined) this.options.log.info({ was: this.problem }, 'the event store records again: this node is ready');
    this.problem = undefined;
  }

  /** The store, with every append's failure or success reported here. */
  watch(store: EventStore): EventStore {
    return wrapAppends(store, async (_operation, call) => {
      try {
        const result = await call();
        this.recovered();
        return result;
      } catch (error) {
        this.failed(error);
        throw error;
      }
    });
  }
}

/** A short cause without addresses, paths' contents or credentials: the error's code or first line, bounded. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0]!.replace(/postgres(ql)?:\/\/\S+/gi, 'postgres://…').slice(0, 160);
  return typeof code === 'string' && !first.includes(code) ? `${code}: ${first}` : first;
}
