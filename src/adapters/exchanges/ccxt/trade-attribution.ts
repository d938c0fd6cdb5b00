import type { OrderSide, OrderType } from '../../../application/ports/exchange.js';
import { ZERO, type Dec } from '../../../domain/shared/decimal.js';
import type { CcxtTradeLike } from './ccxt-types.js';
import { toDec } from './order-mapping.js';

/** What the lost order was: its trades must look like it. Amounts in exchange units (contracts for derivatives). */
export interface LostOrder {
  readonly side: OrderSide;
  readonly type: OrderType;
  /** the amount sent (after the exchange's rounding) */
  readonly amount: Dec;
  readonly limitPrice?: Dec;
}

export type Attribution =
  /** no fill since the send can be this order's */
  | { readonly kind: 'none' }
  /** exactly one unidentified order's fills look like this order, and they fill it completely */
  | { readonly kind: 'one'; readonly exchangeOrderId: string; readonly trades: readonly CcxtTradeLike[] }
  /** fills that could be this order's cannot be told apart (or fill it only in part): absence cannot be established */
  | { readonly kind: 'ambiguous'; readonly reason: string; readonly candidates: readonly string[] };

/**
 * Which of the account's trades since the send could be the lost order's. Exchanges such as
 * Binance list trades with the exchange's order id but not the clientOrderId, so a trade of an
 * order no other source names (`claimed`: ids of the account's other orders) may be this order's
 * when it is on the same side, within the limit price, and not more than was sent. It is
 * adopted only when exactly one such order exists and its fills add up to exactly the amount
 * sent; a candidate that fills it in part, or several, only prove that absence cannot be concluded.
 */
export function attributeTrades(trades: readonly CcxtTradeLike[], claimed: ReadonlySet<string>, lost: LostOrder): Attribution {
  const groups = new Map<string, CcxtTradeLike[]>();
  let anonymous = 0;
  for (const trade of trades) {
    const orderId = trade.order === null || trade.order === undefined || trade.order === '' ? undefined : String(trade.order);
    if (orderId === undefined) {
      if (couldBe(trade, lost)) anonymous += 1;
      continue;
    }
    if (claimed.has(orderId)) continue;
    const group = groups.get(orderId) ?? [];
    group.push(trade);
    groups.set(orderId, group);
  }
  const exact: string[] = [];
  const partial: string[] = [];
  for (const [orderId, group] of groups) {
    if (!group.every((t) => couldBe(t, lost))) continue;
    const total = group.reduce((sum, t) => sum.plus(toDec(t.amount) ?? ZERO), ZERO);
    if (total.greaterThan(lost.amount)) continue;
    (total.equals(lost.amount) ? exact : partial).push(orderId);
  }
  if (anonymous > 0) return { kind: 'ambiguous', reason: `${anonymous} fill(s) without an order id could be this order's`, candidates: [] };
  if (exact.length === 1 && partial.length === 0) return { kind: 'one', exchangeOrderId: exact[0]!, trades: groups.get(exact[0]!)! };
  if (exact.length === 0 && partial.length === 0) return { kind: 'none' };
  const candidates = [...exact, ...partial];
  return { kind: 'ambiguous', reason: `fills of ${candidates.length} order(s) the exchange does not name yet could be this order's`, candidates };
}

/** Whether one trade is compatible with the lost order (side, limit price). */
function couldBe(trade: CcxtTradeLike, lost: LostOrder): boolean {
  if (trade.side !== undefined && trade.side !== null && trade.side !== lost.side) return false;
  const amount = toDec(trade.amount);
  if (!amount || !amount.greaterThan(0)) return false;
  if (lost.type === 'limit' && lost.limitPrice) {
    const price = toDec(trade.price);
    if (!price) return true;
    if (lost.side === 'buy' ? price.greaterThan(lost.limitPrice) : price.lessThan(lost.limitPrice)) return false;
  }
  return true;
}
