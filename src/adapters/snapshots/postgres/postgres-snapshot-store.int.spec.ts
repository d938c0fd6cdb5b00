import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testPgUrl } from '../../../../test/support/postgres.js';
import { createPool, type PgPool } from '../../postgres/pool.js';
import { describeSnapshotStoreContract, snap } from '../snapshot-store.contract.js';
import { EQUITY_CURVE_SQL, monthOf, PostgresSnapshotStore } from './postgres-snapshot-store.js';

const clock = { now: () => Date.parse('2026-01-15T10:00:00.000Z') };

if (testPgUrl) {
  describeSnapshotStoreContract('PostgresSnapshotStore', async () => {
    const db = await freshDatabase('snap');
    const pool = createPool(db.url, { max: 4 });
    const store = await PostgresSnapshotStore.open({ pool, clock });
    return {
      store,
      async cleanup() {
        await pool.end();
        await db.drop();
      },
    };
  });
}

describe('monthOf', () => {
  it('names a UTC calendar month and bounds it [first day, first day of the next month)', () => {
    expect(monthOf(Date.parse('2026-12-31T23:59:59.999Z'))).toEqual({ name: 'portfolio_snapshots_y2026m12', from: '2026-12-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect(monthOf(Date.parse('2026-11-15T00:00:00.000Z'), 2)).toEqual({ name: 'portfolio_snapshots_y2027m01', from: '2027-01-01T00:00:00.000Z', to: '2027-02-01T00:00:00.000Z' });
  });
});

describe.skipIf(!testPgUrl)('PostgresSnapshotStore on PostgreSQL (native partitioning)', () => {
  let pool: PgPool;
  let drop: () => Promise<void>;
  let store: PostgresSnapshotStore;
  beforeAll(async () => {
    const db = await freshDatabase('snappart');
    drop = db.drop;
    pool = createPool(db.url, { max: 6 });
    store = await PostgresSnapshotStore.open({ pool, clock });
  });
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await drop?.();
  });

  const partitions = async (): Promise<string[]> =>
    (await pool.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'portfolio_snapshots'::regclass ORDER BY 1`)).rows.map((r) => r.name);
  const placement = async (accountId: string): Promise<Record<string, string>> =>
    Object.fromEntries(
      (await pool.query<{ time: string; part: string }>(
        `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time, tableoid::regclass::text AS part FROM portfolio_snapshots WHERE account_id = $1`, [accountId],
      )).rows.map((r) => [r.time, r.part]),
    );
  /** The partitions a plan of the store's equity-curve query scans. */
  const scanned = async (from: string, to: string): Promise<string[]> => {
    const plan = await pool.query(`EXPLAIN (FORMAT JSON) ${EQUITY_CURVE_SQL}`, ['t1', 'acc1', from, to, null]);
    const names = new Set<string>();
    const walk = (node: Record<string, unknown>): void => {
      if (typeof node['Relation Name'] === 'string') names.add(node['Relation Name']);
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk((plan.rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
    return [...names].sort();
  };

  it('without TimescaleDB the table is range-partitioned by time, with the current month, the next two and a DEFAULT partition', async () => {
    expect(store.partitioning).toBe('native');
    const strategy = await pool.query(`SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'portfolio_snapshots'::regclass`);
    expect(strategy.rows[0].partstrat).toBe('r');
    expect(await partitions()).toEqual(['portfolio_snapshots_default', 'portfolio_snapshots_y2026m01', 'portfolio_snapshots_y2026m02', 'portfolio_snapshots_y2026m03']);
  });

  it('rows land in the partition of their month; a month without a partition gets one on write', async () => {
    const times = ['2026-01-31T23:59:59.999Z', '2026-02-01T00:00:00.000Z', '2026-03-15T00:00:00.000Z', '2024-07-04T12:00:00.000Z', '2030-02-01T00:00:00.000Z'];
    await store.write(times.map((t) => snap(t, { accountId: 'months' })));
    expect(await placement('months')).toEqual({
      '2026-01-31T23:59:59.999Z': 'portfolio_snapshots_y2026m01',
      '2026-02-01T00:00:00.000Z': 'portfolio_snapshots_y2026m02',
      '2026-03-15T00:00:00.000Z': 'portfolio_snapshots_y2026m03',
      '2024-07-04T12:00:00.000Z': 'portfolio_snapshots_y2024m07',
      '2030-02-01T00:00:00.000Z': 'portfolio_snapshots_y2030m02',
    });
    expect(await partitions()).toContain('portfolio_snapshots_y2030m02');
    const inDefault = await pool.query('SELECT count(*)::int AS n FROM portfolio_snapshots_default');
    expect(inDefault.rows[0].n).toBe(0);
  });

  it('an equity-curve query scans only the partitions its range overlaps', async () => {
    expect(await scanned('2026-02-03T00:00:00.000Z', '2026-02-10T00:00:00.000Z')).toEqual(['portfolio_snapshots_y2026m02']);
    expect(await scanned('2026-01-20T00:00:00.000Z', '2026-02-10T00:00:00.000Z')).toEqual(['portfolio_snapshots_y2026m01', 'portfolio_snapshots_y2026m02']);
    // a range reaching into months without a partition also scans the DEFAULT partition, and nothing else
    expect(await scanned('2026-03-20T00:00:00.000Z', '2026-04-10T00:00:00.000Z')).toEqual(['portfolio_snapshots_default', 'portfolio_snapshots_y2026m03']);
  });

  it("rows already in the DEFAULT partition move into their month's partition when it is made", async () => {
    // written behind the store's back into a month without a partition: it lands in DEFAULT
    await pool.query(`INSERT INTO portfolio_snapshots VALUES ('2028-05-05T00:00:00Z', 't1', 'stray', 1, 0, '{}')`);
    expect(await placement('stray')).toEqual({ '2028-05-05T00:00:00.000Z': 'portfolio_snapshots_default' });
    await store.write([snap('2028-05-20T00:00:00.000Z', { accountId: 'stray', equity: '2' })]);
    expect(await placement('stray')).toEqual({ '2028-05-05T00:00:00.000Z': 'portfolio_snapshots_y2028m05', '2028-05-20T00:00:00.000Z': 'portfolio_snapshots_y2028m05' });
    const curve = await store.equityCurve({ tenantId: 't1', accountId: 'stray', from: '2028-05-01T00:00:00Z', to: '2028-06-01T00:00:00Z' });
    expect(curve.map((s) => s.equity)).toEqual(['1', '2']);
  });

  it('a write never fails for want of a partition: the rows go to DEFAULT', async () => {
    // a plain table squats the partition name of 2029-09, so that month's partition cannot be made
    await pool.query('CREATE TABLE portfolio_snapshots_y2029m09 (x int)');
    await store.write([snap('2029-09-09T00:00:00.000Z', { accountId: 'squatted' })]);
    expect(await placement('squatted')).toEqual({ '2029-09-09T00:00:00.000Z': 'portfolio_snapshots_default' });
    expect(await store.equityCurve({ tenantId: 't1', accountId: 'squatted', from: '2029-09-01T00:00:00Z', to: '2029-10-01T00:00:00Z' })).toEqual([snap('2029-09-09T00:00:00.000Z', { accountId: 'squatted' })]);
  });

  it('several nodes opening and writing at once make each partition exactly once', async () => {
    const later = { now: () => Date.parse('2032-06-10T00:00:00.000Z') };
    const nodes = await Promise.all([1, 2, 3].map(() => PostgresSnapshotStore.open({ pool, clock: later })));
    await Promise.all(nodes.map((n, i) => n.write([snap(`2033-0${i + 1}-01T00:00:00.000Z`, { accountId: 'nodes' }), snap('2033-05-05T00:00:00.000Z', { accountId: `node${i}` })])));
    const names = await partitions();
    for (const m of ['y2032m06', 'y2032m07', 'y2032m08', 'y2033m01', 'y2033m02', 'y2033m03', 'y2033m05']) expect(names).toContain(`portfolio_snapshots_${m}`);
    expect(Object.values(await placement('nodes'))).toEqual(['portfolio_snapshots_y2033m01', 'portfolio_snapshots_y2033m02', 'portfolio_snapshots_y2033m03']);
    for (const n of nodes) await n.close();
  });

  it('numeric values come back as exact text, not floats', async () => {
    await store.write([snap('2026-01-20T00:00:00.000Z', { accountId: 'exact', equity: '0.1000000000000000000000000000001', unrealizedPnl: '-12345678901234567890.5' })]);
    const [s] = await store.equityCurve({ tenantId: 't1', accountId: 'exact', from: '2026-01-20T00:00:00Z', to: '2026-01-20T00:00:00Z' });
    expect(s).toMatchObject({ equity: '0.1000000000000000000000000000001', unrealizedPnl: '-12345678901234567890.5' });
  });

  it('refuses calls after close', async () => {
    const other = await PostgresSnapshotStore.open({ pool, clock });
    await other.close();
    await expect(other.write([snap('2026-01-20T00:00:00.000Z')])).rejects.toThrow(/closed/);
  });
});
