import Database from 'better-sqlite3';
import { isThrowaway, relaxThrowaway } from '../../eventstore/sqlite/throwaway-dirs.js';
import { enableWal } from '../../eventstore/sqlite/wal.js';

/**
 * The paper exchange's own SQLite file. Everything (accounts, balances, orders, fills, id
 * counters, placement attempts) lives here; the in-process object keeps no state that the
 * file does not have, so a new PaperExchange on the same file carries on exactly.
 *
 * Money columns are TEXT holding canonical decimal strings (never REAL).
 */
export const PAPER_SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS paper_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS paper_counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS paper_accounts (
  account_id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS paper_balances (
  account_id TEXT NOT NULL REFERENCES paper_accounts(account_id),
  asset      TEXT NOT NULL,
  total      TEXT NOT NULL,
  locked     TEXT NOT NULL,
  PRIMARY KEY (account_id, asset)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS paper_orders (
  order_id        INTEGER PRIMARY KEY,            -- exchangeOrderId, from paper_counters 'order'
  account_id      TEXT NOT NULL REFERENCES paper_accounts(account_id),
  client_order_id TEXT NOT NULL,
  symbol          TEXT NOT NULL,
  side            TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  type            TEXT NOT NULL CHECK (type IN ('market', 'limit')),
  quantity        TEXT NOT NULL,
  limit_price     TEXT,
  filled_quantity TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('open', 'partially_filled', 'filled', 'cancelled', 'expired')),
  locked_asset    TEXT,                           -- what a resting order still holds
  locked_amount   TEXT NOT NULL,
  fill_count      INTEGER NOT NULL,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  UNIQUE (account_id, client_order_id)
);
CREATE INDEX IF NOT EXISTS paper_orders_open_by_symbol
  ON paper_orders (symbol, order_id) WHERE status IN ('open', 'partially_filled');
CREATE INDEX IF NOT EXISTS paper_orders_open_by_account
  ON paper_orders (account_id, order_id) WHERE status IN ('open', 'partially_filled');

CREATE TABLE IF NOT EXISTS paper_fills (
  trade_id        INTEGER PRIMARY KEY,            -- from paper_counters 'trade'
  order_id        INTEGER NOT NULL REFERENCES paper_orders(order_id),
  account_id      TEXT NOT NULL,
  client_order_id TEXT NOT NULL,
  symbol          TEXT NOT NULL,
  side            TEXT NOT NULL,
  quantity        TEXT NOT NULL,
  price           TEXT NOT NULL,
  fee             TEXT NOT NULL,
  fee_currency    TEXT NOT NULL,
  liquidity       TEXT NOT NULL CHECK (liquidity IN ('maker', 'taker')),
  time            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS paper_fills_by_order ON paper_fills (order_id, trade_id);

CREATE TABLE IF NOT EXISTS paper_attempts (
  account_id      TEXT NOT NULL,
  client_order_id TEXT NOT NULL,
  count           INTEGER NOT NULL,
  PRIMARY KEY (account_id, client_order_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO paper_counters (name, value) VALUES ('order', 0), ('trade', 0);
`;

/**
 * Opens (creating if needed) the paper exchange database: WAL, synchronous=NORMAL, busy timeout.
 * The paper exchange stands in for a remote exchange, whose durability does not cost our event
 * loop an fsync: in WAL mode every commit survives a crash of this process (what the restart
 * and kill tests exercise); only a power cut may lose its last commits (see ADR-0003).
 */
/**
 * How placementAttempts() answers once the exchange is closed (the database still open when
 * called): a file is opened read-only at each question; ':memory:' dies with its connection, so
 * its counts are copied now (an in-memory exchange is a test's, small).
 */
export function attemptsAfterClose(db: Database.Database, path: string): (accountId: string, clientOrderId: string) => number {
  const sql = 'SELECT count FROM paper_attempts WHERE account_id = ? AND client_order_id = ?';
  if (path === ':memory:' || path === '') {
    const copy = new Map<string, number>();
    for (const r of db.prepare('SELECT account_id, client_order_id, count FROM paper_attempts').all() as Array<{ account_id: string; client_order_id: string; count: number }>) {
      copy.set(`${r.account_id}\u0000${r.client_order_id}`, r.count);
    }
    return (accountId, clientOrderId) => copy.get(`${accountId}\u0000${clientOrderId}`) ?? 0;
  }
  return (accountId, clientOrderId) => {
    const readOnly = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return (readOnly.prepare(sql).get(accountId, clientOrderId) as { count: number } | undefined)?.count ?? 0;
    } finally {
      readOnly.close();
    }
  };
}

export function openPaperDatabase(path: string): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    if (path !== ':memory:' && path !== '') enableWal(db); // two nodes share this file and start at once: see wal.ts
    db.pragma('synchronous = NORMAL');
    if (isThrowaway(path)) relaxThrowaway(db); // a replay's own exchange only (throwaway-dirs.ts)
    db.pragma('foreign_keys = ON');
    const migrate = db.transaction(() => {
      db.exec(DDL);
      const row = db.prepare(`SELECT value FROM paper_meta WHERE key = 'schema_version'`).get() as { value: string } | undefined;
      if (!row) {
        db.prepare(`INSERT INTO paper_meta (key, value) VALUES ('schema_version', ?)`).run(String(PAPER_SCHEMA_VERSION));
      } else if (Number(row.value) > PAPER_SCHEMA_VERSION) {
        throw new Error(`paper exchange file has schema ${row.value}, this build knows ${PAPER_SCHEMA_VERSION}`);
      }
    });
    migrate.immediate();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export interface OrderRow {
  order_id: number;
  account_id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  quantity: string;
  limit_price: string | null;
  filled_quantity: string;
  status: 'open' | 'partially_filled' | 'filled' | 'cancelled' | 'expired';
  locked_asset: string | null;
  locked_amount: string;
  fill_count: number;
  created_at: string;
  updated_at: string;
}

export interface FillRow {
  trade_id: number;
  order_id: number;
  account_id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  fee: string;
  fee_currency: string;
  liquidity: 'maker' | 'taker';
  time: string;
}

export interface BalanceRow {
  asset: string;
  total: string;
  locked: string;
}

/** Prepared statements over one connection. */
export class PaperStatements {
  readonly accountExists;
  readonly insertAccount;
  readonly getBalance;
  readonly upsertBalance;
  readonly listBalances;
  readonly nextCounter;
  readonly allCounters;
  readonly setCounter;
  readonly getOrder;
  readonly getOrderById;
  readonly insertOrder;
  readonly updateOrder;
  readonly openOrdersBySymbol;
  readonly openOrdersByAccount;
  readonly openCounts;
  readonly fillsOfOrder;
  readonly insertFill;
  readonly getAttempts;
  readonly bumpAttempts;

  constructor(db: Database.Database) {
    this.accountExists = db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM paper_accounts WHERE account_id = ?`);
    this.insertAccount = db.prepare<[string, string]>(`INSERT INTO paper_accounts (account_id, created_at) VALUES (?, ?)`);
    this.getBalance = db.prepare<[string, string], BalanceRow>(`SELECT asset, total, locked FROM paper_balances WHERE account_id = ? AND asset = ?`);
    this.upsertBalance = db.prepare<[string, string, string, string]>(
      `INSERT INTO paper_balances (account_id, asset, total, locked) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, asset) DO UPDATE SET total = excluded.total, locked = excluded.locked`,
    );
    this.listBalances = db.prepare<[string], BalanceRow>(`SELECT asset, total, locked FROM paper_balances WHERE account_id = ? ORDER BY asset`);
    this.nextCounter = db.prepare<[string], { value: number }>(`UPDATE paper_counters SET value = value + 1 WHERE name = ? RETURNING value`);
    this.allCounters = db.prepare<[], { name: string; value: number }>(`SELECT name, value FROM paper_counters`);
    this.setCounter = db.prepare<[number, string]>(`UPDATE paper_counters SET value = ? WHERE name = ?`);
    this.getOrder = db.prepare<[string, string], OrderRow>(`SELECT * FROM paper_orders WHERE account_id = ? AND client_order_id = ?`);
    this.getOrderById = db.prepare<[number], OrderRow>(`SELECT * FROM paper_orders WHERE order_id = ?`);
    this.insertOrder = db.prepare<[OrderRow]>(
      `INSERT INTO paper_orders (order_id, account_id, client_order_id, symbol, side, type, quantity, limit_price,
         filled_quantity, status, locked_asset, locked_amount, fill_count, created_at, updated_at)
       VALUES (@order_id, @account_id, @client_order_id, @symbol, @side, @type, @quantity, @limit_price,
         @filled_quantity, @status, @locked_asset, @locked_amount, @fill_count, @created_at, @updated_at)`,
    );
    // locked_asset too: a triggered stop-limit starts holding funds (and a stop that held them releases them) on its trigger
    this.updateOrder = db.prepare<[Pick<OrderRow, 'order_id' | 'filled_quantity' | 'status' | 'locked_asset' | 'locked_amount' | 'fill_count' | 'updated_at'>]>(
      `UPDATE paper_orders SET filled_quantity = @filled_quantity, status = @status, locked_asset = @locked_asset, locked_amount = @locked_amount,
         fill_count = @fill_count, updated_at = @updated_at WHERE order_id = @order_id`,
    );
    this.openOrdersBySymbol = db.prepare<[string], OrderRow>(
      `SELECT * FROM paper_orders WHERE symbol = ? AND status IN ('open', 'partially_filled') ORDER BY order_id`,
    );
    this.openOrdersByAccount = db.prepare<[string], OrderRow>(
      `SELECT * FROM paper_orders WHERE account_id = ? AND status IN ('open', 'partially_filled') ORDER BY order_id`,
    );
    this.openCounts = db.prepare<[], { symbol: string; n: number }>(
      `SELECT symbol, count(*) AS n FROM paper_orders WHERE status IN ('open', 'partially_filled') GROUP BY symbol`,
    );
    this.fillsOfOrder = db.prepare<[number], FillRow>(`SELECT * FROM paper_fills WHERE order_id = ? ORDER BY trade_id`);
    this.insertFill = db.prepare<[FillRow]>(
      `INSERT INTO paper_fills (trade_id, order_id, account_id, client_order_id, symbol, side, quantity, price, fee,
         fee_currency, liquidity, time)
       VALUES (@trade_id, @order_id, @account_id, @client_order_id, @symbol, @side, @quantity, @price, @fee,
         @fee_currency, @liquidity, @time)`,
    );
    this.getAttempts = db.prepare<[string, string], { count: number }>(`SELECT count FROM paper_attempts WHERE account_id = ? AND client_order_id = ?`);
    this.bumpAttempts = db.prepare<[string, string]>(
      `INSERT INTO paper_attempts (account_id, client_order_id, count) VALUES (?, ?, 1)
       ON CONFLICT (account_id, client_order_id) DO UPDATE SET count = count + 1`,
    );
  }
}
