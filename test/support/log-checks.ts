/** Reading a whole event log and checking its shape, for the crash and multi-node suites. */
import { expect } from 'vitest';
import type { EventStore, RecordedEvent } from '../../src/application/ports/event-store.js';

/** Every event of the log, in global order (read in batches). */
export async function readWholeLog(events: Pick<EventStore, 'readAll'>, batchSize = 5000): Promise<RecordedEvent[]> {
  const log: RecordedEvent[] = [];
  for (let from = 0; ; ) {
    const batch = await events.readAll(from, batchSize);
    log.push(...batch);
    if (batch.length < batchSize) return log;
    from = batch[batch.length - 1]!.globalPosition;
  }
}

/** Every stream's versions run 1, 2, 3… in log order, without a gap or a repeat. */
export function expectContiguousVersions(log: readonly RecordedEvent[]): void {
  const versions = new Map<string, number>();
  for (const e of log) {
    const expected = (versions.get(e.streamId) ?? 0) + 1;
    expect(e.streamVersion, `${e.streamId}@${e.streamVersion}`).toBe(expected);
    versions.set(e.streamId, expected);
  }
}
