import type Database from 'better-sqlite3';
import { openDatabase } from '../eventstore/sqlite/schema.js';
import { explainSqliteFailure } from '../eventstore/sqlite/file-errors.js';
import { canonicalTime, type EquityCurveQuery, type PortfolioSnapshot, type SnapshotStore } from '../../application/ports/snapshot-store.js';

interface SnapshotRow {
  time: string;
  tenant_id: string;
  account_id: string;
  equity: string;
  unrealized_pnl: string;
  balances: string;
}

const toSnapshot = (r: SnapshotRow): PortfolioSnapshot => ({
  time: r.time,
  tenantId: r.tenant_id,
  accountId: r.account_id,
  equity: r.equity,
  unrealizedPnl: r.unrealized_pnl,
  balances: JSON.parse(r.balances) as Record<string, string>,
});

/**
 * Portfolio snapshots in their own SQLite file (`snapshots.db` in the data directory).
 *
 * One WITHOUT ROWID table clustered on (tenant_id, account_id, time): an equity curve is one
 * range scan of the primary key. Times are stored as canonical ISO-8601 UTC text with
 * milliseconds, whose byte order is time order. Decimals are TEXT, stored exactly as given.
 * Snapshots are derived data (re-taken every interval), so the file runs with synchronous=NORMAL.
 */
export class SqliteSnapshotStore implements SnapshotStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly range: Database.Statement;

  constructor(path: string) {
    this.db = openDatabase({ path, synchronous: 'NORMAL', what: 'the portfolio snapshots' });
    try {
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS portfolio_snapshots (
          time TEXT NOT NULL, tenant_id TEXT NOT NULL, account_id TEXT NOT NULL,
          equity TEXT NOT NULL, unrealized_pnl TEXT NOT NULL, balances TEXT NOT NULL,
          PRIMARY KEY (tenant_id, account_id, time)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS log_binding (id INTEGER PRIMARY KEY CHECK (id = 1), log_id TEXT NOT NULL);
      `);
    } catch (error) {
      this.db.close();
      throw explainSqliteFailure(path, 'the portfolio snapshots', error);
    }
    this.insert = this.db.prepare(
      `INSERT INTO portfolio_snapshots (time, tenant_id, account_id, equity, unrealized_pnl, balances)
       VALUES (@time, @tenant_id, @account_id, @equity, @unrealized_pnl, @balances)
       ON CONFLICT (tenant_id, account_id, time) DO UPDATE SET
         equity = excluded.equity, unrealized_pnl = excluded.unrealized_pnl, balances = excluded.balances`,
    );
    this.range = this.db.prepare(
      `SELECT * FROM portfolio_snapshots
       WHERE tenant_id = ? AND account_id = ? AND time >= ? AND time <= ?
       ORDER BY time ASC LIMIT ?`,
    );
  }

  /** The id of the event log these snapshots were taken from (undefined before bindings existed). */
  logBinding(): string | undefined {
    return (this.db.prepare('SELECT log_id FROM log_binding WHERE id = 1').pluck().get() as string | undefined) ?? undefined;
  }

  bindToLog(logId: string): void {
    this.db.prepare('INSERT INTO log_binding (id, log_id) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET log_id = excluded.log_id').run(logId);
  }

  /** How many snapshots are stored. */
  snapshotCount(): number {
    return this.db.prepare('SELECT COUNT(*) FROM portfolio_snapshots').pluck().get() as number;
  }

  /** Drops every snapshot (rebuilding the derived files for another log). */
  clear(): void {
    this.db.exec('DELETE FROM portfolio_snapshots');
  }

  async write(snapshots: readonly PortfolioSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    const rows = snapshots.map((s) => ({
      time: canonicalTime(s.time), tenant_id: s.tenantId, account_id: s.accountId,
      equity: s.equity, unrealized_pnl: s.unrealizedPnl, balances: JSON.stringify(s.balances),
    }));
    this.db.transaction(() => {
      for (const row of rows) this.insert.run(row);
    })();
  }

  async equityCurve(q: EquityCurveQuery): Promise<PortfolioSnapshot[]> {
    const limit = q.limit === undefined ? -1 : Math.max(0, Math.floor(q.limit));
    const rows = this.range.all(q.tenantId, q.accountId, canonicalTime(q.from), canonicalTime(q.to), limit) as SnapshotRow[];
    return rows.map(toSnapshot);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
