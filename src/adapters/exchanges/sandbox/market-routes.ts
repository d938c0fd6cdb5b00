import type { Market } from '../../../application/ports/exchange.js';
import { BinanceErrors } from './binance-errors.js';
import { exchangeInfo } from './exchange-info.js';
import type { RequestParams } from './request-params.js';
import { weight, type Route, type SpotApiDeps } from './routes.js';
import { binanceDecimal, binanceSymbol } from './symbols.js';

/** Public market data (ping, time, exchangeInfo, tickers) and the margin look-ups ccxt's loadMarkets makes. */
export function marketRoutes(deps: SpotApiDeps): Route[] {
  const { symbols, clock, feed } = deps;

  /** The markets named by `symbol` or `symbols` (a JSON array), all when neither is sent. */
  const selected = (params: RequestParams): readonly Market[] => {
    const one = params.get('symbol');
    const many = params.get('symbols');
    if (one !== undefined && many !== undefined) throw BinanceErrors.badParamCombination();
    if (one !== undefined) return [marketOrThrow(one)];
    if (many === undefined) return symbols.markets;
    let ids: unknown;
    try {
      ids = JSON.parse(many);
    } catch {
      throw BinanceErrors.illegalChars('symbols', '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$');
    }
    if (!Array.isArray(ids)) throw BinanceErrors.mandatory('symbols');
    return ids.map((id) => marketOrThrow(String(id)));
  };
  const marketOrThrow = (id: string): Market => {
    const market = symbols.market(id);
    if (!market) throw BinanceErrors.invalidSymbol();
    return market;
  };
  const priceOf = (market: Market): string => binanceDecimal(feed.latest(market.symbol)?.price ?? '0');
  /** A single-symbol request answers an object, otherwise an array. */
  const perSymbol = (params: RequestParams, view: (market: Market) => Record<string, unknown>): unknown => {
    const markets = selected(params);
    return params.has('symbol') ? view(markets[0]!) : markets.map(view);
  };
  const tickerWeight = (single: number, all: number) => (params: RequestParams) => (params.has('symbol') ? single : all);

  return [
    { method: 'GET', path: '/api/v3/ping', security: 'NONE', weight: weight(1), handle: () => ({}) },
    { method: 'GET', path: '/api/v3/time', security: 'NONE', weight: weight(1), handle: () => ({ serverTime: clock.now() }) },
    {
      method: 'GET',
      path: '/api/v3/exchangeInfo',
      security: 'NONE',
      weight: weight(20),
      handle: (call) => exchangeInfo(selected(call.params), clock.now(), (market) => symbols.status(market)),
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/price',
      security: 'NONE',
      weight: tickerWeight(2, 4),
      handle: (call) => perSymbol(call.params, (market) => ({ symbol: binanceSymbol(market), price: priceOf(market) })),
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/bookTicker',
      security: 'NONE',
      weight: tickerWeight(2, 4),
      handle: (call) =>
        perSymbol(call.params, (market) => {
          const price = priceOf(market);
          return { symbol: binanceSymbol(market), bidPrice: price, bidQty: binanceDecimal('0'), askPrice: price, askQty: binanceDecimal('0') };
        }),
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/24hr',
      security: 'NONE',
      weight: tickerWeight(2, 80),
      handle: (call) =>
        perSymbol(call.params, (market) => {
          const price = priceOf(market);
          const now = clock.now();
          const zero = binanceDecimal('0');
          return {
            symbol: binanceSymbol(market),
            priceChange: zero,
            priceChangePercent: '0.000',
            weightedAvgPrice: price,
            prevClosePrice: price,
            lastPrice: price,
            lastQty: zero,
            bidPrice: price,
            bidQty: zero,
            askPrice: price,
            askQty: zero,
            openPrice: price,
            highPrice: price,
            lowPrice: price,
            volume: zero,
            quoteVolume: zero,
            openTime: now - 86_400_000,
            closeTime: now,
            firstId: -1,
            lastId: -1,
            count: 0,
          };
        }),
    },
    // ccxt's loadMarkets asks for margin pairs when it holds API keys (options.fetchMargins): none here
    { method: 'GET', path: '/sapi/v1/margin/allPairs', security: 'SIGNED', weight: weight(1), handle: () => [] },
    { method: 'GET', path: '/sapi/v1/margin/isolated/allPairs', security: 'SIGNED', weight: weight(10), handle: () => [] },
    // what a key may do: clients refuse keys that can withdraw
    {
      method: 'GET', path: '/sapi/v1/account/apiRestrictions', security: 'SIGNED', weight: weight(1),
      handle: (call) => ({
        ipRestrict: false, createTime: 1700000000000, enableReading: true, enableSpotAndMarginTrading: true,
        enableWithdrawals: deps.withdrawalsEnabled(call.apiKey), enableInternalTransfer: false, permitsUniversalTransfer: false,
        enableMargin: false, enableFutures: false, enableVanillaOptions: false, enablePortfolioMarginTrading: false,
      }),
    },
  ];
}
