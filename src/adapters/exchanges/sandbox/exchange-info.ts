import type { Market } from '../../../application/ports/exchange.js';
import { binanceDecimal, binanceSymbol, type SymbolStatus } from './symbols.js';

/** Limits announced in exchangeInfo (the sandbox does not enforce them, faults do). */
export const RATE_LIMITS = Object.freeze([
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
  { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200_000 },
  { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61_000 },
]);

const MAX_PRICE = '1000000.00000000';
const MAX_NOTIONAL = '9000000.00000000';

/**
 * One symbol of GET /api/v3/exchangeInfo, in Binance's shape, from a paper market. Only LIMIT and
 * MARKET are listed as order types: ccxt refuses the others before sending them.
 */
export function symbolInfo(market: Market, status: SymbolStatus = 'TRADING'): Record<string, unknown> {
  return {
    symbol: binanceSymbol(market),
    status,
    baseAsset: market.base,
    baseAssetPrecision: 8,
    quoteAsset: market.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: orderTypesOf(market),
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: market.nativeTriggers === undefined || market.nativeTriggers.includes('trailing_percent'),
    cancelReplaceAllowed: false,
    amendAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: binanceDecimal(market.tickSize), maxPrice: MAX_PRICE, tickSize: binanceDecimal(market.tickSize) },
      { filterType: 'LOT_SIZE', minQty: binanceDecimal(market.minQty), maxQty: binanceDecimal(market.maxQty), stepSize: binanceDecimal(market.stepSize) },
      { filterType: 'MARKET_LOT_SIZE', minQty: binanceDecimal(market.minQty), maxQty: binanceDecimal(market.maxQty), stepSize: binanceDecimal(market.stepSize) },
      {
        filterType: 'NOTIONAL',
        minNotional: binanceDecimal(market.minNotional),
        applyMinToMarket: true,
        maxNotional: MAX_NOTIONAL,
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

/** GET /api/v3/exchangeInfo; `symbols` narrows the list (unknown ids are the caller's -1121). */
export function exchangeInfo(markets: readonly Market[], serverTime: number, statusOf: (market: Market) => SymbolStatus = () => 'TRADING'): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits: RATE_LIMITS,
    exchangeFilters: [],
    symbols: markets.map((market) => symbolInfo(market, statusOf(market))),
  };
}

const CONDITIONAL_NAMES = { stop_market: 'STOP_LOSS', stop_limit: 'STOP_LOSS_LIMIT', take_profit: 'TAKE_PROFIT', take_profit_limit: 'TAKE_PROFIT_LIMIT' } as const;

/** The symbol's order types: every conditional type, or those its market lists natively (a symbol without STOP_LOSS, as some Binance symbols are). */
function orderTypesOf(market: Market): string[] {
  const kinds = market.nativeTriggers ?? Object.keys(CONDITIONAL_NAMES);
  return ['LIMIT', 'MARKET', ...Object.entries(CONDITIONAL_NAMES).filter(([kind]) => kinds.includes(kind as keyof typeof CONDITIONAL_NAMES)).map(([, name]) => name)];
}
