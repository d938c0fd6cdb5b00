import type { DocKey, ProjectionStore, ReadDoc } from '../ports/projection-store.js';
import { checkpointName, type BatchRange, type Processor, type RecordedOf, type RunsOn } from './processor.js';
import type { PatriotEventType } from '../../domain/events.js';

/** The documents a projection reads and writes while it applies a batch. */
export interface ProjectedDocs {
  get(collection: string, tenantId: string, id: string): ReadDoc | undefined;
  put(doc: ReadDoc): void;
}

/** A read model of its own: which events it handles, what each reads, and how it changes the documents. */
export interface DocumentProjection<T extends PatriotEventType> {
  readonly id: string;
  readonly handles: readonly T[];
  /** default: the leader (one node writes the documents) */
  readonly runsOn?: RunsOn;
  readonly batchSize?: number;
  /** the documents projecting this event reads (loaded in one go before the batch) */
  reads(event: RecordedOf<T>): readonly DocKey[];
  /** applies one event; pure apart from the documents it is given */
  project(event: RecordedOf<T>, docs: ProjectedDocs): void;
}

const keyOf = (k: DocKey): string => `${k.collection}\u0000${k.tenantId}\u0000${k.id}`;

/**
 * A projection as a processor: each batch loads the documents it reads, applies its events, and
 * commits the changed documents together with the processor's own checkpoint in one transaction
 * of the projection store, fenced on the checkpoint the batch continues from. A crash before the
 * commit loses the whole batch's effects and its checkpoint together: it is applied again, once.
 */
export function documentProjector<T extends PatriotEventType>(store: ProjectionStore, projection: DocumentProjection<T>): Processor<T> {
  return {
    id: projection.id,
    handles: projection.handles,
    runsOn: projection.runsOn ?? 'leader',
    rebuiltWithReadModels: true,
    ...(projection.batchSize !== undefined ? { batchSize: projection.batchSize } : {}),
    checkpoint: (scope) => store.processorCheckpoint(checkpointName(projection.id, scope)),
    async process(events: readonly RecordedOf<T>[], range: BatchRange, scope?: string): Promise<void> {
      const known = new Map<string, ReadDoc>();
      const wanted = new Map<string, DocKey>();
      for (const e of events) for (const k of projection.reads(e)) wanted.set(keyOf(k), k);
      for (const doc of wanted.size > 0 ? await store.getMany([...wanted.values()]) : []) known.set(keyOf(doc), doc);
      const written = new Map<string, ReadDoc>();
      const docs: ProjectedDocs = {
        get: (collection, tenantId, id) => {
          const k = keyOf({ collection, tenantId, id });
          if (!wanted.has(k)) throw new Error(`processor ${projection.id} read ${collection}/${id}, which its reads() did not name`);
          return written.get(k) ?? known.get(k);
        },
        put: (doc) => void written.set(keyOf(doc), doc),
      };
      for (const e of events) projection.project(e, docs);
      await store.commitProcessor(checkpointName(projection.id, scope), [...written.values()], range.to, range.from);
    },
  };
}
