import type { EventStore, RecordedEvent } from '../ports/event-store.js';
import { StaleCheckpointError, type DocKey, type ProjectionStore, type ReadDoc } from '../ports/projection-store.js';
import { SingleFlight } from '../shared/single-flight.js';
import { documentsReadBy, projectEvent, type DocAccess } from './project-event.js';

const keyOf = (collection: string, tenantId: string, id: string): string => `${collection}\u0000${tenantId}\u0000${id}`;

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  /** how long appends are gathered before a projection pass (default 20 ms) */
  readonly intervalMs?: number;
  /** documents kept in memory between batches (default 20,000); the store holds the rest */
  readonly cacheSize?: number;
  readonly onError?: (error: unknown) => void;
  readonly onLag?: (lag: number) => void;
  /** while not running (another node projects), how often a waitFor looks at the stored checkpoint (default 25 ms) */
  readonly followerPollMs?: number;
  /** how long a waitFor on a node that does not project waits at most (default 10 s) */
  readonly followerWaitMs?: number;
}

/**
 * Keeps the read models up to date with the log: reads events after its checkpoint in
 * batches, projects them through a bounded document cache, and commits the changed
 * documents together with the new checkpoint (so a crash never applies an event twice).
 *
 * The cache holds recently written documents and "known absent" marks. Before a batch it
 * prefetches what the batch will read; a read it did not foresee is a miss: the pass is
 * thrown away, the missing documents are loaded, and the batch is projected again.
 */
export class ProjectionRunner {
  /** null = known not to exist */
  private readonly cache = new Map<string, ReadDoc | null>();
  /** true while every stored document is in the cache (a miss then means "absent") */
  private complete = false;
  private position = 0;
  private stopped = false;
  /** between start() and stop() */
  private started = false;
  /** counts start() and stop() calls: a start() that was overtaken by a stop() does not follow the log */
  private generation = 0;
  /** the next pass first takes up the stored checkpoint (set by start(): another node may have projected) */
  private resync = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly flight = new SingleFlight(() => this.drain(), () => this.stopped);
  private unsubscribe: (() => void) | undefined;
  private readonly waiters: { position: number; resolve: () => void }[] = [];

  constructor(
    private readonly events: EventStore,
    private readonly store: ProjectionStore,
    private readonly options: ProjectionRunnerOptions = {},
  ) {}

  get checkpoint(): number {
    return this.position;
  }

  /** True between start() and stop(): this node projects. */
  get running(): boolean {
    return this.started;
  }

  /**
   * Catches up with the log and follows new appends. May be called again after stop() (a node
   * that regains the lead): it starts over from the stored checkpoint.
   */
  async start(): Promise<void> {
    if (this.started) return;
    const generation = ++this.generation;
    await this.flight.idle(); // the previous lead's last pass (its failure is not this start's)
    if (generation !== this.generation) return; // stopped, or started again, meanwhile
    this.started = true;
    this.stopped = false;
    // Position and cache change only inside a pass (the single flight): a pass started meanwhile
    // (a request's waitFor, or the previous lead's last pass still running) would otherwise read
    // from the old position and commit as if it continued from the new one, projecting the events
    // in between a second time (issue 21). The pass takes up the stored checkpoint first.
    this.resync = true;
    await this.catchUp();
    if (generation !== this.generation) return; // stopped (perhaps started again) meanwhile
    this.unsubscribe = this.events.onAppended(() => this.schedule());
  }

  /**
   * Read models may lag the log a little: gathering the appends of a short interval into one
   * projection pass costs one read-model transaction instead of one per commit.
   */
  private schedule(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.catchUp().catch((e: unknown) => this.options.onError?.(e));
    }, this.options.intervalMs ?? 20);
  }

  async stop(): Promise<void> {
    this.generation++;
    this.started = false;
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flight.idle();
  }

  /** Drops the read models and projects the whole log again; returns the position reached. */
  async rebuild(): Promise<number> {
    await this.flight.idle();
    await this.store.reset();
    this.cache.clear();
    this.complete = true;
    this.position = 0;
    // a stopped runner (replay runs one that is not following the log) must still drain every batch
    this.stopped = false;
    try {
      await this.catchUp();
    } finally {
      if (!this.started) this.stopped = true;
    }
    return this.position;
  }

  /**
   * Resolves once the read models include the event at `position` (projecting now rather than
   * at the next interval). On a node that does not project (another node leads), it watches the
   * stored checkpoint instead, for at most followerWaitMs.
   */
  waitFor(position: number): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    if (!this.started) return this.waitForOtherProjector(position);
    const reached = new Promise<void>((resolve) => this.waiters.push({ position, resolve }));
    void this.catchUp().catch((e: unknown) => this.options.onError?.(e));
    return reached;
  }

  private async waitForOtherProjector(position: number): Promise<void> {
    const until = Date.now() + (this.options.followerWaitMs ?? 10_000);
    while (!this.started && Date.now() < until) {
      if ((await this.store.checkpoint().catch(() => 0)) >= position) return;
      await new Promise((resolve) => setTimeout(resolve, this.options.followerPollMs ?? 25));
    }
    if (this.started) await this.waitFor(position); // this node took the lead meanwhile
  }

  /** Projects every committed event not yet projected; concurrent calls share one pass. */
  catchUp(): Promise<void> {
    return this.flight.run();
  }

  private async drain(): Promise<void> {
    const batchSize = this.options.batchSize ?? 5000;
    for (;;) {
      if (this.resync) {
        this.position = await this.store.checkpoint();
        this.cache.clear();
        this.complete = this.position === 0; // documents are only ever committed with a checkpoint >= 1
        this.resync = false;
        this.releaseWaiters(); // another node may have projected what they wait for
      }
      // the batch, the documents it is projected onto and the commit's fence all belong to `from`
      const from = this.position;
      const batch = await this.events.readAll(from, batchSize);
      if (batch.length === 0) return;
      const written = await this.project(batch);
      const last = batch[batch.length - 1]!.globalPosition;
      try {
        await this.store.commit([...written.values()], last, from);
      } catch (error) {
        if (!(error instanceof StaleCheckpointError)) throw error;
        // Another node projected meanwhile (a lead changed hands): continue from what it stored.
        this.position = await this.store.checkpoint();
        this.cache.clear();
        this.complete = false;
        this.releaseWaiters();
        continue;
      }
      for (const [k, doc] of written) {
        this.cache.delete(k); // re-insert: the Map's order is the eviction order
        this.cache.set(k, doc);
      }
      this.evict();
      this.position = last;
      this.releaseWaiters();
      if (this.options.onLag) this.options.onLag(Math.max(0, (await this.events.headPosition()) - last));
      if (batch.length < batchSize || this.stopped) return;
    }
  }

  /** Projects a batch into a set of written documents, loading whatever it reads that the cache lacks. */
  private async project(batch: readonly RecordedEvent[]): Promise<Map<string, ReadDoc>> {
    if (!this.complete) {
      await this.load(batch.flatMap((e) => documentsReadBy(e).map(([collection, id]) => ({ collection, tenantId: e.metadata.tenantId, id }))));
    }
    for (;;) {
      const written = new Map<string, ReadDoc>();
      const misses = new Map<string, DocKey>();
      const access: DocAccess = {
        get: (collection, tenantId, id) => {
          const k = keyOf(collection, tenantId, id);
          const own = written.get(k);
          if (own) return own;
          const cached = this.cache.get(k);
          if (cached !== undefined) return cached ?? undefined;
          if (!this.complete) misses.set(k, { collection, tenantId, id });
          return undefined;
        },
        put: (doc) => void written.set(keyOf(doc.collection, doc.tenantId, doc.id), doc),
      };
      for (const event of batch) projectEvent(event, access);
      if (misses.size === 0) return written;
      await this.load([...misses.values()]);
    }
  }

  private async load(keys: readonly DocKey[]): Promise<void> {
    const wanted = new Map<string, DocKey>();
    for (const k of keys) {
      const key = keyOf(k.collection, k.tenantId, k.id);
      if (!this.cache.has(key)) wanted.set(key, k);
    }
    if (wanted.size === 0) return;
    for (const key of wanted.keys()) this.cache.set(key, null);
    for (const doc of await this.store.getMany([...wanted.values()])) this.cache.set(keyOf(doc.collection, doc.tenantId, doc.id), doc);
  }

  private evict(): void {
    const max = this.options.cacheSize ?? 20_000;
    if (this.cache.size <= max) return;
    this.complete = false;
    for (const k of this.cache.keys()) {
      if (this.cache.size <= max) break;
      this.cache.delete(k);
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
