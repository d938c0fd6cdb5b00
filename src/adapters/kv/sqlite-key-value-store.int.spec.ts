import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../eventstore/sqlite/sqlite-event-store.js';
import { SqliteKeyValueStore } from './sqlite-key-value-store.js';

const req = { streamId: 's', expectedVersion: 0, events: [{ type: 'E', data: {} }], metadata: { tenantId: 't', time: '2024-05-01T00:00:00.000Z' } } as const;
const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'patriot-kv-'));

describe('SqliteKeyValueStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('given the event store connection, when values are set, then they read back and overwrite', async () => {
    const events = new SqliteEventStore({ path: join(dir, 'db.sqlite') });
    const kv = new SqliteKeyValueStore(events.database);
    expect(await kv.get('webhook.secret')).toBeUndefined();
    await kv.set('webhook.secret', 's1');
    await kv.set('webhook.secret', 's2');
    await kv.set('other', '');
    expect(await kv.get('webhook.secret')).toBe('s2');
    expect(await kv.get('other')).toBe('');
    expect(await kv.setIfAbsent('fresh', 'first')).toBe('first');
    expect(await kv.setIfAbsent('fresh', 'second')).toBe('first');
    expect(await kv.get('fresh')).toBe('first');
    expect(await kv.compareAndSet('fresh', 'stale', 'x')).toBe(false);
    expect(await kv.compareAndSet('fresh', 'first', 'third')).toBe(true);
    expect(await kv.get('fresh')).toBe('third');
    await kv.set('p%/b', '2');
    await kv.set('p%/a', '1');
    await kv.set('pX/c', '3'); // % is not a wildcard
    expect(await kv.entries('p%/')).toEqual([['p%/a', '1'], ['p%/b', '2']]);
    expect(await kv.delete('p%/a')).toBe(true);
    expect(await kv.delete('p%/a')).toBe(false);
    expect(await kv.entries('p%/')).toEqual([['p%/b', '2']]);
    await kv.close(); // does not close the shared connection
    await events.append(req);
    await events.close();
  });

  it('given its own connection, when reopened, then values persist beside the log', async () => {
    const path = join(dir, 'sub', 'db.sqlite');
    const kv = await SqliteKeyValueStore.open({ path });
    await kv.set('k', 'v');
    await kv.close();
    const events = new SqliteEventStore({ path });
    const again = new SqliteKeyValueStore(events.database);
    expect(await again.get('k')).toBe('v');
    await events.close();
  });
});
