import type { RecordedEvent } from '../../application/ports/event-store.js';

/**
 * Whole short streams, as committed, kept in memory so that `readStream` of a stream just
 * written (an order's history, read again by every command on it) needs no SQL and no JSON
 * parse. An entry exists only while it is the stream's complete history from version 1:
 * - a stream enters when its first event commits here, or when a read from the database
 *   returned it whole (from version 1);
 * - a committed event that does not continue the entry (a gap) drops it;
 * - streams longer than `maxEventsPerStream` are not kept (accounts, strategies: long-lived);
 * - least recently used streams leave beyond `maxStreams`;
 * - the owner clears everything when another connection wrote the file, or a batch failed.
 * Events are shared with the caller (as the recent-events tail is): they are never mutated.
 */
export class RecentStreams {
  private readonly streams = new Map<string, RecordedEvent[]>();

  constructor(
    private readonly maxStreams = 10_000,
    private readonly maxEventsPerStream = 32,
  ) {}

  /** The stream's events from `fromVersion`, or undefined when the history is not held. */
  read(streamId: string, fromVersion: number): RecordedEvent[] | undefined {
    const events = this.streams.get(streamId);
    if (events === undefined) return undefined;
    this.streams.delete(streamId); // most recently used last
    this.streams.set(streamId, events);
    return fromVersion <= 1 ? events.slice() : events.slice(fromVersion - 1);
  }

  /** A complete history read from the database (fromVersion 1). An empty one is not kept (nothing to continue). */
  loaded(streamId: string, events: readonly RecordedEvent[]): void {
    if (this.maxStreams === 0 || events.length === 0 || events.length > this.maxEventsPerStream) return;
    if (events[0]!.streamVersion !== 1 || events[events.length - 1]!.streamVersion !== events.length) return;
    this.put(streamId, events.slice());
  }

  /** Events just committed, in position order. */
  committed(events: readonly RecordedEvent[]): void {
    if (this.maxStreams === 0) return;
    for (const e of events) {
      const held = this.streams.get(e.streamId);
      if (e.streamVersion === 1) this.put(e.streamId, [e]);
      else if (held !== undefined && held.length === e.streamVersion - 1 && held.length < this.maxEventsPerStream) held.push(e);
      else if (held !== undefined) this.streams.delete(e.streamId);
    }
  }

  clear(): void {
    this.streams.clear();
  }

  get size(): number {
    return this.streams.size;
  }

  private put(streamId: string, events: RecordedEvent[]): void {
    this.streams.delete(streamId);
    this.streams.set(streamId, events);
    if (this.streams.size > this.maxStreams) {
      const oldest = this.streams.keys().next().value as string;
      this.streams.delete(oldest);
    }
  }
}
