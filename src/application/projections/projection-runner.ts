import type { EventStore } from '../ports/event-store.js';
import type { ProjectionStore, ReadDoc } from '../ports/projection-store.js';
import { projectEvent } from './project-event.js';

const key = (collection: string, tenantId: string, id: string): string => `${collection}\u0000${tenantId}\u0000${id}`;

/**
 * Keeps the read models up to date with the log: reads events after its checkpoint in
 * batches, projects them through an in-memory document cache, and commits the changed
 * documents together with the new checkpoint (so a crash never applies an event twice).
 */
export class ProjectionRunner {
  private readonly cache = new Map<string, ReadDoc>();
  private position = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;
  private readonly waiters: { position: number; resolve: () => void }[] = [];

  constructor(
    private readonly events: EventStore,
    private readonly store: ProjectionStore,
    private readonly options: { batchSize?: number; onError?: (error: unknown) => void; onLag?: (lag: number) => void } = {},
  ) {}

  get checkpoint(): number {
    return this.position;
  }

  /** Loads the stored read models, catches up with the log and follows new appends. */
  async start(): Promise<void> {
    await this.load();
    await this.catchUp();
    this.unsubscribe = this.events.onAppended(() => void this.catchUp().catch((e: unknown) => this.options.onError?.(e)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.running;
  }

  /** Drops the read models and projects the whole log again; returns the number of events projected. */
  async rebuild(): Promise<number> {
    await this.running;
    await this.store.reset();
    this.cache.clear();
    this.position = 0;
    await this.catchUp();
    return this.position;
  }

  /** Resolves once the read models include the event at `position`. */
  waitFor(position: number): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  /** Projects every committed event not yet projected; concurrent calls share one pass. */
  catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.drain();
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async load(): Promise<void> {
    this.cache.clear();
    for (const doc of await this.store.loadAll()) this.cache.set(key(doc.collection, doc.tenantId, doc.id), doc);
    this.position = await this.store.checkpoint();
  }

  private async drain(): Promise<void> {
    const batchSize = this.options.batchSize ?? 2000;
    for (;;) {
      const batch = await this.events.readAll(this.position, batchSize);
      if (batch.length === 0) return;
      const dirty = new Map<string, ReadDoc>();
      const access = {
        get: (collection: string, tenantId: string, id: string) => this.cache.get(key(collection, tenantId, id)),
        put: (doc: ReadDoc) => {
          const k = key(doc.collection, doc.tenantId, doc.id);
          this.cache.set(k, doc);
          dirty.set(k, doc);
        },
      };
      for (const event of batch) projectEvent(event, access);
      const last = batch[batch.length - 1]!.globalPosition;
      try {
        await this.store.commit([...dirty.values()], last);
      } catch (error) {
        await this.load(); // the cache ran ahead of what was stored: start again from the store
        throw error;
      }
      this.position = last;
      this.releaseWaiters();
      if (this.options.onLag) this.options.onLag(Math.max(0, (await this.events.headPosition()) - last));
      if (batch.length < batchSize || this.stopped) return;
    }
  }

  private releaseWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.position <= this.position) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}
