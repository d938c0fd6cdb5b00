import { inTransaction } from '../../postgres/transaction.js';
import type { Clock } from '../../../application/ports/clock.js';
import { canonicalTime, type EquityCurveQuery, type PortfolioSnapshot, type SnapshotStore } from '../../../application/ports/snapshot-store.js';
import { runMigrations } from '../../postgres/migrations.js';
import type { PgPool } from '../../postgres/pool.js';
import { SNAPSHOT_MIGRATIONS } from './schema.js';

export interface PostgresSnapshotStoreOptions {
  readonly pool: PgPool;
  /** for "the current month" when partitions are made ahead (default: the system clock) */
  readonly clock?: Clock;
  /** monthly partitions made ahead of the current one, at open (default 2) */
  readonly monthsAhead?: number;
}

/** How the table is partitioned: by TimescaleDB, or natively by month. */
export type SnapshotPartitioning = 'timescaledb' | 'native';

interface SnapshotRow {
  time: string;
  tenant_id: string;
  account_id: string;
  equity: string;
  unrealized_pnl: string;
  balances: Record<string, string>;
}

const toSnapshot = (r: SnapshotRow): PortfolioSnapshot => ({
  time: r.time,
  tenantId: r.tenant_id,
  accountId: r.account_id,
  equity: r.equity,
  unrealizedPnl: r.unrealized_pnl,
  balances: r.balances,
});

/**
 * The whole batch travels as ONE jsonb parameter (an array of positional arrays), unpacked on
 * the server: one multi-row INSERT whatever the number of snapshots, no parameter limit.
 */
const INSERT_SNAPSHOTS = `
  INSERT INTO portfolio_snapshots (time, tenant_id, account_id, equity, unrealized_pnl, balances)
  SELECT (e->>0)::timestamptz, e->>1, e->>2, (e->>3)::numeric, (e->>4)::numeric, e->5
  FROM jsonb_array_elements($1::jsonb) AS e
  ON CONFLICT (tenant_id, account_id, time) DO UPDATE SET
    equity = EXCLUDED.equity, unrealized_pnl = EXCLUDED.unrealized_pnl, balances = EXCLUDED.balances`;

/**
 * The equity-curve query. The bounds are compared to the partitioning column directly, so the
 * planner prunes every partition (monthly table or TimescaleDB chunk) outside [from, to].
 */
export const EQUITY_CURVE_SQL = `
  SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time,
         tenant_id, account_id, equity::text AS equity, unrealized_pnl::text AS unrealized_pnl, balances
  FROM portfolio_snapshots
  WHERE tenant_id = $1 AND account_id = $2 AND time >= $3::timestamptz AND time <= $4::timestamptz
  ORDER BY time ASC
  LIMIT $5`;

/** Serialises partition maintenance across nodes (transaction-level advisory lock). */
const PARTITION_LOCK = 0x7061_7370; // "pasp"

/** A calendar month in UTC: its partition name and bounds. */
interface Month {
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The month of a time (ms since the epoch), `offset` months later. */
export function monthOf(ms: number, offset = 0): Month {
  const d = new Date(ms);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1);
  const s = new Date(start);
  const year = s.getUTCFullYear();
  const month = s.getUTCMonth() + 1;
  const end = new Date(Date.UTC(year, month, 1));
  return {
    name: `portfolio_snapshots_y${String(year).padStart(4, '0')}m${pad(month)}`,
    from: s.toISOString(),
    to: end.toISOString(),
  };
}

/**
 * PostgreSQL implementation of the SnapshotStore port (see schema.ts for the table).
 *
 *   const store = await PostgresSnapshotStore.open({ pool });
 *
 * With native partitioning, open() makes the partitions of the current month and the next
 * `monthsAhead`; write() makes the partition of any month of its batch that has none yet,
 * before inserting. Should the DEFAULT partition already hold rows of that month (written
 * while making the partition failed, or by another tool), they are moved into the new
 * partition in the same transaction. A failure to make a partition never fails the write: the
 * rows go to the DEFAULT partition and the next write tries again. Partition maintenance is
 * serialised across nodes by an advisory lock. The pool is shared, not owned: close() never
 * ends it.
 */
export class PostgresSnapshotStore implements SnapshotStore {
  /** Runs the snapshot migrations (idempotent, safe when several nodes start at once) and opens the store. */
  static async open(options: PostgresSnapshotStoreOptions): Promise<PostgresSnapshotStore> {
    await runMigrations(options.pool, SNAPSHOT_MIGRATIONS);
    const partitioned = await options.pool.query(`SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass('portfolio_snapshots')`);
    const store = new PostgresSnapshotStore(options, partitioned.rowCount === 1 ? 'native' : 'timescaledb');
    if (store.partitioning === 'native') {
      await store.loadPartitions();
      const now = (options.clock ?? { now: () => Date.now() }).now();
      for (let i = 0; i <= Math.max(0, options.monthsAhead ?? 2); i += 1) await store.ensureMonth(monthOf(now, i));
    }
    return store;
  }

  private readonly pool: PgPool;
  private readonly months = new Set<string>();
  private closed = false;

  private constructor(options: PostgresSnapshotStoreOptions, readonly partitioning: SnapshotPartitioning) {
    this.pool = options.pool;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('snapshot store is closed');
  }

  async write(snapshots: readonly PortfolioSnapshot[]): Promise<void> {
    this.assertOpen();
    if (snapshots.length === 0) return;
    // one row per key (the last wins): ON CONFLICT may not touch a row twice in one statement
    const rows = new Map<string, unknown[]>();
    const months = new Map<string, Month>();
    for (const s of snapshots) {
      const time = canonicalTime(s.time);
      rows.set(JSON.stringify([s.tenantId, s.accountId, time]), [time, s.tenantId, s.accountId, s.equity, s.unrealizedPnl, s.balances]);
      if (this.partitioning === 'native') {
        const month = monthOf(Date.parse(time));
        if (!this.months.has(month.name)) months.set(month.name, month);
      }
    }
    for (const month of months.values()) {
      // best effort: without its partition, the month's rows land in the DEFAULT partition
      await this.ensureMonth(month).catch(() => undefined);
    }
    await this.pool.query(INSERT_SNAPSHOTS, [JSON.stringify([...rows.values()])]);
  }

  async equityCurve(q: EquityCurveQuery): Promise<PortfolioSnapshot[]> {
    this.assertOpen();
    const limit = q.limit === undefined ? null : Math.max(0, Math.floor(q.limit));
    const result = await this.pool.query<SnapshotRow>(EQUITY_CURVE_SQL, [q.tenantId, q.accountId, canonicalTime(q.from), canonicalTime(q.to), limit]);
    return result.rows.map(toSnapshot);
  }

  /** Names of the monthly partitions this store knows to exist (native partitioning only). */
  knownPartitions(): string[] {
    return [...this.months].sort();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async loadPartitions(): Promise<void> {
    const r = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'portfolio_snapshots'::regclass AND c.relname ~ '^portfolio_snapshots_y[0-9]+m[0-9]{2}$'`,
    );
    for (const row of r.rows) this.months.add(row.name);
  }

  /** Makes the month's partition unless it exists, moving any of its rows out of the DEFAULT partition. */
  private async ensureMonth(month: Month): Promise<void> {
    if (this.months.has(month.name)) return;
    await inTransaction(this.pool, async (client) => {
      await client.query(`SET LOCAL lock_timeout = '5s'`);
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS e`, [month.name]);
      if (!exists.rows[0].e) {
        const bounds = `FOR VALUES FROM ('${month.from}') TO ('${month.to}')`;
        const stray = await client.query(`SELECT 1 FROM portfolio_snapshots_default WHERE time >= $1 AND time < $2 LIMIT 1`, [month.from, month.to]);
        if (stray.rowCount === 0) {
          await client.query(`CREATE TABLE IF NOT EXISTS ${month.name} PARTITION OF portfolio_snapshots ${bounds}`);
        } else {
          await client.query(`CREATE TABLE ${month.name} (LIKE portfolio_snapshots INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`);
          await client.query(
            `WITH moved AS (DELETE FROM portfolio_snapshots_default WHERE time >= $1 AND time < $2 RETURNING *)
             INSERT INTO ${month.name} SELECT * FROM moved`,
            [month.from, month.to],
          );
          await client.query(`ALTER TABLE portfolio_snapshots ATTACH PARTITION ${month.name} ${bounds}`);
        }
      }
    });
    this.months.add(month.name);
  }
}
