import type { Market } from '../../../application/ports/exchange.js';
import { BinanceErrors } from './binance-errors.js';
import { exchangeInfo } from './exchange-info.js';
import type { RequestParams } from './request-params.js';
import { weight, type Route, type SpotApiDeps } from './routes.js';
import { tickerRoutes } from './ticker-routes.js';

/** Public market data (ping, time, exchangeInfo; tickers, klines, depth and trades in ticker-routes.ts) and the margin look-ups ccxt's loadMarkets makes. */
export function marketRoutes(deps: SpotApiDeps): Route[] {
  const { symbols, clock } = deps;

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
    ...tickerRoutes(deps, selected, tickerWeight),
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
