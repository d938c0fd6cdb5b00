/** What both event-store backends keep the same way: their onAppended listeners and their cache of stream versions. */
import type { AppendRequest, AppendResult, EventMetadata, RecordedEvent } from '../../application/ports/event-store.js';
import { prepareRequest, type PreparedRequest } from './prepare-request.js';
import type { ChainVerifier } from './hash-chain.js';

/** onAppended listeners, called asynchronously after a commit; a listener that throws is reported, never breaks the store. */
export class AppendListeners {
  private readonly listeners = new Set<(headPosition: number) => void>();
  private readonly onError: (error: unknown) => void;

  constructor(onError?: (error: unknown) => void) {
    this.onError = onError ?? ((error) => process.emitWarning(`event store onAppended listener threw: ${String(error)}`));
  }

  subscribe(listener: (headPosition: number) => void): () => void {
    // wrapped, so the same function can be subscribed twice and unsubscribed independently
    const entry = (headPosition: number): void => listener(headPosition);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** Reports an error thrown by a callback of the store's (a listener, a follow-up's settle). */
  report(error: unknown): void {
    try {
      this.onError(error);
    } catch {
      // a reporter that throws must not break the store
    }
  }

  notify(headPosition: number): void {
    if (this.listeners.size === 0) return;
    queueMicrotask(() => {
      for (const listener of [...this.listeners]) {
        try {
          listener(headPosition);
        } catch (error) {
          try {
            this.onError(error);
          } catch {
            // an error reporter that throws must not break the store either
          }
        }
      }
    });
  }

  clear(): void {
    this.listeners.clear();
  }
}

/** The latest known version of recently used streams, least recently used dropped first. */
export class StreamVersionCache {
  private readonly versions = new Map<string, number>();
  private readonly max: number;

  constructor(size: number | undefined) {
    this.max = Math.max(1, Math.floor(size ?? 100_000));
  }

  get(streamId: string): number | undefined {
    return this.versions.get(streamId);
  }

  remember(streamId: string, version: number): void {
    // re-inserted, so recently used streams survive eviction (oldest first)
    this.versions.delete(streamId);
    this.versions.set(streamId, version);
    if (this.versions.size > this.max) {
      const oldest = this.versions.keys().next();
      if (!oldest.done) this.versions.delete(oldest.value);
    }
  }

  clear(): void {
    this.versions.clear();
  }
}

/**
 * One append call: its requests validated and serialised (an empty appendAtomic or an invalid
 * request rejects the call), then queued for the next group commit.
 */
export function submitCall(requests: readonly AppendRequest[], atomic: boolean, enqueue: (job: { requests: PreparedRequest[]; resolve: (r: AppendResult) => void; reject: (e: unknown) => void }) => void): Promise<AppendResult> {
  let prepared: PreparedRequest[];
  try {
    if (atomic && requests.length === 0) throw new TypeError('appendAtomic needs at least one request');
    prepared = requests.map(prepareRequest);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise<AppendResult>((resolve, reject) => enqueue({ requests: prepared, resolve, reject }));
}

/** A row of the events table (both backends use the same columns; PostgreSQL gives bigints as strings). */
export interface EventRow {
  global_position: number | string;
  stream_id: string;
  stream_version: number;
  type: string;
  data: string;
  metadata: string;
  prev_hash: string;
  hash: string;
}

export function recordedFromRow(row: EventRow): RecordedEvent {
  return {
    globalPosition: Number(row.global_position),
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    type: row.type,
    data: JSON.parse(row.data) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Checks a page of rows against the hash chain: the last position checked, or undefined once it broke or a row cannot be decoded (the verifier says why). */
export function checkPage(verifier: ChainVerifier, rows: readonly EventRow[]): number | undefined {
  let last: number | undefined;
  for (const row of rows) {
    const position = Number(row.global_position);
    let event: RecordedEvent;
    try {
      event = recordedFromRow(row);
    } catch (error) {
      verifier.reportUnreadable(position, `event cannot be decoded: ${(error as Error).message}`);
      return undefined;
    }
    if (!verifier.check(event)) return undefined;
    last = position;
  }
  return last;
}
