import type { ExchangeFill, ExchangeOrder, Market } from '../../../application/ports/exchange.js';
import { Dec } from '../../../domain/shared/decimal.js';
import { BinanceErrors } from './binance-errors.js';
import { findOrder, idParam, optionalMarket, requiredMarket } from './order-lookup.js';
import type { RequestParams } from './request-params.js';
import { weight, type ApiCall, type Route, type SpotApiDeps } from './routes.js';
import { binanceDecimal, binanceSymbol } from './symbols.js';
import { balanceView, fillTime, myTradeView, orderListIdOf, orderView, timesOf } from './wire-format.js';

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 1000;

/** Signed reads: account, GET order, openOrders, allOrders, myTrades. */
export function queryRoutes(deps: SpotApiDeps): Route[] {
  return [
    { method: 'GET', path: '/api/v3/account', security: 'SIGNED', weight: weight(20), handle: (call) => account(deps, call) },
    {
      method: 'GET',
      path: '/api/v3/order',
      security: 'SIGNED',
      weight: weight(4),
      handle: async (call) => {
        const { market, order, times } = await findOrder(deps, call, BinanceErrors.orderDoesNotExist, true);
        return orderView(order, binanceSymbol(market), times);
      },
    },
    {
      method: 'GET',
      path: '/api/v3/openOrders',
      security: 'SIGNED',
      weight: (params) => (params.has('symbol') ? 6 : 80),
      handle: (call) => openOrders(deps, call),
    },
    { method: 'GET', path: '/api/v3/allOrders', security: 'SIGNED', weight: weight(20), handle: (call) => allOrders(deps, call) },
    { method: 'GET', path: '/api/v3/myTrades', security: 'SIGNED', weight: weight(20), handle: (call) => myTrades(deps, call) },
  ];
}

async function account(deps: SpotApiDeps, call: ApiCall): Promise<unknown> {
  const omitZero = call.params.get('omitZeroBalances') === 'true';
  const balances = (await deps.exchange.fetchBalances(call.accountId))
    .filter((balance) => !omitZero || !new Dec(balance.total).isZero())
    .map(balanceView);
  const rate = (bps: number) => binanceDecimal(new Dec(bps).dividedBy(10_000));
  const { makerBps, takerBps } = deps.commission;
  return {
    makerCommission: makerBps,
    takerCommission: takerBps,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: rate(makerBps), taker: rate(takerBps), buyer: rate(0), seller: rate(0) },
    canTrade: true,
    canWithdraw: false,
    canDeposit: false,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: call.now,
    accountType: 'SPOT',
    balances,
    permissions: ['SPOT'],
    uid: 0,
  };
}

async function openOrders(deps: SpotApiDeps, call: ApiCall): Promise<unknown> {
  const market = optionalMarket(deps, call.params);
  const orders = await deps.exchange.fetchOpenOrders(call.accountId);
  return orders
    .filter((order) => (market === undefined || order.symbol === market.symbol) && visible(deps, call, order))
    .map((order) => view(deps, call, order));
}

async function allOrders(deps: SpotApiDeps, call: ApiCall): Promise<unknown> {
  const market = requiredMarket(deps, call.params);
  const fromOrderId = idParam(call.params, 'orderId');
  const { startTime, endTime, limit } = window(call.params);
  const orders = await ordersOf(deps, call, market);
  const selected = orders.filter(({ order, createdAt }) => {
    if (fromOrderId !== undefined && Number(order.exchangeOrderId) < fromOrderId) return false;
    return (startTime === undefined || createdAt >= startTime) && (endTime === undefined || createdAt <= endTime);
  });
  const page = fromOrderId !== undefined || startTime !== undefined ? selected.slice(0, limit) : selected.slice(-limit);
  return page.map(({ order }) => view(deps, call, order));
}

async function myTrades(deps: SpotApiDeps, call: ApiCall): Promise<unknown> {
  const market = requiredMarket(deps, call.params);
  const orderId = idParam(call.params, 'orderId');
  const fromId = idParam(call.params, 'fromId');
  const { startTime, endTime, limit } = window(call.params);
  if (fromId !== undefined && (startTime !== undefined || endTime !== undefined)) throw BinanceErrors.badParamCombination();
  const fills: ExchangeFill[] = [];
  const listOf = new Map<string, number>(); // orderId -> its list's id (Binance shows it on each trade)
  // an invisible order's trades show unless it is hidden everywhere
  const tradesVisible = (order: ExchangeOrder) => !deps.hidden.tradesHidden(call.accountId, Number(order.exchangeOrderId), call.now);
  for (const { order } of await ordersOf(deps, call, market, tradesVisible)) {
    if (orderId !== undefined && Number(order.exchangeOrderId) !== orderId) continue;
    fills.push(...order.fills);
    listOf.set(order.exchangeOrderId, orderListIdOf(order));
  }
  fills.sort((a, b) => Number(a.tradeId) - Number(b.tradeId));
  const selected = fills.filter((fill) => {
    if (fromId !== undefined && Number(fill.tradeId) < fromId) return false;
    const time = fillTime(fill);
    return (startTime === undefined || time >= startTime) && (endTime === undefined || time <= endTime);
  });
  const page = fromId !== undefined || startTime !== undefined ? selected.slice(0, limit) : selected.slice(-limit);
  return page.map((fill) => myTradeView(fill, binanceSymbol(market), listOf.get(fill.exchangeOrderId)));
}

/** The account's visible orders on one market, oldest first, with their creation times. */
async function ordersOf(
  deps: SpotApiDeps,
  call: ApiCall,
  market: Market,
  shown: (order: ExchangeOrder) => boolean = (order) => visible(deps, call, order),
): Promise<{ order: ExchangeOrder; createdAt: number }[]> {
  const indexed = deps.index.list(call.accountId, market.symbol);
  const orders = await Promise.all(indexed.map((entry) => deps.exchange.fetchOrder(call.accountId, entry.clientOrderId)));
  const result: { order: ExchangeOrder; createdAt: number }[] = [];
  orders.forEach((order, i) => {
    if (order && shown(order)) result.push({ order, createdAt: indexed[i]!.createdAt });
  });
  return result;
}

function visible(deps: SpotApiDeps, call: ApiCall, order: ExchangeOrder): boolean {
  return !deps.hidden.isHidden(call.accountId, Number(order.exchangeOrderId), call.now);
}

function view(deps: SpotApiDeps, call: ApiCall, order: ExchangeOrder): Record<string, unknown> {
  const indexed = deps.index.byOrderId(call.accountId, Number(order.exchangeOrderId));
  return orderView(order, deps.symbols.idOf(order.symbol), timesOf(order, indexed, call.now));
}

function window(params: RequestParams): { startTime?: number; endTime?: number; limit: number } {
  const startTime = idParam(params, 'startTime');
  const endTime = idParam(params, 'endTime');
  const limitParam = idParam(params, 'limit');
  const limit = Math.min(Math.max(limitParam ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
  return { ...(startTime !== undefined ? { startTime } : {}), ...(endTime !== undefined ? { endTime } : {}), limit };
}
