import type { Market } from '../../../application/ports/exchange.js';
import { BinanceErrors } from './binance-errors.js';
import { candleOpen, isKlineInterval, klineOpens, nextOpen } from './kline-intervals.js';
import { klineRow, pad8, restAggTrade, restBookTicker, restTrade, tickerOf } from './market-views.js';
import { idParam } from './order-lookup.js';
import type { RequestParams } from './request-params.js';
import { weight, type Route, type SpotApiDeps } from './routes.js';
import { binanceSymbol } from './symbols.js';

type Select = (params: RequestParams) => readonly Market[];
type TickerWeight = (single: number, all: number) => (params: RequestParams) => number;

const MINI_FIELDS = ['symbol', 'openPrice', 'highPrice', 'lowPrice', 'lastPrice', 'volume', 'quoteVolume', 'openTime', 'closeTime', 'firstId', 'lastId', 'count'];

/**
 * Tickers (price, bookTicker, 24hr FULL/MINI, avgPrice), klines / uiKlines, depth, trades and
 * aggTrades, from the sandbox's market tape: the feed's prices, one trade per tick, a book one
 * tick either side, 1-minute candles with a synthetic past.
 */
export function tickerRoutes(deps: SpotApiDeps, selected: Select, tickerWeight: TickerWeight): Route[] {
  const { tape, clock, feed } = deps;
  const one = (params: RequestParams): Market => {
    const markets = selected(params);
    if (!params.has('symbol')) throw BinanceErrors.mandatory('symbol');
    return markets[0]!;
  };
  /** A single-symbol request answers an object, otherwise an array. */
  const perSymbol = (params: RequestParams, view: (market: Market) => Record<string, unknown>): unknown => {
    const markets = selected(params);
    return params.has('symbol') ? view(markets[0]!) : markets.map(view);
  };
  const lastPrice = (market: Market): string => pad8(tape.lastPrice(market.symbol) ?? feed.latest(market.symbol)?.price ?? '0');
  const ticker = (market: Market, mini: boolean): Record<string, unknown> => {
    const full = tickerOf(tape, market, clock.now()) ?? unquoted(binanceSymbol(market), clock.now());
    return mini ? Object.fromEntries(MINI_FIELDS.map((key) => [key, full[key]])) : full;
  };
  const klines = (params: RequestParams): unknown[] => {
    const market = one(params);
    const interval = params.get('interval');
    if (interval === undefined) throw BinanceErrors.mandatory('interval');
    if (!isKlineInterval(interval)) throw BinanceErrors.invalidInterval();
    const limit = boundedLimit(params, 500, 1000);
    const startTime = idParam(params, 'startTime');
    const endTime = idParam(params, 'endTime');
    if (startTime !== undefined && endTime !== undefined && startTime > endTime) throw BinanceErrors.startAfterEnd();
    const now = clock.now();
    const rows: unknown[] = [];
    for (const open of klineOpens(interval, { ...(startTime !== undefined ? { startTime } : {}), ...(endTime !== undefined ? { endTime } : {}), limit }, now)) {
      const close = nextOpen(interval, open);
      const candle = tape.candle(market.symbol, open, close, now);
      if (candle) rows.push(klineRow(market, open, close - 1, candle));
    }
    return rows;
  };
  const trades = (params: RequestParams, view: typeof restTrade) => {
    const market = one(params);
    const limit = boundedLimit(params, 500, 1000);
    const startTime = idParam(params, 'startTime');
    const endTime = idParam(params, 'endTime');
    return tape
      .recentTrades(market.symbol, 1000)
      .filter((trade) => (startTime === undefined || trade.time >= startTime) && (endTime === undefined || trade.time <= endTime))
      .slice(-limit)
      .map(view);
  };

  return [
    {
      method: 'GET',
      path: '/api/v3/ticker/price',
      security: 'NONE',
      weight: tickerWeight(2, 4),
      handle: (call) => perSymbol(call.params, (market) => ({ symbol: binanceSymbol(market), price: lastPrice(market) })),
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/bookTicker',
      security: 'NONE',
      weight: tickerWeight(2, 4),
      handle: (call) =>
        perSymbol(call.params, (market) => {
          const book = tape.book(market.symbol);
          const id = binanceSymbol(market);
          return book ? restBookTicker(id, book) : { symbol: id, bidPrice: pad8('0'), bidQty: pad8('0'), askPrice: pad8('0'), askQty: pad8('0') };
        }),
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/24hr',
      security: 'NONE',
      weight: tickerWeight(2, 80),
      handle: (call) => {
        const type = call.params.get('type') ?? 'FULL';
        if (type !== 'FULL' && type !== 'MINI') throw BinanceErrors.illegalChars('type', '^(FULL|MINI)$');
        return perSymbol(call.params, (market) => ticker(market, type === 'MINI'));
      },
    },
    {
      method: 'GET',
      path: '/api/v3/avgPrice',
      security: 'NONE',
      weight: weight(2),
      handle: (call) => {
        const market = one(call.params);
        const now = clock.now();
        const from = candleOpen('1m', now) - 4 * 60_000;
        const candle = tape.candle(market.symbol, from, now + 1, now);
        const price = candle && candle.volume > 0 ? (candle.quoteVolume / candle.volume).toFixed(8) : lastPrice(market);
        return { mins: 5, price, closeTime: now };
      },
    },
    { method: 'GET', path: '/api/v3/klines', security: 'NONE', weight: weight(2), handle: (call) => klines(call.params) },
    { method: 'GET', path: '/api/v3/uiKlines', security: 'NONE', weight: weight(2), handle: (call) => klines(call.params) },
    {
      method: 'GET',
      path: '/api/v3/depth',
      security: 'NONE',
      weight: (params) => depthWeight(Number(params.get('limit') ?? 100)),
      handle: (call) => {
        const market = one(call.params);
        const limit = boundedLimit(call.params, 100, 5000);
        return tape.depth(market.symbol, limit) ?? { lastUpdateId: 0, bids: [], asks: [] };
      },
    },
    { method: 'GET', path: '/api/v3/trades', security: 'NONE', weight: weight(25), handle: (call) => trades(call.params, restTrade) },
    { method: 'GET', path: '/api/v3/historicalTrades', security: 'NONE', weight: weight(25), handle: (call) => trades(call.params, restTrade) },
    { method: 'GET', path: '/api/v3/aggTrades', security: 'NONE', weight: weight(4), handle: (call) => trades(call.params, restAggTrade) },
  ];
}

function boundedLimit(params: RequestParams, fallback: number, max: number): number {
  const limit = idParam(params, 'limit');
  if (limit === undefined) return fallback;
  if (limit < 1 || limit > max) throw BinanceErrors.invalidLimit();
  return limit;
}

function depthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  return limit <= 1000 ? 50 : 250;
}

/** A listed symbol the feed has no price for. */
function unquoted(id: string, now: number): Record<string, unknown> {
  const zero = pad8('0');
  return {
    symbol: id, priceChange: zero, priceChangePercent: '0.000', weightedAvgPrice: zero, prevClosePrice: zero, lastPrice: zero, lastQty: zero,
    bidPrice: zero, bidQty: zero, askPrice: zero, askQty: zero, openPrice: zero, highPrice: zero, lowPrice: zero, volume: zero, quoteVolume: zero,
    openTime: now - 86_400_000, closeTime: now, firstId: -1, lastId: -1, count: 0,
  };
}
