import type { CcxtClient, CcxtOrderLike, CcxtParams, CcxtTradeLike } from './ccxt-types.js';
import { exchangeFamily, type ExchangeFamily } from './exchange-family.js';

export type MarketType = 'spot' | 'swap';

/** Optional ccxt methods some exchanges have. */
interface OptionalMethods {
  fetchOrderTrades?(id: string, symbol?: string, since?: number, limit?: number, params?: CcxtParams): Promise<CcxtTradeLike[]>;
  fetchCanceledAndClosedOrders?(symbol?: string, since?: number, limit?: number, params?: CcxtParams): Promise<CcxtOrderLike[]>;
  fetchOrders?(symbol?: string, since?: number, limit?: number, params?: CcxtParams): Promise<CcxtOrderLike[]>;
  readonly has?: Record<string, unknown>;
}

/**
 * What differs between exchanges behind ccxt's unified API, checked against ccxt 4.5.84:
 *
 * - clientOrderId: ccxt maps the unified `clientOrderId` param to Binance `newClientOrderId`
 *   (create) / `origClientOrderId` (fetch, cancel), Bybit `orderLinkId`, OKX `clOrdId`.
 * - Look-up by clientOrderId: Binance and OKX `fetchOrder(undefined, symbol, { clientOrderId })`
 *   (absent: -2013 / 51603 → OrderNotFound). Bybit's unified `fetchOrder` needs
 *   `acknowledged`, only sees the last 500 orders, and crashes on `id.toString()` when nothing is
 *   found with `id` undefined: it is looked up in the open orders, then in the order history, by
 *   `orderLinkId`.
 * - Fills of an order: Binance `fetchMyTrades(symbol, …, { orderId })` (its `fetchOrderTrades` is
 *   spot-only), others `fetchOrderTrades(id, symbol)`.
 * - Options: only the account's market type is loaded (`fetchMarkets.types`); `defaultType`
 *   steers balances and open orders; Binance may list open orders without a symbol; OKX spot
 *   market orders are sized in base currency.
 */
export interface ExchangeProfile {
  readonly family: ExchangeFamily;
  options(marketType: MarketType): Record<string, unknown>;
  createParams(clientOrderId: string, marketType: MarketType, reduceOnly: boolean): CcxtParams;
  /** the order, or `null` when the exchange answers that it has none; other failures throw */
  fetchByClientOrderId(client: CcxtClient, clientOrderId: string, symbol: string): Promise<CcxtOrderLike | null>;
  cancelByClientOrderId(client: CcxtClient, clientOrderId: string, symbol: string): Promise<CcxtOrderLike>;
  fetchOrderTrades(client: CcxtClient, exchangeOrderId: string, symbol: string): Promise<CcxtTradeLike[]>;
  /** the account's orders on `symbol` created since `since` (exchange ms), oldest first as far as the exchange sorts them */
  ordersSince(client: CcxtClient, symbol: string, since: number, limit: number): Promise<CcxtOrderLike[]>;
  /** the most order-history or trade entries one request returns (a full page means there may be more) */
  readonly pageSize: number;
}

async function unifiedFetch(client: CcxtClient, clientOrderId: string, symbol: string): Promise<CcxtOrderLike | null> {
  try {
    return await client.fetchOrder(undefined, symbol, { clientOrderId });
  } catch (error) {
    // ccxt is imported here, not at the top: venue.ts (loaded by every server) imports this module,
    // and a client that threw has loaded ccxt already, so this import is the cached module
    const { OrderNotFound } = await import('ccxt');
    if (error instanceof OrderNotFound) return null;
    throw error;
  }
}

function withReduceOnly(params: CcxtParams, marketType: MarketType, reduceOnly: boolean): CcxtParams {
  // reduce-only exists for derivatives; on spot a "reduce" is just a sell of what is held
  return marketType === 'swap' && reduceOnly ? { ...params, reduceOnly: true } : params;
}

const binance: ExchangeProfile = {
  family: 'binance',
  options: (marketType) => ({
    defaultType: marketType === 'swap' ? 'swap' : 'spot',
    fetchMarkets: { types: marketType === 'swap' ? ['linear'] : ['spot'] },
    warnOnFetchOpenOrdersWithoutSymbol: false,
  }),
  createParams: (clientOrderId, marketType, reduceOnly) => withReduceOnly({ clientOrderId }, marketType, reduceOnly),
  fetchByClientOrderId: unifiedFetch,
  cancelByClientOrderId: (client, clientOrderId, symbol) => client.cancelOrder(undefined, symbol, { clientOrderId }),
  fetchOrderTrades: (client, exchangeOrderId, symbol) => client.fetchMyTrades(symbol, undefined, undefined, { orderId: exchangeOrderId }),
  ordersSince: allOrdersSince,
  pageSize: 1000,
};

const bybit: ExchangeProfile = {
  family: 'bybit',
  options: (marketType) => ({
    defaultType: marketType === 'swap' ? 'swap' : 'spot',
    defaultSubType: 'linear',
    fetchMarkets: { types: marketType === 'swap' ? ['linear'] : ['spot'] },
  }),
  createParams: (clientOrderId, marketType, reduceOnly) => withReduceOnly({ clientOrderId }, marketType, reduceOnly),
  async fetchByClientOrderId(client, clientOrderId, symbol) {
    const open = await client.fetchOpenOrders(symbol, undefined, undefined, { orderLinkId: clientOrderId });
    const live = open.find((o) => o.clientOrderId === clientOrderId);
    if (live) return live;
    const history = client as CcxtClient & OptionalMethods;
    const done = history.fetchCanceledAndClosedOrders
      ? await history.fetchCanceledAndClosedOrders(symbol, undefined, undefined, { orderLinkId: clientOrderId })
      : await client.fetchClosedOrders(symbol, undefined, undefined, { orderLinkId: clientOrderId });
    return done.find((o) => o.clientOrderId === clientOrderId) ?? null;
  },
  cancelByClientOrderId: (client, clientOrderId, symbol) => client.cancelOrder(undefined, symbol, { orderLinkId: clientOrderId }),
  fetchOrderTrades: (client, exchangeOrderId, symbol) => orderTrades(client, exchangeOrderId, symbol),
  ordersSince: openAndClosedSince,
  pageSize: 50,
};

const okx: ExchangeProfile = {
  family: 'okx',
  options: (marketType) => ({
    defaultType: marketType === 'swap' ? 'swap' : 'spot',
    fetchMarkets: { types: marketType === 'swap' ? ['swap'] : ['spot'] },
    tgtCcy: 'base_ccy',
  }),
  createParams: (clientOrderId, marketType, reduceOnly) => withReduceOnly({ clientOrderId }, marketType, reduceOnly),
  fetchByClientOrderId: unifiedFetch,
  cancelByClientOrderId: (client, clientOrderId, symbol) => client.cancelOrder(undefined, symbol, { clientOrderId }),
  fetchOrderTrades: (client, exchangeOrderId, symbol) => orderTrades(client, exchangeOrderId, symbol),
  ordersSince: openAndClosedSince,
  pageSize: 100,
};

/** Any other ccxt exchange: the unified conventions, best effort (not exercised against the real venue). */
const generic: ExchangeProfile = {
  family: 'other',
  options: (marketType) => ({ defaultType: marketType === 'swap' ? 'swap' : 'spot' }),
  createParams: (clientOrderId, marketType, reduceOnly) => withReduceOnly({ clientOrderId }, marketType, reduceOnly),
  fetchByClientOrderId: unifiedFetch,
  cancelByClientOrderId: (client, clientOrderId, symbol) => client.cancelOrder(undefined, symbol, { clientOrderId }),
  fetchOrderTrades: (client, exchangeOrderId, symbol) => orderTrades(client, exchangeOrderId, symbol),
  ordersSince: openAndClosedSince,
  pageSize: 100,
};

/** Binance: allOrders (`fetchOrders`) from `startTime`. */
function allOrdersSince(client: CcxtClient, symbol: string, since: number, limit: number): Promise<CcxtOrderLike[]> {
  const all = client as CcxtClient & OptionalMethods;
  return all.fetchOrders ? all.fetchOrders(symbol, since, limit) : openAndClosedSince(client, symbol, since, limit);
}

/** Where no unified order history exists: the open orders and the closed (and cancelled) ones since `since`. */
async function openAndClosedSince(client: CcxtClient, symbol: string, since: number, limit: number): Promise<CcxtOrderLike[]> {
  const history = client as CcxtClient & OptionalMethods;
  if (history.fetchOrders && history.has?.['fetchOrders'] === true) return history.fetchOrders(symbol, since, limit);
  const open = await client.fetchOpenOrders(symbol, undefined, undefined, {});
  const done = history.fetchCanceledAndClosedOrders
    ? await history.fetchCanceledAndClosedOrders(symbol, since, limit)
    : await client.fetchClosedOrders(symbol, since, limit);
  return [...open, ...done];
}

function orderTrades(client: CcxtClient, exchangeOrderId: string, symbol: string): Promise<CcxtTradeLike[]> {
  const withTrades = client as CcxtClient & OptionalMethods;
  if (withTrades.fetchOrderTrades) return withTrades.fetchOrderTrades(exchangeOrderId, symbol);
  return client.fetchMyTrades(symbol, undefined, undefined, { orderId: exchangeOrderId });
}

export function profileFor(exchangeId: string): ExchangeProfile {
  const family = exchangeFamily(exchangeId);
  switch (family) {
    case 'binance':
      return binance;
    case 'bybit':
      return bybit;
    case 'okx':
      return okx;
    case 'other':
      return generic;
  }
}
