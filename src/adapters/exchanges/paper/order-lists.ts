import type Database from 'better-sqlite3';
import type { ExchangeOrder, OrderSide } from '../../../application/ports/exchange.js';
import type { Dec } from '../../../domain/shared/decimal.js';

/**
 * One-cancels-other order lists of the paper exchange (issue 17; Binance spot's order lists).
 * Each leg is a row of paper_orders (the limit leg a plain limit order holding the list's funds,
 * the stop leg a conditional order holding nothing); the link lives here, so files written before
 * lists existed open unchanged (the table is created when missing). Ids are SQLite's rowids:
 * lists are never deleted, so they only grow.
 */
export const ORDER_LISTS_DDL = `
CREATE TABLE IF NOT EXISTS paper_order_lists (
  list_id              INTEGER PRIMARY KEY,
  account_id           TEXT NOT NULL REFERENCES paper_accounts(account_id),
  list_client_order_id TEXT NOT NULL,
  symbol               TEXT NOT NULL,
  limit_order_id       INTEGER NOT NULL UNIQUE REFERENCES paper_orders(order_id),
  stop_order_id        INTEGER NOT NULL UNIQUE REFERENCES paper_orders(order_id),
  created_at           TEXT NOT NULL,
  UNIQUE (account_id, list_client_order_id)
);
`;

export interface OrderListRow {
  list_id: number;
  account_id: string;
  list_client_order_id: string;
  symbol: string;
  limit_order_id: number;
  stop_order_id: number;
  created_at: string;
}

/** A list as the exchange shows it: both legs as orders of their own (each with `orderListId`). */
export interface PaperOrderList {
  readonly orderListId: string;
  readonly listClientOrderId: string;
  readonly symbol: string;
  /** ISO-8601 */
  readonly createdAt: string;
  readonly limitLeg: ExchangeOrder;
  readonly stopLeg: ExchangeOrder;
}

/** Which list to read: by the exchange's id or by the account's listClientOrderId. */
export type OrderListKey = { readonly orderListId: string } | { readonly listClientOrderId: string };

export class OrderListStatements {
  readonly insert;
  readonly byOrder;
  readonly byId;
  readonly byClientId;
  readonly openOfAccount;

  constructor(db: Database.Database) {
    db.exec(ORDER_LISTS_DDL);
    this.insert = db.prepare<[Omit<OrderListRow, 'list_id'>], { list_id: number }>(
      `INSERT INTO paper_order_lists (account_id, list_client_order_id, symbol, limit_order_id, stop_order_id, created_at)
       VALUES (@account_id, @list_client_order_id, @symbol, @limit_order_id, @stop_order_id, @created_at) RETURNING list_id`,
    );
    this.byOrder = db.prepare<[number, number], OrderListRow>('SELECT * FROM paper_order_lists WHERE limit_order_id = ? OR stop_order_id = ?');
    this.byId = db.prepare<[string, number], OrderListRow>('SELECT * FROM paper_order_lists WHERE account_id = ? AND list_id = ?');
    this.byClientId = db.prepare<[string, string], OrderListRow>('SELECT * FROM paper_order_lists WHERE account_id = ? AND list_client_order_id = ?');
    this.openOfAccount = db.prepare<[string], OrderListRow>(
      `SELECT l.* FROM paper_order_lists l WHERE l.account_id = ? AND EXISTS (
         SELECT 1 FROM paper_orders o WHERE o.order_id IN (l.limit_order_id, l.stop_order_id) AND o.status IN ('open', 'partially_filled'))
       ORDER BY l.list_id`,
    );
  }

  /** The list an order is a leg of. */
  ofOrder(orderId: number): OrderListRow | undefined {
    return this.byOrder.get(orderId, orderId);
  }

  find(accountId: string, key: OrderListKey): OrderListRow | undefined {
    if ('orderListId' in key) {
      return /^\d{1,15}$/.test(key.orderListId) ? this.byId.get(accountId, Number(key.orderListId)) : undefined;
    }
    return this.byClientId.get(accountId, key.listClientOrderId);
  }
}

/**
 * Whether a list's prices straddle the market, as Binance requires of an OCO: a sell takes profit
 * above the last price and stops below it; a buy takes profit below and stops above.
 */
export function straddlesMarket(side: OrderSide, limitPrice: Dec, stopPrice: Dec, last: Dec): boolean {
  return side === 'sell'
    ? limitPrice.greaterThan(last) && last.greaterThan(stopPrice)
    : limitPrice.lessThan(last) && last.lessThan(stopPrice);
}
