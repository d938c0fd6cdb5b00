/**
 * Port: where read models (projections) live. Read models are documents in named
 * collections, keyed by id, with a few indexed fields for queries. Projection logic
 * (application/projections) is backend-independent; adapters store the documents.
 */
export interface ReadDoc {
  readonly collection: string;
  readonly id: string;
  readonly tenantId: string;
  readonly accountId?: string;
  readonly strategyId?: string;
  readonly signalId?: string;
  /** ordering key for lists: the global position of the event that created the doc */
  readonly seq: number;
  readonly data: Record<string, unknown>;
}

export interface DocKey {
  readonly collection: string;
  readonly tenantId: string;
  readonly id: string;
}

export interface DocQuery {
  readonly collection: string;
  readonly tenantId: string;
  readonly accountId?: string;
  readonly strategyId?: string;
  readonly signalId?: string;
  /** newest first (by seq) */
  readonly limit: number;
  /** only docs with seq < before (paging) */
  readonly before?: number;
}

export interface ProjectionStore {
  /** Position of the last event the read models include (0 when empty). */
  checkpoint(): Promise<number>;
  /** Every stored document (used by the projection runner to warm its cache). */
  loadAll(): Promise<ReadDoc[]>;
  /**
   * Writes changed documents and the new checkpoint atomically. With `expected`, the commit
   * only happens if the stored checkpoint is still `expected`; otherwise nothing is written and
   * it rejects with StaleCheckpointError (another projector moved it: fencing between nodes).
   */
  commit(docs: readonly ReadDoc[], checkpoint: number, expected?: number): Promise<void>;
  /** The checkpoint of a processor that keeps its own documents here (0 when it never committed). */
  processorCheckpoint(processorId: string): Promise<number>;
  /**
   * Writes a processor's documents and moves its checkpoint from `expected` to `checkpoint`,
   * atomically; when the stored one is no longer `expected` nothing is written and it rejects
   * with StaleCheckpointError (another node ran the processor meanwhile).
   */
  commitProcessor(processorId: string, docs: readonly ReadDoc[], checkpoint: number, expected: number): Promise<void>;
  /**
   * Drops the read models' documents and checkpoint (for a rebuild). Processors' documents and
   * checkpoints stay (they follow the same log on their own) unless `processors` is set (the
   * log itself was replaced: everything derived from it goes).
   */
  reset(options?: { readonly processors?: boolean }): Promise<void>;
  get(collection: string, tenantId: string, id: string): Promise<ReadDoc | undefined>;
  /** The documents that exist among these keys (absent ones are simply missing from the answer). */
  getMany(keys: readonly DocKey[]): Promise<ReadDoc[]>;
  list(query: DocQuery): Promise<ReadDoc[]>;
  close(): Promise<void>;
}

/** A conditional commit found the stored checkpoint moved by someone else; nothing was written. */
export class StaleCheckpointError extends Error {
  constructor(readonly expected: number) {
    super(`read-model checkpoint is no longer ${expected}: another projector committed`);
    this.name = 'StaleCheckpointError';
  }
}
