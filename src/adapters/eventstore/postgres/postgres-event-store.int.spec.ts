import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppendRequest, AppendResult, EventStore } from '../../../application/ports/event-store.js';
import { freshDatabase, testPgUrl } from '../../../../test/support/postgres.js';
import { createPool, type PgPool } from '../../postgres/pool.js';
import { describeEventStoreContract } from '../event-store.contract.js';
import { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store.js';

const metadata = { tenantId: 't', time: '2024-05-01T00:00:00.000Z' };
const req = (streamId: string, expectedVersion: AppendRequest['expectedVersion'], n = 1, data: Record<string, unknown> = {}, extra: Partial<AppendRequest> = {}): AppendRequest => ({
  streamId,
  expectedVersion,
  events: Array.from({ length: n }, () => ({ type: 'E', data })),
  metadata,
  ...extra,
});
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** Empties the event store tables (the schema stays). */
async function truncate(pool: PgPool): Promise<void> {
  await pool.query(`SELECT to_regclass('events') IS NOT NULL AS present`).then(async (r) => {
    if (!r.rows[0].present) return;
    await pool.query(`TRUNCATE events, dedupe, checkpoints; UPDATE event_head SET position = 0, hash = repeat('0', 64)`);
  });
}

describe.skipIf(!testPgUrl)('PostgresEventStore', () => {
  // One database for the file; the contract factory is called per test and truncates it.
  let db: { url: string; drop(): Promise<void> } | undefined;
  let pool: PgPool | undefined;
  const database = async (): Promise<{ url: string; pool: PgPool }> => {
    db ??= await freshDatabase('es');
    pool ??= createPool(db.url, { max: 8 });
    return { url: db.url, pool };
  };
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  describeEventStoreContract('PostgresEventStore', async () => {
    const { pool } = await database();
    await truncate(pool);
    const options: PostgresEventStoreOptions = { pool, onListenerError: () => {} };
    const open: PostgresEventStore[] = [await PostgresEventStore.open(options)];
    return {
      store: open[0]!,
      async tamper(globalPosition) {
        await pool.query(`UPDATE events SET data = '{"tampered":1}' WHERE global_position = $1`, [globalPosition]);
      },
      async reopen() {
        const store = await PostgresEventStore.open(options);
        open.push(store);
        return store;
      },
      async cleanup() {
        for (const store of open) await store.close();
      },
    };
  });

  describe('PostgreSQL specifics', () => {
    const pools: PgPool[] = [];
    const stores: PostgresEventStore[] = [];
    let url: string;
    let admin: PgPool;

    /** Every connection of the stores made by node() (pool and LISTEN) carries this application name. */
    const NODE_APP = 'es-spec-node';
    /** A new "node": its own pool and store on the same database. */
    const node = async (options: Partial<PostgresEventStoreOptions> = {}): Promise<PostgresEventStore> => {
      const p = createPool(url, { max: 4, applicationName: NODE_APP });
      pools.push(p);
      const store = await PostgresEventStore.open({ pool: p, onListenerError: () => {}, ...options });
      stores.push(store);
      return store;
    };

    beforeAll(async () => {
      ({ url, pool: admin } = await database());
    });
    beforeEach(async () => {
      await truncate(admin);
    });
    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close().catch(() => undefined);
      for (const p of pools.splice(0)) await p.end().catch(() => undefined);
    });

    /** A plain connection outside every pool (errors after it is killed are expected and ignored). */
    const connection = async (): Promise<pg.Client> => {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    };
    /** Backends of the node() stores that wait for a lock (i.e. an append provably in flight, held at the database). */
    const waitingOnLock = async (): Promise<number> =>
      (await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = $1 AND wait_event_type = 'Lock'`,
        [NODE_APP],
      )).rows[0].n as number;
    /**
     * Terminates every connection of the node() stores (pool and LISTEN) and returns once all of
     * them are gone, so nothing they were doing can still commit afterwards.
     */
    const killNodeConnections = async (): Promise<void> => {
      const { rows } = await admin.query(
        `SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
        [NODE_APP],
      );
      const pids = rows.map((r) => r.pid as number);
      await until(async () => (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [pids])).rows[0].n === 0);
    };

    it('keeps synchronous_commit on', async () => {
      const store = await node();
      expect(store).toBeDefined();
      const { rows } = await pools[0]!.query('SHOW synchronous_commit');
      expect(rows[0].synchronous_commit).toBe('on');
    });

    it('runs its migrations once when several nodes open at the same time', async () => {
      await Promise.all([node(), node(), node()]);
      const { rows } = await admin.query(`SELECT id FROM schema_migrations WHERE id LIKE '01%'`);
      expect(rows.map((r) => r.id)).toEqual(['0100_event_store']);
    });

    it('groups appends made in one turn into one transaction with multi-row inserts, at most maxBatchRequests calls each', async () => {
      // All 64 calls are queued in the same turn of the event loop, before the idle queue's first
      // batch starts (it waits one setImmediate): that they share batches is guaranteed, not likely.
      const appendAll = (store: PostgresEventStore, prefix: string) =>
        Promise.all(
          Array.from({ length: 64 }, (_, i) => store.append(req(`${prefix}-${i}`, 0, 1, { i }, { dedupe: { scope: prefix, key: `k${i}`, value: `v${i}` } }))),
        );
      const txIdsOf = async (prefix: string): Promise<number> =>
        (await admin.query(`SELECT count(DISTINCT tx_id)::int AS n FROM events WHERE stream_id LIKE $1`, [`${prefix}-%`])).rows[0].n as number;

      const one = await node();
      const results = await appendAll(one, 'g');
      expect(results.every((r) => r.kind === 'appended')).toBe(true);
      expect(one.stats).toMatchObject({ batches: 1, requests: 64 });
      // Statistics are reported asynchronously; count the distinct writing transactions instead.
      expect(await txIdsOf('g')).toBe(1);

      const capped = await node({ maxBatchRequests: 16 });
      expect((await appendAll(capped, 'h')).every((r) => r.kind === 'appended')).toBe(true);
      expect(capped.stats).toMatchObject({ batches: 4, requests: 64 });
      expect(await txIdsOf('h')).toBe(4);
      expect((await one.verifyChain()).ok).toBe(true);
    });

    it('a reader polling readAll sees every position exactly once, in order, while several nodes commit with slow transactions', async () => {
      const slow = (maxMs: number) => async (client: pg.ClientBase) => {
        await client.query('SELECT pg_sleep($1)', [Math.random() * maxMs / 1000]);
      };
      const writers = [await node({ beforeCommit: slow(40) }), await node({ beforeCommit: slow(5) }), await node()];
      const reader = await node({ listen: false });
      // An unrelated transaction with an xid held open the whole time: it must not stall readers.
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');

      const perWriter = 40;
      let writing = true;
      const appended: number[] = [];
      const writes = writers.map(async (store, w) => {
        for (let i = 0; i < perWriter; i++) {
          const batch = await Promise.all(
            Array.from({ length: 1 + (i % 3) }, (_, j) => store.append(req(`w${w}-${i % 5}`, 'any', 1 + j, { w, i, j }))),
          );
          for (const r of batch) {
            if (r.kind !== 'appended') throw new Error(`unexpected ${r.kind}`);
            for (let p = r.firstPosition; p <= r.lastPosition; p++) appended.push(p);
          }
        }
      });
      const seen: number[] = [];
      const reading = (async () => {
        for (;;) {
          const done = !writing;
          const page = await reader.readAll(seen.length === 0 ? 0 : seen[seen.length - 1]!, 7);
          for (const e of page) seen.push(e.globalPosition);
          if (done && page.length === 0) return;
        }
      })();
      await Promise.all(writes);
      writing = false;
      await reading;
      await holder.query('ROLLBACK');
      await holder.end();

      const head = await reader.headPosition();
      expect(appended.length).toBe(head);
      expect(seen).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      expect(await reader.verifyChain()).toEqual({ ok: true, eventsChecked: head, lastPosition: head });
    });

    it('does not return a position while a transaction that commits an earlier one is still in flight', async () => {
      const store = await node({ listen: false });
      await store.append(req('base', 0));
      // Simulate writers that commit out of position order (they bypass the head lock on purpose).
      const insert = `INSERT INTO events (global_position, stream_id, stream_version, type, data, metadata, tenant_id, recorded_time, prev_hash, hash)
                      VALUES ($1, $2, 1, 'E', '{}', '{}', 't', 'now', 'x', 'y')`;
      const early = new pg.Client({ connectionString: url });
      const late = new pg.Client({ connectionString: url });
      await early.connect();
      await late.connect();
      try {
        await early.query('BEGIN');
        await early.query(insert, [2, 'early']); // position 2, not committed yet
        await late.query('BEGIN');
        await late.query(insert, [3, 'late']);
        await late.query('COMMIT'); // position 3 committed first

        const naive = await admin.query('SELECT global_position FROM events WHERE global_position > 1 ORDER BY 1');
        expect(naive.rows.map((r) => Number(r.global_position))).toEqual([3]); // what a naive reader would take
        expect(await store.readAll(1, 10)).toEqual([]);
        expect((await store.readAll(0, 10)).map((e) => e.globalPosition)).toEqual([1]);

        await early.query('COMMIT');
        expect((await store.readAll(1, 10)).map((e) => e.globalPosition)).toEqual([2, 3]);
      } finally {
        await early.end();
        await late.end();
      }
    });

    it('an unrelated open transaction does not hide newly committed events (no pure xmin stall)', async () => {
      const store = await node({ listen: false });
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT pg_current_xact_id()');
        await store.append(req('s', 0, 3));
        expect((await store.readAll(0, 10)).map((e) => e.globalPosition)).toEqual([1, 2, 3]);
        expect(await store.headPosition()).toBe(3);
        // A pure "tx_id < xmin" filter would still hide them.
        const hidden = await admin.query(`SELECT count(*)::int AS n FROM events WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())`);
        expect(hidden.rows[0].n).toBe(0);
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
      }
    });

    it('a node whose cached version of a stream is stale (another node wrote it) still appends at the right version, and refuses a stale one', async () => {
      const a = await node();
      const b = await node();
      expect((await b.append(req('shared', 0, 1, {}))).kind).toBe('appended'); // b caches version 1
      expect((await a.append(req('shared', 1, 2, {}))).kind).toBe('appended'); // now 3, b does not know
      expect((await b.append(req('shared', 3, 1, {}))).kind).toBe('appended'); // was a false conflict, forever
      expect((await b.append(req('shared', 3, 1, {}))).kind).toBe('conflict');
      expect((await a.readStream('shared')).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);
    });

    it('two nodes appending concurrently to the same streams keep exactly-once versions, contiguous positions and a valid chain', async () => {
      const a = await node();
      const b = await node();
      // Optimistic writers: read the version, append expecting it, retry on conflict.
      const streams = ['acct-1', 'acct-2', 'acct-3'];
      const work = async (store: EventStore, name: string, count: number): Promise<void> => {
        for (let i = 0; i < count; i++) {
          const streamId = streams[i % streams.length]!;
          for (;;) {
            const version = (await store.readStream(streamId)).length;
            const result = await store.append(req(streamId, version, 1, { by: `${name}-${i}` }));
            if (result.kind === 'appended') break;
            expect(result.kind).toBe('conflict');
          }
        }
      };
      // And a race for one new stream and for dedupe keys from both nodes at once.
      const race = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).append(req('race', 0, 1, { i }))),
      );
      const claims = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? a : b).append(req(`sig-${i}`, 0, 1, {}, { dedupe: { scope: 'strat', key: `k${i % 10}`, value: `sig-${i}` } })),
        ),
      );
      await Promise.all([work(a, 'a', 30), work(b, 'b', 30), work(a, 'a2', 15), work(b, 'b2', 15)]);

      // Both fast path and locked fallback were exercised.
      expect(a.stats.batches + b.stats.batches).toBeGreaterThan(0);
      process.stdout.write(`two nodes: fallbacks a=${a.stats.lockedFallbacks} b=${b.stats.lockedFallbacks} of ${a.stats.batches + b.stats.batches} batches\n`);
      expect(race.filter((r) => r.kind === 'appended')).toHaveLength(1);
      expect(claims.filter((r) => r.kind === 'appended')).toHaveLength(10);
      for (const c of claims.filter((r): r is Extract<AppendResult, { kind: 'duplicate' }> => r.kind === 'duplicate')) {
        expect(c.existingValue).toMatch(/^sig-/);
      }
      for (const streamId of streams) {
        const events = await a.readStream(streamId);
        expect(events.map((e) => e.streamVersion)).toEqual(events.map((_, i) => i + 1));
      }
      const all = await b.readAll(0, 10_000);
      const byWriter = all.filter((e) => streams.includes(e.streamId)).map((e) => String(e.data['by']));
      expect(new Set(byWriter).size).toBe(90);
      expect(byWriter).toHaveLength(90);
      const head = await a.headPosition();
      expect(all.map((e) => e.globalPosition)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      expect(await b.verifyChain()).toEqual({ ok: true, eventsChecked: head, lastPosition: head });
    });

    it('a listener on node B hears appends made by node A (LISTEN/NOTIFY), and again after its LISTEN connection is killed', async () => {
      const a = await node();
      const b = await node();
      const heads: number[] = [];
      b.onAppended((head) => heads.push(head));
      await a.append(req('s', 0, 2));
      await until(() => heads.includes(2));
      expect(heads).toEqual([2]);

      // Kill B's LISTEN connection; it reconnects and still hears A.
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
      );
      await until(() => !b.listening);
      await until(() => b.listening);
      await a.append(req('s', 2, 1));
      await until(() => heads.includes(3));
      expect(heads).toEqual([2, 3]);
    });

    it('when the connections die mid-batch, no append is acknowledged without being committed, and later appends succeed', async () => {
      // The batch transaction waits at the database for an advisory lock held here, after its
      // writes and before COMMIT; it is killed there, provably in flight.
      const LOCK = 2_100_021;
      const holder = await connection();
      await holder.query('SELECT pg_advisory_lock($1)', [LOCK]);
      const store = await node({
        beforeCommit: async (client) => {
          await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK]);
        },
      });
      const pending = Array.from({ length: 60 }, (_, i) =>
        store.append(req(`f-${i}`, 0, 1, { i })).then(
          (result) => ({ ok: true as const, result, i }),
          (error: unknown) => ({ ok: false as const, error, i }),
        ),
      );
      await until(async () => (await waitingOnLock()) > 0);
      await killNodeConnections();
      await holder.query('SELECT pg_advisory_unlock($1)', [LOCK]);
      await holder.end();
      const outcomes = await Promise.all(pending);
      const failed = outcomes.filter((o) => !o.ok);
      expect(failed.length).toBeGreaterThan(0);

      const rows = (await admin.query(`SELECT stream_id FROM events`)).rows;
      const stored = new Set(rows.map((r) => r.stream_id as string));
      for (const o of outcomes) {
        if (o.ok) {
          expect(o.result.kind).toBe('appended');
          expect(stored.has(`f-${o.i}`)).toBe(true);
        }
      }

      // The store keeps working: retry the failed ones ('conflict' if an ambiguous commit happened).
      const retried = await Promise.all(failed.map((o) => store.append(req(`f-${o.i}`, 'any', 0)).then(() => store.append(req(`f-${o.i}`, 0, 1, { i: o.i })))));
      for (const r of retried) expect(['appended', 'conflict']).toContain(r.kind);
      const after = await store.append(req('after', 0, 1));
      expect(after.kind).toBe('appended');
      const head = await store.headPosition();
      expect(await store.verifyChain()).toEqual({ ok: true, eventsChecked: head, lastPosition: head });
      expect(new Set((await store.readAll(0, 1000)).map((e) => e.streamId)).size).toBe(61);
    });

    it('fast path: when every connection is killed while appenders run, acknowledged appends are all stored and the store recovers', async () => {
      const store = await node();
      const acknowledged: string[] = [];
      let rejected = 0;
      let running = true;
      const appenders = Array.from({ length: 16 }, async (_, c) => {
        for (let i = 0; running; i++) {
          const streamId = `c${c}-${i}`;
          try {
            const r = await store.append(req(streamId, 0, 1, {}, { dedupe: { scope: 'k', key: streamId, value: streamId } }));
            if (r.kind === 'appended') acknowledged.push(streamId);
          } catch {
            rejected++;
          }
        }
      });
      // Three times: hold the head row from another connection, so the next fast-path write
      // statement waits for it at the database; kill every connection of the store while that
      // write is seen waiting (in flight, not committed); let go; wait until appends succeed again.
      const holder = await connection();
      for (let k = 0; k < 3; k++) {
        const rejectedBefore = rejected;
        await holder.query('BEGIN');
        await holder.query('SELECT position FROM event_head FOR UPDATE');
        await until(async () => (await waitingOnLock()) > 0);
        await killNodeConnections();
        await holder.query('ROLLBACK');
        await until(() => rejected > rejectedBefore);
        const acknowledgedBefore = acknowledged.length;
        await until(() => acknowledged.length > acknowledgedBefore);
      }
      await holder.end();
      running = false;
      await Promise.all(appenders);
      expect(rejected).toBeGreaterThanOrEqual(3);
      const { rows } = await admin.query(`SELECT stream_id FROM events`);
      const stored = new Set(rows.map((r) => r.stream_id as string));
      for (const streamId of acknowledged) expect(stored.has(streamId)).toBe(true);
      expect((await store.append(req('after-kill', 0))).kind).toBe('appended');
      const head = await store.headPosition();
      expect(await store.verifyChain()).toEqual({ ok: true, eventsChecked: head, lastPosition: head });
    });
  });
});
