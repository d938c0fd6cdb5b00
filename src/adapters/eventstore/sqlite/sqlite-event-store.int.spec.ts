import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppendRequest, AppendResult } from '../../../application/ports/event-store.js';
import { describeEventStoreContract } from '../event-store.contract.js';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store.js';

const metadata = { tenantId: 't', time: '2024-05-01T00:00:00.000Z' };
const req = (streamId: string, expectedVersion: AppendRequest['expectedVersion'], n = 1, data: Record<string, unknown> = {}): AppendRequest => ({
  streamId,
  expectedVersion,
  events: Array.from({ length: n }, () => ({ type: 'E', data })),
  metadata,
});

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'patriot-es-'));
}

describeEventStoreContract('SqliteEventStore (file)', async () => {
  const dir = await tempDir();
  const path = join(dir, 'nested', 'events.db');
  const options: SqliteEventStoreOptions = { path, onListenerError: () => {} };
  const open: SqliteEventStore[] = [new SqliteEventStore(options)];
  return {
    store: open[0]!,
    async tamper(globalPosition) {
      const db = new Database(path);
      db.prepare(`UPDATE events SET data = json_set(data, '$.tampered', 1) WHERE global_position = ?`).run(globalPosition);
      db.close();
    },
    async reopen() {
      const store = await SqliteEventStore.open(options);
      open.push(store);
      return store;
    },
    async cleanup() {
      for (const store of open) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeEventStoreContract('SqliteEventStore (:memory:)', async () => {
  const store = new SqliteEventStore({ path: ':memory:', onListenerError: () => {} });
  return {
    store,
    async tamper(globalPosition) {
      store.database.prepare(`UPDATE events SET type = 'Forged' WHERE global_position = ?`).run(globalPosition);
    },
    async cleanup() {
      await store.close();
    },
  };
});

describe('SqliteEventStore (SQLite specifics)', () => {
  let dir: string;
  const stores: SqliteEventStore[] = [];
  const openStore = (extra: Partial<SqliteEventStoreOptions> = {}, name = 'events.db'): SqliteEventStore => {
    const store = new SqliteEventStore({ path: join(dir, name), ...extra });
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('given a file store, then PRAGMA synchronous is FULL and the journal is WAL', () => {
    const store = openStore();
    expect(store.database.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.database.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
  });

  it('given a checkpoint saved (without an fsync of its own), then appends still commit at FULL and the checkpoint is kept across a reopen', async () => {
    const store = openStore();
    await store.append(req('s', 0));
    await store.saveCheckpoint('reactor@acc', 1);
    expect(store.database.pragma('synchronous', { simple: true })).toBe(2);
    await store.append(req('s', 1));
    await store.saveCheckpoint('reactor@acc', 2);
    await store.close();
    const again = openStore();
    expect(await again.loadCheckpoint('reactor@acc')).toBe(2);
    expect(again.database.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('given a checkpoint that cannot be saved, then the log is back at FULL for the next append', async () => {
    const store = openStore();
    await expect(store.saveCheckpoint('bad', -1)).rejects.toThrow(TypeError);
    store.database.exec('CREATE TRIGGER no_checkpoints BEFORE INSERT ON checkpoints BEGIN SELECT RAISE(ABORT, \'refused\'); END');
    await expect(store.saveCheckpoint('refused', 1)).rejects.toThrow('refused');
    expect(store.database.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('given an existing file, when opened twice in a row, then the schema is created idempotently', async () => {
    const first = openStore();
    await first.append(req('s', 0));
    await first.close();
    const second = openStore();
    expect(await second.headPosition()).toBe(1);
    const tables = second.database
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .pluck()
      .all();
    expect(tables).toEqual(expect.arrayContaining(['checkpoints', 'dedupe', 'events']));
  });

  it('given concurrent appends in one turn, then they share one write transaction', async () => {
    const store = openStore();
    // One flush = one transaction = one notification with the batch's final head.
    const heads: number[] = [];
    store.onAppended((h) => heads.push(h));
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(req(`s${i}`, 0))));
    expect(results.map((r) => (r as Extract<AppendResult, { kind: 'appended' }>).firstPosition)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    // a later append is the barrier: once its notification came, the batch's notifications all came before it
    await store.append(req('marker', 0));
    await vi.waitFor(() => expect(heads).toContain(51), { timeout: 10_000 });
    expect(heads).toEqual([50, 51]);
  });

  it('given a failing commit (database full), then every request of the batch rejects, nothing is written, and the store keeps working', async () => {
    const store = openStore();
    await store.append(req('before', 0, 3));
    const db = store.database;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);

    const big = { blob: 'x'.repeat(200_000) };
    const batch = [
      store.append(req('small', 0)),
      store.append(req('big', 0, 1, big)),
      store.appendAtomic([req('atomic-1', 0), req('atomic-2', 0)]),
    ];
    const settled = await Promise.allSettled(batch);
    for (const outcome of settled) {
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected') expect(String(outcome.reason)).toMatch(/full/i);
    }
    expect(await store.headPosition()).toBe(3);
    expect((await store.readAll(0, 100)).length).toBe(3);
    expect(await store.readStream('small')).toEqual([]);

    db.pragma('max_page_count = 1073741823');
    const after = await store.append(req('small', 0));
    expect(after).toMatchObject({ kind: 'appended', firstPosition: 4, lastPosition: 4 });
    expect(await store.append(req('before', 3))).toMatchObject({ kind: 'appended', nextExpectedVersion: 4 });
    expect(await store.verifyChain()).toEqual({ ok: true, eventsChecked: 5, lastPosition: 5 });
  });

  it('given a small recent-events cache, then readAll from memory equals readAll from the file at every position, also after another connection writes', async () => {
    const store = openStore({ recentEventsCacheSize: 4 });
    for (let i = 0; i < 6; i++) await Promise.all([store.append(req(`s-${i}-a`, 0, 2, { i })), store.append(req(`s-${i}-b`, 0, 1, { i, b: true }))]);
    const fromFile = openStore({ recentEventsCacheSize: 0 });
    const head = await store.headPosition();
    for (let after = 0; after <= head; after++) {
      for (const limit of [1, 3, 100]) expect(await store.readAll(after, limit)).toEqual(await fromFile.readAll(after, limit));
    }
    await fromFile.append(req('elsewhere', 0, 2));
    await store.append(req('here', 0, 1));
    const all = await store.readAll(0, 1000);
    expect(all.map((e) => e.globalPosition)).toEqual(Array.from({ length: head + 3 }, (_, i) => i + 1));
    expect(await store.readAll(head, 10)).toEqual(await fromFile.readAll(head, 10));
  });

  it('given a tiny stream-version cache, then versions are still correct for many streams', async () => {
    const store = openStore({ streamVersionCacheSize: 2 });
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.append(req(`s${i}`, round))));
      expect(results.every((r) => r.kind === 'appended')).toBe(true);
    }
    expect(await store.append(req('s3', 1))).toEqual({ kind: 'conflict', streamId: 's3', actualVersion: 3 });
    expect((await store.verifyChain()).ok).toBe(true);
  });

  it('given a second connection appending to the same file, then the first sees its head and stream versions', async () => {
    const a = openStore();
    const b = openStore();
    await a.append(req('shared', 0));
    await b.append(req('shared', 1));
    expect(await a.headPosition()).toBe(2);
    expect(await a.append(req('shared', 1))).toEqual({ kind: 'conflict', streamId: 'shared', actualVersion: 2 });
    expect(await a.append(req('shared', 2))).toMatchObject({ kind: 'appended', firstPosition: 3 });
    expect(await b.verifyChain()).toEqual({ ok: true, eventsChecked: 3, lastPosition: 3 });
  });

  it('given a deleted row, then verification reports the gap', async () => {
    const store = openStore();
    await store.append(req('s', 0, 5));
    store.database.prepare('DELETE FROM events WHERE global_position = 3').run();
    expect(await store.verifyChain()).toMatchObject({ ok: false, brokenAt: 3, eventsChecked: 2 });
  });

  it('given unparseable stored data, then verification reports that position', async () => {
    const store = openStore();
    await store.append(req('s', 0, 4));
    store.database.prepare(`UPDATE events SET data = '{not json' WHERE global_position = 2`).run();
    expect(await store.verifyChain()).toMatchObject({ ok: false, brokenAt: 2, eventsChecked: 1 });
  });

  it('given data that is not JSON (NaN, bigint), then that append rejects alone before it is queued', async () => {
    const store = openStore();
    const results = await Promise.allSettled([
      store.append(req('ok', 0)),
      store.append(req('nan', 0, 1, { n: Number.NaN })),
      store.append(req('big', 0, 1, { n: 10n })),
      store.append(req('', 0)),
      store.append(req('neg', -1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(await store.headPosition()).toBe(1);
  });

  it('given appendAtomic with no requests, then it rejects', async () => {
    const store = openStore();
    await expect(store.appendAtomic([])).rejects.toThrow(TypeError);
  });

  it('given the stored columns, then tenant, correlation, causation and time are queryable', async () => {
    const store = openStore();
    await store.append({
      ...req('s', 0),
      metadata: { tenantId: 'ten', time: '2024-01-02T03:04:05.000Z', correlationId: 'c1', causationId: 'k1' },
    });
    const row = store.database
      .prepare('SELECT tenant_id, correlation_id, causation_id, recorded_time FROM events')
      .get();
    expect(row).toEqual({ tenant_id: 'ten', correlation_id: 'c1', causation_id: 'k1', recorded_time: '2024-01-02T03:04:05.000Z' });
    const plan = store.database
      .prepare(`EXPLAIN QUERY PLAN SELECT * FROM events WHERE correlation_id = ? ORDER BY global_position`)
      .all('c1') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/events_by_correlation/);
  });
});
