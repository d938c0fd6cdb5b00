/**
 * The budgets of every node in PostgreSQL (tables `rate_budgets` and `login_failures`, created
 * by BUDGET_MIGRATIONS). Each change is one atomic statement on one row: concurrent nodes queue on
 * the row lock, and each sees what the one before it wrote. Windows and back-off times are read
 * from the database's clock, so the nodes' clocks never have to agree. The pool is shared, not owned.
 */
import type { BackoffRule, BudgetLedger, Grant, LoginFailureLedger } from '../../application/ports/budgets.js';
import { runMigrations, type Migration } from '../postgres/migrations.js';
import type { PgPool } from '../postgres/pool.js';

export const BUDGET_MIGRATIONS: Migration[] = [
  {
    id: '0500_budgets',
    sql: `CREATE TABLE rate_budgets (
            key text PRIMARY KEY,
            window_start bigint NOT NULL,
            window_ms bigint NOT NULL,
            granted integer NOT NULL,
            last_grant integer NOT NULL
          );
          CREATE INDEX rate_budgets_end ON rate_budgets ((window_start + window_ms));
          CREATE TABLE login_failures (
            scope text NOT NULL,
            key text NOT NULL,
            failures integer NOT NULL,
            last_at bigint NOT NULL,
            until_at bigint NOT NULL,
            PRIMARY KEY (scope, key)
          );
          CREATE INDEX login_failures_last ON login_failures (last_at);`,
  },
];

/** the database's clock, in ms since the epoch */
const NOW_MS = `(floor(extract(epoch from clock_timestamp()) * 1000)::bigint)`;

export class PostgresBudgetLedger implements BudgetLedger, LoginFailureLedger {
  static async open(options: { readonly pool: PgPool }): Promise<PostgresBudgetLedger> {
    await runMigrations(options.pool, BUDGET_MIGRATIONS);
    return new PostgresBudgetLedger(options.pool);
  }

  private constructor(private readonly pool: PgPool) {}

  async claim(key: string, max: number, windowMs: number, want: number): Promise<Grant> {
    // A row per key holds its current window; a claim in a later window starts it afresh. Every
    // SET expression reads the row as it was, so last_grant is what this very statement granted.
    const { rows } = await this.pool.query<{ granted: number; used: number; window: number; ends_in: number }>(
      `INSERT INTO rate_budgets AS b (key, window_start, window_ms, granted, last_grant)
         SELECT $1::text, (t.now_ms / $3::bigint) * $3::bigint, $3::bigint, LEAST($4::int, $2::int), LEAST($4::int, $2::int) FROM (SELECT ${NOW_MS} AS now_ms) t
       ON CONFLICT (key) DO UPDATE SET
         last_grant = CASE WHEN b.window_start = EXCLUDED.window_start AND b.window_ms = EXCLUDED.window_ms
                           THEN GREATEST(0, LEAST($4::int, $2::int - b.granted)) ELSE EXCLUDED.granted END,
         granted = CASE WHEN b.window_start = EXCLUDED.window_start AND b.window_ms = EXCLUDED.window_ms
                        THEN b.granted + GREATEST(0, LEAST($4::int, $2::int - b.granted)) ELSE EXCLUDED.granted END,
         window_start = EXCLUDED.window_start,
         window_ms = EXCLUDED.window_ms
       RETURNING last_grant AS granted, granted AS used, window_start AS window,
                 (window_start + window_ms - ${NOW_MS}) AS ends_in`,
      [key, max, windowMs, want],
    );
    const row = rows[0];
    if (!row) throw new Error('the budget claim returned no row');
    return { granted: Number(row.granted), used: Number(row.used), window: Number(row.window), endsInMs: Math.max(0, Number(row.ends_in)) };
  }

  async giveBack(key: string, window: number, units: number): Promise<void> {
    await this.pool.query('UPDATE rate_budgets SET granted = GREATEST(0, granted - $3) WHERE key = $1 AND window_start = $2', [key, window, units]);
  }

  async sweep(): Promise<void> {
    await this.pool.query(`DELETE FROM rate_budgets WHERE window_start + window_ms < ${NOW_MS} - 60000`);
  }

  async waitMs(scope: string, key: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ wait: number }>(`SELECT until_at - ${NOW_MS} AS wait FROM login_failures WHERE scope = $1 AND key = $2`, [scope, key]);
    const wait = rows[0] === undefined ? 0 : Number(rows[0].wait);
    return wait > 0 ? wait : undefined;
  }

  async failed(scope: string, key: string, rule: BackoffRule): Promise<void> {
    // failures older than forgetMs (and no back-off running) start the count again
    await this.pool.query(
      `WITH t AS (SELECT ${NOW_MS} AS now_ms)
       INSERT INTO login_failures AS f (scope, key, failures, last_at, until_at)
         SELECT $1::text, $2::text, 1, t.now_ms, CASE WHEN 1 >= $3::int THEN t.now_ms + LEAST($5::float8, $4::float8 * power(2, LEAST(30, 1 - $3::int)))::bigint ELSE 0 END FROM t
       ON CONFLICT (scope, key) DO UPDATE SET
         failures = CASE WHEN EXCLUDED.last_at - f.last_at > $6::bigint AND f.until_at <= EXCLUDED.last_at THEN 1 ELSE f.failures + 1 END,
         last_at = EXCLUDED.last_at,
         until_at = CASE
           WHEN (CASE WHEN EXCLUDED.last_at - f.last_at > $6::bigint AND f.until_at <= EXCLUDED.last_at THEN 1 ELSE f.failures + 1 END) >= $3::int
           THEN EXCLUDED.last_at + LEAST($5::float8, $4::float8 * power(2, LEAST(30, (CASE WHEN EXCLUDED.last_at - f.last_at > $6::bigint AND f.until_at <= EXCLUDED.last_at THEN 1 ELSE f.failures + 1 END) - $3::int)))::bigint
           ELSE 0 END`,
      [scope, key, rule.allowed, rule.baseMs, rule.maxMs, rule.forgetMs],
    );
  }

  async succeeded(scope: string, key: string): Promise<void> {
    await this.pool.query('DELETE FROM login_failures WHERE scope = $1 AND key = $2', [scope, key]);
  }

  async sweepFailures(forgetMs: number): Promise<void> {
    await this.pool.query(`DELETE FROM login_failures WHERE last_at < ${NOW_MS} - $1 AND until_at < ${NOW_MS}`, [forgetMs]);
  }
}
