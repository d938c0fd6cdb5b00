import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from './schema.js';
import { openDatabase } from './schema.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { isThrowaway, makeThrowawayDir, removeThrowawayDir } from './throwaway-dirs.js';
import { openPaperDatabase } from '../../exchanges/paper/schema.js';
import { describeEventStoreContract } from '../event-store.contract.js';

const durability = (db: SqliteDatabase) => ({
  journal: db.pragma('journal_mode', { simple: true }),
  synchronous: db.pragma('synchronous', { simple: true }),
  locking: db.pragma('locking_mode', { simple: true }),
});

const append = (store: SqliteEventStore, i: number) => store.append({ streamId: `s-${i}`, expectedVersion: 0, events: [{ type: 'E', data: { i } }], metadata: { tenantId: 't', time: '2024-05-01T00:00:00.000Z' } });

describe('throwaway directories (a replay\'s own store, ADR-0025)', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  it('run their SQLite files without durability: no fsync, the journal in memory, one locking connection; the log still records and reads back', async () => {
    const dir = makeThrowawayDir(tmpdir(), 'patriot-throwaway-spec-');
    cleanup.push(() => removeThrowawayDir(dir));
    expect(isThrowaway(join(dir, 'patriot.db'))).toBe(true);
    const store = new SqliteEventStore({ path: join(dir, 'patriot.db') });
    const paper = openPaperDatabase(join(dir, 'paper-exchange.db'));
    const readModels = openDatabase({ path: join(dir, 'readmodels.db'), synchronous: 'NORMAL' });
    try {
      for (const db of [store.database, paper, readModels]) expect(durability(db)).toEqual({ journal: 'memory', synchronous: 0, locking: 'exclusive' });
      for (let i = 0; i < 3; i++) await append(store, i);
      expect((await store.readAll(0, 10)).map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
      expect((await store.verifyChain()).ok).toBe(true);
      expect(readdirSync(dir).filter((f) => f.endsWith('-wal'))).toEqual([]);
    } finally {
      await store.close();
      paper.close();
      readModels.close();
    }
    removeThrowawayDir(dir);
    expect(existsSync(dir)).toBe(false);
    expect(isThrowaway(join(dir, 'patriot.db'))).toBe(false);
  });

  it('commit the log\'s batches together (deferred-commits.ts): all of them are in the file once it is closed; a failed batch that rolls back answered ones breaks the log', async () => {
    const dir = makeThrowawayDir(tmpdir(), 'patriot-throwaway-spec-');
    cleanup.push(() => removeThrowawayDir(dir));
    const path = join(dir, 'patriot.db');
    const store = new SqliteEventStore({ path });
    for (let i = 0; i < 300; i++) await append(store, i); // more batches than one deferred commit holds
    await store.close();
    const reopened = new SqliteEventStore({ path });
    try {
      expect(await reopened.headPosition()).toBe(300);
      expect((await reopened.verifyChain()).ok).toBe(true);
      await append(reopened, 300); // answered, not yet committed
      // a batch that fails inside SQLite (here a trigger; in a replay a full disk) rolls back the open transaction
      reopened.database.exec("CREATE TRIGGER fail_boom BEFORE INSERT ON events WHEN NEW.stream_id = 's-boom' BEGIN SELECT RAISE(ABORT, 'boom'); END");
      await expect(reopened.append({ streamId: 's-boom', expectedVersion: 0, events: [{ type: 'E', data: {} }], metadata: { tenantId: 't', time: '2024-05-01T00:00:00.000Z' } })).rejects.toThrow(/boom/);
      await expect(append(reopened, 301)).rejects.toThrow(/lost 1 recorded batches/);
    } finally {
      await reopened.close();
    }
  });

  it('never include a directory that existed before, whatever its name: its files keep the live durability', async () => {
    const root = mkdtempSync(join(tmpdir(), 'patriot-throwaway-spec-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    const lookalike = join(root, 'patriot-replay-abc123');
    mkdirSync(lookalike);
    const throwaway = makeThrowawayDir(root, 'patriot-replay-');
    cleanup.push(() => removeThrowawayDir(throwaway));
    expect(isThrowaway(join(lookalike, 'patriot.db'))).toBe(false);
    expect(isThrowaway(join(throwaway, 'nested', 'patriot.db'))).toBe(false); // only files directly in it
    const store = new SqliteEventStore({ path: join(lookalike, 'patriot.db') });
    const paper = openPaperDatabase(join(lookalike, 'paper-exchange.db'));
    try {
      expect(durability(store.database)).toEqual({ journal: 'wal', synchronous: 2, locking: 'normal' });
      expect(durability(paper)).toEqual({ journal: 'wal', synchronous: 1, locking: 'normal' });
    } finally {
      await store.close();
      paper.close();
    }
  });
});

// the whole port contract holds in a throwaway file too (one locking connection, streams read from memory once known)
describeEventStoreContract('SqliteEventStore (throwaway file)', async () => {
  const dir = makeThrowawayDir(tmpdir(), 'patriot-throwaway-spec-');
  const path = join(dir, 'patriot.db');
  const open: SqliteEventStore[] = [new SqliteEventStore({ path, onListenerError: () => {} })];
  return {
    store: open[0]!,
    // the file is locked by the store's connection: altered through it, behind the store's back
    async tamper(globalPosition) {
      open.at(-1)!.database.prepare(`UPDATE events SET data = json_set(data, '$.tampered', 1) WHERE global_position = ?`).run(globalPosition);
    },
    async reopen() {
      const store = new SqliteEventStore({ path, onListenerError: () => {} });
      open.push(store);
      return store;
    },
    async cleanup() {
      for (const store of open) await store.close();
      removeThrowawayDir(dir);
    },
  };
});
