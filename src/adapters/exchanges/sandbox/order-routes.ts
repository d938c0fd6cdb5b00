import type { ExchangeOrder, PlaceOrderRequest } from '../../../application/ports/exchange.js';
import { Dec } from '../../../domain/shared/decimal.js';
import { BinanceErrors, fromPaperRejection } from './binance-errors.js';
import { findOrder } from './order-lookup.js';
import { placementLedger } from './placement-ledger.js';
import { parseNewOrder, quantityForQuote, randomClientOrderId, type NewOrder } from './order-params.js';
import { weight, type ApiCall, type Route, type SpotApiDeps } from './routes.js';
import { binanceSymbol } from './symbols.js';
import { cancelView, placementView } from './wire-format.js';

/** POST /api/v3/order (MARKET, LIMIT GTC, the stop and take-profit types) and DELETE /api/v3/order (a list's leg: the whole list). */
export function orderRoutes(deps: SpotApiDeps): Route[] {
  return [
    { method: 'POST', path: '/api/v3/order', security: 'SIGNED', weight: weight(1), handle: (call) => placeOrder(deps, call) },
    { method: 'DELETE', path: '/api/v3/order', security: 'SIGNED', weight: weight(1), handle: (call) => cancelOrder(deps, call) },
  ];
}

async function placeOrder(deps: SpotApiDeps, call: ApiCall): Promise<unknown> {
  const order = parseNewOrder(call.params, deps.symbols);
  const ledger = placementLedger(deps.exchange);
  ledger.received(call.accountId, order.clientOrderId);
  let request: PlaceOrderRequest;
  try {
    if (deps.symbols.status(order.market) !== 'TRADING') throw BinanceErrors.marketClosed();
    request = toPaperRequest(deps, order);
  } catch (error) {
    ledger.refused(call.accountId, order.clientOrderId);
    throw error;
  }
  const duplicate = deps.faults.take('duplicate', call.method, call.path);
  if (duplicate && duplicate.placeOrder !== true) {
    ledger.refused(call.accountId, order.clientOrderId);
    throw BinanceErrors.duplicateOrder();
  }

  const result = await deps.exchange.placeOrder(call.accountId, request);
  if (result.kind !== 'accepted') ledger.refused(call.accountId, order.clientOrderId);
  if (result.kind === 'rejected') throw fromPaperRejection(result.code);
  if (result.kind === 'unknown' || result.kind === 'not_placed') throw BinanceErrors.executionUnknown(); // the paper exchange answers neither
  ledger.accepted(call.accountId, order.clientOrderId);
  const placed = result.order;
  call.placement?.accepted(placed.clientOrderId);
  const orderId = Number(placed.exchangeOrderId);
  const times = deps.index.record(call.accountId, orderId, placed.clientOrderId, placed.symbol, call.now);
  deps.hub.orderAccepted(call.accountId, placed, times);
  const invisible = deps.faults.take('invisible', call.method, call.path);
  if (invisible) deps.hidden.hide(call.accountId, orderId, call.now + invisible.seconds * 1000, invisible.everywhere === true);

  if (duplicate) throw BinanceErrors.duplicateOrder();
  return placementView(placed, binanceSymbol(order.market), call.now, order.respType);
}

/** The paper request; a MARKET order sized in quote gets its base quantity at the feed's price. */
function toPaperRequest(deps: SpotApiDeps, order: NewOrder): PlaceOrderRequest {
  const { market } = order;
  let quantity = order.quantity;
  if (quantity === undefined) {
    const price = deps.feed.latest(market.symbol)?.price;
    if (price === undefined) throw BinanceErrors.noLiquidity();
    quantity = quantityForQuote(order.quoteOrderQty!, price, market.stepSize);
    if (!new Dec(quantity).greaterThan(0)) throw BinanceErrors.filterFailure('NOTIONAL');
  }
  return {
    clientOrderId: order.clientOrderId,
    symbol: market.symbol,
    side: order.side,
    type: order.type,
    quantity,
    ...(order.price !== undefined ? { limitPrice: order.price } : {}),
    ...trailingStop(deps, order),
  };
}

async function cancelOrder(deps: SpotApiDeps, call: ApiCall): Promise<unknown> {
  const found = await findOrder(deps, call, BinanceErrors.unknownOrderOnCancel, false);
  const cancelId = call.params.get('newClientOrderId') ?? randomClientOrderId();
  if (!isOpen(found.order)) throw BinanceErrors.unknownOrderOnCancel();
  const cancelled = await deps.exchange.cancelOrder(call.accountId, found.order.clientOrderId);
  if (!cancelled || cancelled.status !== 'cancelled') throw BinanceErrors.unknownOrderOnCancel();
  deps.index.touch(call.accountId, Number(cancelled.exchangeOrderId), call.now);
  if (cancelled.orderListId !== undefined) {
    // a leg of a list: the paper exchange cancelled the other leg too (issue 17)
    const list = await deps.exchange.fetchOrderList(call.accountId, { orderListId: cancelled.orderListId });
    for (const leg of list ? [list.limitLeg, list.stopLeg] : []) deps.index.touch(call.accountId, Number(leg.exchangeOrderId), call.now);
  }
  return cancelView(cancelled, binanceSymbol(found.market), cancelId, call.now);
}

function isOpen(order: ExchangeOrder): boolean {
  return order.status === 'open' || order.status === 'partially_filled';
}

/**
 * The stop of a conditional order; a trailing STOP_LOSS (trailingDelta, issue 17) without a
 * stopPrice starts that far from the current price, as Binance does.
 */
function trailingStop(deps: SpotApiDeps, order: NewOrder): { stopPrice?: string; trailingPercent?: string } {
  if (order.trailingDelta === undefined) return order.stopPrice !== undefined ? { stopPrice: order.stopPrice } : {};
  const trailingPercent = new Dec(order.trailingDelta).dividedBy(100);
  if (order.stopPrice !== undefined) return { stopPrice: order.stopPrice, trailingPercent: trailingPercent.toFixed() };
  const price = deps.feed.latest(order.market.symbol)?.price;
  if (price === undefined) throw BinanceErrors.noLiquidity();
  const tick = new Dec(order.market.tickSize);
  const factor = order.side === 'sell' ? new Dec(1).minus(trailingPercent.dividedBy(100)) : new Dec(1).plus(trailingPercent.dividedBy(100));
  const ticks = new Dec(price).times(factor).dividedBy(tick);
  const stop = (order.side === 'sell' ? ticks.floor() : ticks.ceil()).times(tick);
  return { stopPrice: stop.toFixed(), trailingPercent: trailingPercent.toFixed() };
}
