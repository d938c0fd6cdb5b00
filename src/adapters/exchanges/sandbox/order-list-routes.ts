import type { ExchangeOrder } from '../../../application/ports/exchange.js';
import type { OrderListKey, PaperOrderList } from '../paper/order-lists.js';
import { BinanceErrors, fromPaperRejection, type BinanceError } from './binance-errors.js';
import { idParam, requiredMarket } from './order-lookup.js';
import { parseNewOrderList } from './order-list-params.js';
import { legsOf, orderListView, stopPriceOf } from './order-list-views.js';
import { randomClientOrderId } from './order-params.js';
import { placementLedger } from './placement-ledger.js';
import { weight, type ApiCall, type Route, type SpotApiDeps } from './routes.js';
import { binanceSymbol } from './symbols.js';
import { cancelView, placementView } from './wire-format.js';

/**
 * Binance spot's one-cancels-other order lists (issue 17): POST /api/v3/orderList/oco, GET and
 * DELETE /api/v3/orderList, GET /api/v3/openOrderList. Each leg is also an order of its own for
 * the order endpoints (GET / DELETE /api/v3/order, openOrders, allOrders, myTrades), with its
 * `orderListId`; cancelling one leg cancels the list (the paper exchange does it).
 */
export function orderListRoutes(deps: SpotApiDeps): Route[] {
  return [
    { method: 'POST', path: '/api/v3/orderList/oco', security: 'SIGNED', weight: weight(1), handle: (call) => placeOrderList(deps, call) },
    { method: 'GET', path: '/api/v3/orderList', security: 'SIGNED', weight: weight(4), handle: (call) => getOrderList(deps, call) },
    { method: 'DELETE', path: '/api/v3/orderList', security: 'SIGNED', weight: weight(1), handle: (call) => cancelOrderList(deps, call) },
    { method: 'GET', path: '/api/v3/openOrderList', security: 'SIGNED', weight: weight(6), handle: (call) => openOrderLists(deps, call) },
  ];
}

/** Like POST /api/v3/order: the ledger counts both legs; the duplicate and invisible faults apply to the list. */
async function placeOrderList(deps: SpotApiDeps, call: ApiCall): Promise<unknown> {
  const parsed = parseNewOrderList(call.params, deps.symbols);
  const { market, request } = parsed;
  const legIds = [parsed.aboveClientOrderId, parsed.belowClientOrderId];
  const ledger = placementLedger(deps.exchange);
  for (const id of legIds) ledger.received(call.accountId, id);
  const refused = (error: BinanceError): BinanceError => {
    for (const id of legIds) ledger.refused(call.accountId, id);
    return error;
  };
  if (deps.symbols.status(market) !== 'TRADING') throw refused(BinanceErrors.marketClosed());
  const duplicate = deps.faults.take('duplicate', call.method, call.path);
  if (duplicate && duplicate.placeOrder !== true) throw refused(BinanceErrors.duplicateOrder());

  const result = await deps.exchange.placeOrderList(call.accountId, request);
  if (result.kind === 'rejected') throw refused(fromPaperRejection(result.code));
  if (result.kind !== 'accepted') throw refused(BinanceErrors.executionUnknown()); // the paper exchange answers neither
  for (const id of legIds) ledger.accepted(call.accountId, id);
  call.legPlacements?.above.accepted(parsed.aboveClientOrderId);
  call.legPlacements?.below.accepted(parsed.belowClientOrderId);
  const list: PaperOrderList = {
    orderListId: result.limitLeg.orderListId!,
    listClientOrderId: request.listClientOrderId,
    symbol: market.symbol,
    createdAt: new Date(call.now).toISOString(),
    limitLeg: result.limitLeg,
    stopLeg: result.stopLeg,
  };
  for (const leg of legsOf(list)) deps.index.record(call.accountId, Number(leg.exchangeOrderId), leg.clientOrderId, leg.symbol, call.now);
  deps.hub.orderListAccepted(call.accountId, list, { createdAt: call.now, updatedAt: call.now });
  const invisible = deps.faults.take('invisible', call.method, call.path);
  if (invisible) {
    for (const leg of legsOf(list)) deps.hidden.hide(call.accountId, Number(leg.exchangeOrderId), call.now + invisible.seconds * 1000, invisible.everywhere === true);
  }

  if (duplicate) throw BinanceErrors.duplicateOrder();
  const symbolId = binanceSymbol(market);
  const respType = parsed.respType === 'FULL' ? 'FULL' : 'RESULT';
  const reports = legsOf(list).map((leg) => ({ ...placementView(leg, symbolId, call.now, respType), ...stopPriceOf(leg) }));
  return orderListView(list, symbolId, call.now, reports);
}

/** By `orderListId` or `origClientOrderId` (the listClientOrderId); -2013 when unknown or hidden by an `invisible` fault. */
async function getOrderList(deps: SpotApiDeps, call: ApiCall): Promise<unknown> {
  const list = await findList(deps, call, 'origClientOrderId', BinanceErrors.orderListDoesNotExist, true);
  return orderListView(list, deps.symbols.idOf(list.symbol), Date.parse(list.createdAt));
}

/** `symbol` and `orderListId` or `listClientOrderId`: cancels both legs; -2011 when unknown or already done. */
async function cancelOrderList(deps: SpotApiDeps, call: ApiCall): Promise<unknown> {
  const market = requiredMarket(deps, call.params);
  const list = await findList(deps, call, 'listClientOrderId', BinanceErrors.unknownOrderListOnCancel, false);
  const working = legsOf(list).find(isOpen);
  if (list.symbol !== market.symbol || !working) throw BinanceErrors.unknownOrderListOnCancel();
  await deps.exchange.cancelOrder(call.accountId, working.clientOrderId);
  const after = (await deps.exchange.fetchOrderList(call.accountId, { orderListId: list.orderListId }))!;
  for (const leg of legsOf(after)) deps.index.touch(call.accountId, Number(leg.exchangeOrderId), call.now);
  const symbolId = binanceSymbol(market);
  const reports = legsOf(after).map((leg) => ({ ...cancelView(leg, symbolId, randomClientOrderId(), call.now), ...stopPriceOf(leg) }));
  return orderListView(after, symbolId, call.now, reports);
}

async function openOrderLists(deps: SpotApiDeps, call: ApiCall): Promise<unknown> {
  const lists = await deps.exchange.fetchOpenOrderLists(call.accountId);
  return lists.filter((list) => !hidden(deps, call, list)).map((list) => orderListView(list, deps.symbols.idOf(list.symbol), Date.parse(list.createdAt)));
}

async function findList(deps: SpotApiDeps, call: ApiCall, clientIdParam: string, missing: () => BinanceError, respectHidden: boolean): Promise<PaperOrderList> {
  const orderListId = idParam(call.params, 'orderListId');
  const listClientOrderId = call.params.get(clientIdParam);
  if (orderListId === undefined && listClientOrderId === undefined) throw BinanceErrors.eitherParam('orderListId', clientIdParam);
  const key: OrderListKey = orderListId !== undefined ? { orderListId: String(orderListId) } : { listClientOrderId: listClientOrderId! };
  const list = await deps.exchange.fetchOrderList(call.accountId, key);
  if (!list || (respectHidden && hidden(deps, call, list))) throw missing();
  return list;
}

function hidden(deps: SpotApiDeps, call: ApiCall, list: PaperOrderList): boolean {
  return legsOf(list).some((leg) => deps.hidden.isHidden(call.accountId, Number(leg.exchangeOrderId), call.now));
}

function isOpen(order: ExchangeOrder): boolean {
  return order.status === 'open' || order.status === 'partially_filled';
}
