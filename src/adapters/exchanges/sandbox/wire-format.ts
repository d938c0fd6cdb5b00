import type { Balance, ExchangeFill, ExchangeOrder, ExchangeOrderStatus, OrderType } from '../../../application/ports/exchange.js';
import { Dec, ZERO } from '../../../domain/shared/decimal.js';
import { binanceConditionalType, type NewOrderRespType } from './order-params.js';
import { binanceDecimal } from './symbols.js';

/** Times the paper exchange does not keep (from the sandbox's order index), in ms. */
export interface OrderTimes {
  readonly createdAt: number;
  readonly updatedAt: number;
}

const STATUS: Readonly<Record<ExchangeOrderStatus, string>> = {
  open: 'NEW',
  partially_filled: 'PARTIALLY_FILLED',
  filled: 'FILLED',
  cancelled: 'CANCELED',
  expired: 'EXPIRED',
  rejected: 'REJECTED',
};

export function binanceStatus(status: ExchangeOrderStatus): string {
  return STATUS[status];
}

export function fillTime(fill: ExchangeFill): number {
  return Date.parse(fill.time);
}

/** Sum of price x quantity over the fills (Binance's cummulativeQuoteQty). */
export function quoteFilled(fills: readonly ExchangeFill[]): Dec {
  return fills.reduce((sum, fill) => sum.plus(new Dec(fill.quantity).times(fill.price)), ZERO);
}

/** Creation and last-update time of an order, falling back to its fills when it is not indexed. */
export function timesOf(order: ExchangeOrder, indexed: OrderTimes | undefined, now: number): OrderTimes {
  const lastFill = order.fills.length > 0 ? fillTime(order.fills[order.fills.length - 1]!) : undefined;
  const createdAt = indexed?.createdAt ?? (order.fills.length > 0 ? fillTime(order.fills[0]!) : now);
  const updatedAt = Math.max(indexed?.updatedAt ?? createdAt, lastFill ?? createdAt);
  return { createdAt, updatedAt };
}

/** The id of the order list the order is a leg of, -1 outside a list (Binance's `orderListId`). */
export function orderListIdOf(order: Pick<ExchangeOrder, 'orderListId'>): number {
  return order.orderListId !== undefined ? Number(order.orderListId) : -1;
}

function common(order: ExchangeOrder, symbolId: string) {
  return {
    symbol: symbolId,
    orderId: Number(order.exchangeOrderId),
    orderListId: orderListIdOf(order),
    clientOrderId: order.clientOrderId,
  };
}

function amounts(order: ExchangeOrder) {
  return {
    price: binanceDecimal(order.limitPrice ?? '0'),
    origQty: binanceDecimal(order.quantity),
    executedQty: binanceDecimal(order.filledQuantity),
    cummulativeQuoteQty: binanceDecimal(quoteFilled(order.fills)),
    status: binanceStatus(order.status),
    timeInForce: 'GTC',
    type: binanceOrderType(order),
    side: order.side === 'buy' ? 'BUY' : 'SELL',
  };
}

/** GET /api/v3/order, openOrders and allOrders entries. */
export function orderView(order: ExchangeOrder, symbolId: string, times: OrderTimes): Record<string, unknown> {
  return {
    ...common(order, symbolId),
    ...amounts(order),
    stopPrice: binanceDecimal(order.stopPrice ?? '0'),
    ...(order.trailingPercent !== undefined ? { trailingDelta: Number(order.trailingPercent) * 100 } : {}),
    icebergQty: binanceDecimal('0'),
    time: times.createdAt,
    updateTime: times.updatedAt,
    // on the book: a limit order that did not trade as taker on arrival
    isWorking: order.type === 'limit' && order.fills[0]?.liquidity !== 'taker',
    workingTime: times.createdAt,
    origQuoteOrderQty: binanceDecimal('0'),
    selfTradePreventionMode: 'NONE',
  };
}

/** POST /api/v3/order answer in the requested shape (ACK, RESULT, or FULL with the fills). */
export function placementView(order: ExchangeOrder, symbolId: string, transactTime: number, respType: NewOrderRespType): Record<string, unknown> {
  const ack = { ...common(order, symbolId), transactTime };
  if (respType === 'ACK') return ack;
  const result = {
    ...ack,
    ...amounts(order),
    origQuoteOrderQty: binanceDecimal('0'),
    workingTime: transactTime,
    selfTradePreventionMode: 'NONE',
  };
  if (respType === 'RESULT') return result;
  return {
    ...result,
    fills: order.fills.map((fill) => ({
      price: binanceDecimal(fill.price),
      qty: binanceDecimal(fill.quantity),
      commission: binanceDecimal(fill.fee),
      commissionAsset: fill.feeCurrency,
      tradeId: Number(fill.tradeId),
    })),
  };
}

/** DELETE /api/v3/order answer: `clientOrderId` is the cancel request's own id, as on Binance. */
export function cancelView(order: ExchangeOrder, symbolId: string, cancelClientOrderId: string, transactTime: number): Record<string, unknown> {
  return {
    symbol: symbolId,
    origClientOrderId: order.clientOrderId,
    orderId: Number(order.exchangeOrderId),
    orderListId: orderListIdOf(order),
    clientOrderId: cancelClientOrderId,
    transactTime,
    ...amounts(order),
    origQuoteOrderQty: binanceDecimal('0'),
    selfTradePreventionMode: 'NONE',
  };
}

/** One GET /api/v3/myTrades entry (`orderListId`: the list of the fill's order, -1 outside one). */
export function myTradeView(fill: ExchangeFill, symbolId: string, orderListId = -1): Record<string, unknown> {
  return {
    symbol: symbolId,
    id: Number(fill.tradeId),
    orderId: Number(fill.exchangeOrderId),
    orderListId,
    price: binanceDecimal(fill.price),
    qty: binanceDecimal(fill.quantity),
    quoteQty: binanceDecimal(new Dec(fill.quantity).times(fill.price)),
    commission: binanceDecimal(fill.fee),
    commissionAsset: fill.feeCurrency,
    time: fillTime(fill),
    isBuyer: fill.side === 'buy',
    isMaker: fill.liquidity === 'maker',
    isBestMatch: true,
  };
}

/** GET /api/v3/account `balances` entry. */
export function balanceView(balance: Balance): { asset: string; free: string; locked: string } {
  const total = new Dec(balance.total);
  const free = new Dec(balance.available);
  return { asset: balance.asset, free: binanceDecimal(free), locked: binanceDecimal(total.minus(free)) };
}

/** Binance's type of an order: a list's limit leg is a LIMIT_MAKER (issue 17). */
export function binanceOrderType(order: Pick<ExchangeOrder, 'type' | 'orderListId'>): string {
  return order.type === 'limit' && order.orderListId !== undefined ? 'LIMIT_MAKER' : binanceType(order.type);
}

/** Binance's name of an order type (issue 17: the conditional ones included). */
export function binanceType(type: OrderType): string {
  if (type === 'limit') return 'LIMIT';
  if (type === 'market') return 'MARKET';
  return binanceConditionalType(type);
}
