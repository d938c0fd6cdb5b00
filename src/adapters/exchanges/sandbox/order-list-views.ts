import type { ExchangeOrder } from '../../../application/ports/exchange.js';
import type { PaperOrderList } from '../paper/order-lists.js';
import { binanceDecimal } from './symbols.js';

/** Binance's state of an order list: working while a leg is open, ALL_DONE once none is. */
export function listDone(list: PaperOrderList): boolean {
  return legsOf(list).every((leg) => leg.status !== 'open' && leg.status !== 'partially_filled');
}

/** Both legs in Binance's order (by orderId: the stop leg was placed first). */
export function legsOf(list: PaperOrderList): readonly ExchangeOrder[] {
  return [list.limitLeg, list.stopLeg].sort((a, b) => Number(a.exchangeOrderId) - Number(b.exchangeOrderId));
}

/** GET /api/v3/orderList and openOrderList entries; with `orderReports` the placement and cancel answers. */
export function orderListView(list: PaperOrderList, symbolId: string, transactionTime: number, orderReports?: readonly Record<string, unknown>[]): Record<string, unknown> {
  const done = listDone(list);
  return {
    orderListId: Number(list.orderListId),
    contingencyType: 'OCO',
    listStatusType: done ? 'ALL_DONE' : 'EXEC_STARTED',
    listOrderStatus: done ? 'ALL_DONE' : 'EXECUTING',
    listClientOrderId: list.listClientOrderId,
    transactionTime,
    symbol: symbolId,
    orders: legsOf(list).map((leg) => ({ symbol: symbolId, orderId: Number(leg.exchangeOrderId), clientOrderId: leg.clientOrderId })),
    ...(orderReports ? { orderReports } : {}),
  };
}

/** The stop price an order report shows for a stop leg (Binance adds it to the leg's report). */
export function stopPriceOf(order: ExchangeOrder): Record<string, string> {
  return order.stopPrice !== undefined ? { stopPrice: binanceDecimal(order.stopPrice) } : {};
}

/** A spot user-data `listStatus` event (issue 17). */
export function listStatusEvent(list: PaperOrderList, symbolId: string, transactionTime: number, eventTime: number): Record<string, unknown> {
  const done = listDone(list);
  return {
    e: 'listStatus',
    E: eventTime,
    s: symbolId,
    g: Number(list.orderListId),
    c: 'OCO',
    l: done ? 'ALL_DONE' : 'EXEC_STARTED',
    L: done ? 'ALL_DONE' : 'EXECUTING',
    r: 'NONE',
    C: list.listClientOrderId,
    T: transactionTime,
    O: legsOf(list).map((leg) => ({ s: symbolId, i: Number(leg.exchangeOrderId), c: leg.clientOrderId })),
  };
}
