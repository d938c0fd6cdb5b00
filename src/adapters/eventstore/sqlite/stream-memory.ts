import type { RecordedEvent } from '../../../application/ports/event-store.js';

/**
 * Whole streams kept in memory, so that reading one again costs no SQL and no JSON parsing: for a
 * store whose file no other connection writes (a throwaway file, locked by its one connection;
 * throwaway-dirs.ts). A stream is known from a whole read of it, or from its first event written
 * here, and follows what this store commits; one written here that it does not know from its
 * start is forgotten. At most `max` streams, the oldest known first out.
 */
export class StreamMemory {
  private readonly streams = new Map<string, RecordedEvent[]>();

  constructor(private readonly max = 5_000) {}

  /** The stream's events from `fromVersion` on, or undefined when it is not known here. */
  read(streamId: string, fromVersion: number): RecordedEvent[] | undefined {
    if (!Number.isSafeInteger(fromVersion)) return undefined;
    return this.streams.get(streamId)?.slice(Math.max(0, fromVersion - 1));
  }

  /** A whole stream as the file holds it (versions 1..n). */
  keep(streamId: string, events: readonly RecordedEvent[]): void {
    this.set(streamId, [...events]);
  }

  /** Events just committed by this store, in log order. */
  committed(events: readonly RecordedEvent[]): void {
    for (const e of events) {
      const known = this.streams.get(e.streamId);
      if (known !== undefined && known.length === e.streamVersion - 1) known.push(e);
      else if (e.streamVersion === 1) this.set(e.streamId, [e]);
      else this.streams.delete(e.streamId);
    }
  }

  clear(): void {
    this.streams.clear();
  }

  private set(streamId: string, events: RecordedEvent[]): void {
    this.streams.delete(streamId);
    this.streams.set(streamId, events);
    if (this.streams.size > this.max) {
      const oldest = this.streams.keys().next();
      if (!oldest.done) this.streams.delete(oldest.value);
    }
  }
}
