import Database from 'better-sqlite3';
import { enableWal } from '../../eventstore/sqlite/wal.js';

/** What Binance knows about an order that the paper exchange does not keep: its id mapping and times. */
export interface IndexedOrder {
  readonly accountId: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  /** Unified symbol ("BTC/USDT"). */
  readonly symbol: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

interface Row {
  account_id: string;
  order_id: number;
  client_order_id: string;
  symbol: string;
  created_at: number;
  updated_at: number;
}

const DDL = `
CREATE TABLE IF NOT EXISTS sandbox_orders (
  account_id      TEXT NOT NULL,
  order_id        INTEGER NOT NULL,
  client_order_id TEXT NOT NULL,
  symbol          TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (account_id, order_id),
  UNIQUE (account_id, client_order_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sandbox_orders_by_symbol ON sandbox_orders (account_id, symbol, order_id);
`;

/**
 * Orders accepted through the sandbox's API, by orderId and clientOrderId per account, with their
 * creation and last-update times (Binance's `time` / `updateTime`). The paper exchange answers
 * by clientOrderId only; this index lets GET /api/v3/order by `orderId`, allOrders and myTrades
 * find them. Lives in its own table of the sandbox's SQLite file (or in memory with ':memory:').
 */
export class OrderIndex {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, number, string, string, number, number]>;
  private readonly touchStmt: Database.Statement<[number, string, number]>;
  private readonly byId: Database.Statement<[string, number], Row>;
  private readonly byClientId: Database.Statement<[string, string], Row>;
  private readonly bySymbol: Database.Statement<[string, string], Row>;
  private readonly all: Database.Statement<[string], Row>;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('busy_timeout = 5000');
    if (path !== ':memory:') enableWal(this.db);
    this.db.exec(DDL);
    this.insert = this.db.prepare(
      'INSERT OR IGNORE INTO sandbox_orders (account_id, order_id, client_order_id, symbol, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.touchStmt = this.db.prepare('UPDATE sandbox_orders SET updated_at = MAX(updated_at, ?) WHERE account_id = ? AND order_id = ?');
    this.byId = this.db.prepare('SELECT * FROM sandbox_orders WHERE account_id = ? AND order_id = ?');
    this.byClientId = this.db.prepare('SELECT * FROM sandbox_orders WHERE account_id = ? AND client_order_id = ?');
    this.bySymbol = this.db.prepare('SELECT * FROM sandbox_orders WHERE account_id = ? AND symbol = ? ORDER BY order_id');
    this.all = this.db.prepare('SELECT * FROM sandbox_orders WHERE account_id = ? ORDER BY order_id');
  }

  record(accountId: string, orderId: number, clientOrderId: string, symbol: string, time: number): IndexedOrder {
    this.insert.run(accountId, orderId, clientOrderId, symbol, time, time);
    return this.byOrderId(accountId, orderId)!;
  }

  /** Moves the order's updateTime forward (a cancel). */
  touch(accountId: string, orderId: number, time: number): void {
    this.touchStmt.run(time, accountId, orderId);
  }

  byOrderId(accountId: string, orderId: number): IndexedOrder | undefined {
    const row = this.byId.get(accountId, orderId);
    return row ? toIndexed(row) : undefined;
  }

  byClientOrderId(accountId: string, clientOrderId: string): IndexedOrder | undefined {
    const row = this.byClientId.get(accountId, clientOrderId);
    return row ? toIndexed(row) : undefined;
  }

  /** The account's orders (of one unified symbol, or all), oldest first. */
  list(accountId: string, symbol?: string): IndexedOrder[] {
    const rows = symbol === undefined ? this.all.all(accountId) : this.bySymbol.all(accountId, symbol);
    return rows.map(toIndexed);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toIndexed(row: Row): IndexedOrder {
  return {
    accountId: row.account_id,
    orderId: row.order_id,
    clientOrderId: row.client_order_id,
    symbol: row.symbol,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
