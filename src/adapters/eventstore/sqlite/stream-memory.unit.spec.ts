import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../application/ports/event-store.js';
import { StreamMemory } from './stream-memory.js';

let position = 0;
const ev = (streamId: string, streamVersion: number): RecordedEvent => ({
  globalPosition: ++position, streamId, streamVersion, type: 'E', data: {}, metadata: { tenantId: 't', time: '2024-01-01T00:00:00.000Z' }, prevHash: '', hash: '',
});
const versions = (events: readonly RecordedEvent[] | undefined) => events?.map((e) => e.streamVersion);

describe('StreamMemory (whole streams of a throwaway log)', () => {
  it('knows a stream from its first event or a whole read, and follows what is committed', () => {
    const memory = new StreamMemory();
    memory.committed([ev('a', 1), ev('a', 2)]);
    memory.keep('b', [ev('b', 1)]);
    memory.committed([ev('b', 2), ev('a', 3)]);
    expect(versions(memory.read('a', 1))).toEqual([1, 2, 3]);
    expect(versions(memory.read('a', 3))).toEqual([3]);
    expect(versions(memory.read('a', 0))).toEqual([1, 2, 3]);
    expect(versions(memory.read('b', 2))).toEqual([2]);
    memory.keep('empty', []);
    expect(memory.read('empty', 1)).toEqual([]);
  });

  it('forgets a stream written here that it does not know from its start, and answers nothing it does not know', () => {
    const memory = new StreamMemory();
    memory.committed([ev('c', 4)]);
    expect(memory.read('c', 1)).toBeUndefined();
    memory.committed([ev('d', 1)]);
    memory.committed([ev('d', 3)]); // a gap: not what this memory holds
    expect(memory.read('d', 1)).toBeUndefined();
    expect(memory.read('x', 1)).toBeUndefined();
    expect(memory.read('d', 1.5)).toBeUndefined();
  });

  it('keeps at most `max` streams, the oldest known first out', () => {
    const memory = new StreamMemory(2);
    memory.committed([ev('s1', 1), ev('s2', 1), ev('s3', 1)]);
    expect(memory.read('s1', 1)).toBeUndefined();
    expect(versions(memory.read('s3', 1))).toEqual([1]);
    memory.clear();
    expect(memory.read('s3', 1)).toBeUndefined();
  });
});
