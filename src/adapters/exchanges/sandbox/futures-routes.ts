import type { Market } from '../../../application/ports/exchange.js';
import { Dec } from '../../../domain/shared/decimal.js';
import { BinanceErrors } from './binance-errors.js';
import { FUTURES_ASSET, type FuturesBook, type FuturesOrder, type NewFuturesOrder } from './futures-book.js';
import { futuresAccountView, futuresExchangeInfo, futuresOrderView, futuresTradeView, positionRiskView } from './futures-views.js';
import { idParam } from './order-lookup.js';
import { CLIENT_ORDER_ID_RANGE, decimalParam, randomClientOrderId } from './order-params.js';
import type { RequestParams } from './request-params.js';
import { weight, type ApiCall, type Route } from './routes.js';
import { binanceSymbol, type SymbolTable } from './symbols.js';

export interface FuturesApiDeps {
  readonly book: FuturesBook;
  readonly symbols: SymbolTable;
}

const CLIENT_ORDER_ID = /^[a-zA-Z0-9_-]{1,36}$/;

/**
 * The USDⓈ-M futures subset under /fapi that ccxt's binance (defaultType 'swap', linear markets)
 * calls: exchangeInfo, account, order (new / query / cancel), openOrders, allOrders, userTrades,
 * positionRisk, leverageBracket, leverage, marginType. One-way mode only (positionSide BOTH).
 */
export function futuresRoutes(deps: FuturesApiDeps): Route[] {
  const { book, symbols } = deps;
  const market = (params: RequestParams): Market => {
    const id = params.get('symbol');
    if (id === undefined) throw BinanceErrors.mandatory('symbol');
    const found = symbols.market(id);
    if (!found || found.quote !== FUTURES_ASSET) throw BinanceErrors.invalidSymbol();
    return found;
  };
  const optional = (params: RequestParams) => (params.has('symbol') ? market(params) : undefined);
  const view = (order: FuturesOrder) => futuresOrderView(order, symbols.idOf(order.symbol));
  const found = (call: ApiCall, missing: () => Error): { order: FuturesOrder; market: Market } => {
    const m = market(call.params);
    const orderId = idParam(call.params, 'orderId');
    const clientOrderId = call.params.get('origClientOrderId');
    if (orderId === undefined && clientOrderId === undefined) throw BinanceErrors.eitherParam('orderId', 'origClientOrderId');
    const order = book.find(call.accountId, m.symbol, { ...(orderId !== undefined ? { orderId } : {}), ...(clientOrderId !== undefined ? { clientOrderId } : {}) });
    if (!order) throw missing();
    return { order, market: m };
  };
  const signed = (method: Route['method'], path: string, w: number, handle: Route['handle']): Route => ({ method, path, security: 'SIGNED', weight: weight(w), handle });

  return [
    { method: 'GET', path: '/fapi/v1/exchangeInfo', security: 'NONE', weight: weight(1), handle: (call) => futuresExchangeInfo(symbols.markets, call.now, (m) => symbols.status(m) === 'TRADING') },
    { method: 'GET', path: '/fapi/v1/time', security: 'NONE', weight: weight(1), handle: (call) => ({ serverTime: call.now }) },
    { method: 'GET', path: '/fapi/v1/ping', security: 'NONE', weight: weight(1), handle: () => ({}) },
    signed('GET', '/fapi/v2/account', 5, (call) => futuresAccountView(book, call.accountId, (s) => symbols.find(s), call.now)),
    signed('GET', '/fapi/v3/account', 5, (call) => futuresAccountView(book, call.accountId, (s) => symbols.find(s), call.now)),
    signed('GET', '/fapi/v2/balance', 5, (call) => [{ accountAlias: 'sandbox', asset: FUTURES_ASSET, balance: book.wallet(call.accountId).toFixed(), crossWalletBalance: book.wallet(call.accountId).toFixed(), crossUnPnl: '0', availableBalance: book.available(call.accountId).toFixed(), maxWithdrawAmount: book.available(call.accountId).toFixed(), marginAvailable: true, updateTime: call.now }]),
    signed('GET', '/fapi/v1/leverageBracket', 1, (call) => {
      const only = optional(call.params);
      const listed = only ? [only] : symbols.markets.filter((m) => m.quote === FUTURES_ASSET);
      const brackets = listed.map((m) => ({ symbol: binanceSymbol(m), notionalCoef: 1, brackets: [{ bracket: 1, initialLeverage: book.maxLeverageOf(m.symbol), notionalCap: 1_000_000_000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 }] }));
      return only ? brackets[0] : brackets;
    }),
    signed('POST', '/fapi/v1/leverage', 1, (call) => {
      const m = market(call.params);
      const text = call.params.get('leverage');
      if (text === undefined) throw BinanceErrors.mandatory('leverage');
      const settings = book.setLeverage(call.accountId, m, text);
      return { leverage: settings.leverage, maxNotionalValue: '1000000000', symbol: binanceSymbol(m) };
    }),
    signed('POST', '/fapi/v1/marginType', 1, (call) => {
      const m = market(call.params);
      const text = call.params.get('marginType');
      if (text === undefined) throw BinanceErrors.mandatory('marginType');
      book.setMarginType(call.accountId, m, text.toUpperCase());
      return { code: 200, msg: 'success' };
    }),
    signed('POST', '/fapi/v1/order', 1, (call) => {
      const m = market(call.params);
      const request = parseFuturesOrder(call.params, m);
      if (symbols.status(m) !== 'TRADING') throw BinanceErrors.marketClosed();
      const order = book.place(call.accountId, request, call.now);
      call.placement?.accepted(order.clientOrderId);
      return view(order);
    }),
    signed('GET', '/fapi/v1/order', 1, (call) => view(found(call, BinanceErrors.orderDoesNotExist).order)),
    signed('DELETE', '/fapi/v1/order', 1, (call) => view(book.cancel(call.accountId, found(call, BinanceErrors.unknownOrderOnCancel).order, call.now))),
    signed('GET', '/fapi/v1/openOrders', 1, (call) => book.openOrders(call.accountId, optional(call.params)?.symbol).map(view)),
    signed('GET', '/fapi/v1/allOrders', 5, (call) => {
      const m = market(call.params);
      const since = idParam(call.params, 'startTime');
      const limit = Math.min(Math.max(idParam(call.params, 'limit') ?? 500, 1), 1000);
      return book.orders(call.accountId, m.symbol).filter((o) => since === undefined || o.time >= since).slice(0, limit).map(view);
    }),
    signed('GET', '/fapi/v1/userTrades', 5, (call) => {
      const m = market(call.params);
      const orderId = idParam(call.params, 'orderId');
      const since = idParam(call.params, 'startTime');
      return book
        .trades(call.accountId, m.symbol)
        .filter((t) => (orderId === undefined || t.orderId === orderId) && (since === undefined || t.time >= since))
        .map((t) => futuresTradeView(t, binanceSymbol(m)));
    }),
    ...([2, 3] as const).map((version) =>
      signed('GET', `/fapi/v${version}/positionRisk`, 5, (call) => {
        const only = optional(call.params);
        return book
          .positions(call.accountId, only?.symbol)
          .filter((p) => version === 2 || !p.amount.isZero() || book.openOrders(call.accountId, p.symbol).length > 0)
          .flatMap((p) => {
            const m = symbols.find(p.symbol);
            return m ? [positionRiskView(book, p, m, version, call.now)] : [];
          });
      }),
    ),
  ];
}

/** POST /fapi/v1/order parameters: MARKET or LIMIT GTC, one-way mode, reduceOnly. Throws a BinanceError. */
export function parseFuturesOrder(params: RequestParams, market: Market): NewFuturesOrder {
  const side = params.get('side');
  if (side === undefined) throw BinanceErrors.mandatory('side');
  if (side !== 'BUY' && side !== 'SELL') throw BinanceErrors.invalidSide();
  const type = params.get('type');
  if (type === undefined) throw BinanceErrors.mandatory('type');
  if (type !== 'MARKET' && type !== 'LIMIT') throw BinanceErrors.invalidOrderType();
  const positionSide = params.get('positionSide') ?? 'BOTH';
  if (positionSide !== 'BOTH') throw BinanceErrors.invalidPositionSide();
  const clientOrderId = params.get('newClientOrderId') ?? randomClientOrderId();
  if (!CLIENT_ORDER_ID.test(clientOrderId)) throw BinanceErrors.illegalChars('newClientOrderId', CLIENT_ORDER_ID_RANGE);
  const reduceOnlyText = params.get('reduceOnly') ?? 'false';
  if (reduceOnlyText !== 'true' && reduceOnlyText !== 'false') throw BinanceErrors.illegalChars('reduceOnly', 'true, false');
  const quantity = decimalParam(params, 'quantity', BinanceErrors.invalidQuantity);
  if (quantity === undefined) throw BinanceErrors.mandatory('quantity');
  const qty = new Dec(quantity);
  if (!qty.modulo(market.stepSize).isZero() || qty.lessThan(market.minQty) || qty.greaterThan(market.maxQty)) throw BinanceErrors.filterFailure('LOT_SIZE');
  const base = { market, clientOrderId, side, quantity: qty, reduceOnly: reduceOnlyText === 'true' } as const;
  if (type === 'MARKET') {
    if (params.has('price')) throw BinanceErrors.notRequired('price');
    return { ...base, type };
  }
  const timeInForce = params.get('timeInForce');
  if (timeInForce === undefined) throw BinanceErrors.mandatory('timeInForce');
  if (timeInForce !== 'GTC') throw BinanceErrors.invalidTimeInForce();
  const price = decimalParam(params, 'price', BinanceErrors.invalidPrice);
  if (price === undefined) throw BinanceErrors.mandatory('price');
  if (!new Dec(price).modulo(market.tickSize).isZero()) throw BinanceErrors.filterFailure('PRICE_FILTER');
  return { ...base, type, price: new Dec(price) };
}
