import type { RecordedLike } from '../ports/event-store.js';
import type { DocKey, ProjectionStore, ReadDoc } from '../ports/projection-store.js';
import type { BatchRange, Processor } from '../processors/processor.js';
import { documentsReadBy, projectEvent, type DocAccess } from './project-event.js';

const keyOf = (collection: string, tenantId: string, id: string): string => `${collection}\u0000${tenantId}\u0000${id}`;

export interface ReadModelProcessorOptions {
  readonly batchSize?: number;
  /** documents kept in memory between batches (default 20,000); the store holds the rest */
  readonly cacheSize?: number;
}

/**
 * The read models (what the REST API and the dashboard show) as a processor: every event is
 * projected through a bounded document cache, and the changed documents commit together with the
 * new checkpoint (so a crash never applies an event twice), fenced on the checkpoint the batch
 * continues from. Runs on the leader.
 *
 * The cache holds recently written documents and "known absent" marks. Before a batch it
 * prefetches what the batch will read; a read it did not foresee is a miss: the pass is thrown
 * away, the missing documents are loaded, and the batch is projected again.
 */
export class ReadModelProcessor implements Processor {
  readonly id = 'read-models';
  readonly handles = 'all' as const;
  readonly runsOn = 'leader' as const;
  readonly batchSize: number;
  /** null = known not to exist */
  private readonly cache = new Map<string, ReadDoc | null>();
  /** true while every stored document is in the cache (a miss then means "absent") */
  private complete = false;

  constructor(
    private readonly store: ProjectionStore,
    private readonly options: ReadModelProcessorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 5000;
  }

  checkpoint(): Promise<number> {
    return this.store.checkpoint();
  }

  resynced(position: number): void {
    this.cache.clear();
    this.complete = position === 0; // documents are only ever committed with a checkpoint >= 1
  }

  async reset(): Promise<void> {
    await this.store.reset();
    this.cache.clear();
    this.complete = true;
  }

  async process(batch: readonly RecordedLike[], range: BatchRange): Promise<void> {
    const written = await this.project(batch);
    await this.store.commit([...written.values()], range.to, range.from);
    for (const [k, doc] of written) {
      this.cache.delete(k); // re-insert: the Map's order is the eviction order
      this.cache.set(k, doc);
    }
    this.evict();
  }

  /** Projects a batch into a set of written documents, loading whatever it reads that the cache lacks. */
  private async project(batch: readonly RecordedLike[]): Promise<Map<string, ReadDoc>> {
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
}
