import type { Balance, ExchangeFill, ExchangeOrder } from '../../../application/ports/exchange.js';
import { Dec } from '../../../domain/shared/decimal.js';
import { binanceDecimal } from './symbols.js';
import { binanceOrderType, binanceStatus, fillTime, orderListIdOf, quoteFilled, type OrderTimes } from './wire-format.js';

export type ExecutionType = 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED';

const ZERO_TEXT = binanceDecimal('0');

/**
 * A spot user-data `executionReport` event. NEW reports the order as accepted (nothing executed
 * yet, whatever happened after); TRADE carries `fill` as the last execution and the order's
 * cumulative state up to it; CANCELED / EXPIRED the final state.
 */
export function executionReport(
  kind: ExecutionType,
  order: ExchangeOrder,
  symbolId: string,
  times: OrderTimes,
  eventTime: number,
  fill?: ExchangeFill,
): Record<string, unknown> {
  const isNew = kind === 'NEW';
  const fills = isNew ? [] : order.fills;
  const transactionTime = fill ? fillTime(fill) : isNew ? times.createdAt : Math.max(times.updatedAt, eventTime);
  return {
    e: 'executionReport',
    E: eventTime,
    s: symbolId,
    c: order.clientOrderId,
    S: order.side === 'buy' ? 'BUY' : 'SELL',
    o: binanceOrderType(order),
    f: 'GTC',
    q: binanceDecimal(order.quantity),
    p: binanceDecimal(order.limitPrice ?? '0'),
    P: order.stopPrice !== undefined ? binanceDecimal(order.stopPrice) : ZERO_TEXT,
    F: ZERO_TEXT,
    g: orderListIdOf(order),
    C: kind === 'CANCELED' ? order.clientOrderId : '',
    x: kind,
    X: isNew ? 'NEW' : binanceStatus(order.status),
    r: 'NONE',
    i: Number(order.exchangeOrderId),
    l: fill ? binanceDecimal(fill.quantity) : ZERO_TEXT,
    z: isNew ? ZERO_TEXT : binanceDecimal(order.filledQuantity),
    L: fill ? binanceDecimal(fill.price) : ZERO_TEXT,
    n: fill ? binanceDecimal(fill.fee) : '0',
    N: fill ? fill.feeCurrency : null,
    T: transactionTime,
    t: fill ? Number(fill.tradeId) : -1,
    I: 0,
    w: order.type === 'limit' && (isNew || order.status === 'open' || order.status === 'partially_filled'),
    m: fill ? fill.liquidity === 'maker' : false,
    M: false,
    O: times.createdAt,
    Z: binanceDecimal(quoteFilled(fills)),
    Y: fill ? binanceDecimal(new Dec(fill.quantity).times(fill.price)) : ZERO_TEXT,
    Q: ZERO_TEXT,
    W: times.createdAt,
    V: 'NONE',
  };
}

/** A spot user-data `outboundAccountPosition` event with the balances of the changed assets. */
export function accountPosition(balances: readonly Balance[], eventTime: number): Record<string, unknown> {
  return {
    e: 'outboundAccountPosition',
    E: eventTime,
    u: eventTime,
    B: balances.map((balance) => {
      const free = new Dec(balance.available);
      return { a: balance.asset, f: binanceDecimal(free), l: binanceDecimal(new Dec(balance.total).minus(free)) };
    }),
  };
}
