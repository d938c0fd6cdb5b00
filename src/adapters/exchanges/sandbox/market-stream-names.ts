import { isKlineInterval } from './kline-intervals.js';

/**
 * Binance spot market stream names the sandbox serves (pure):
 *   <symbol>@trade, @aggTrade, @bookTicker, @ticker (24hrTicker), @miniTicker (24hrMiniTicker),
 *   @kline_<interval>, @depth5 / @depth10 / @depth20 (partial book, optional @100ms / @1000ms),
 *   !ticker@arr and !miniTicker@arr (every symbol).
 * Symbols are Binance ids in lower case ("btcusdt"), as ccxt sends them.
 */
export type StreamSpec =
  | { readonly kind: 'trade' | 'aggTrade' | 'bookTicker' | 'ticker' | 'miniTicker'; readonly symbolId: string }
  | { readonly kind: 'kline'; readonly symbolId: string; readonly interval: string }
  | { readonly kind: 'depth'; readonly symbolId: string; readonly levels: number }
  | { readonly kind: 'allTickers' | 'allMiniTickers' };

const SIMPLE = /^([a-z0-9]{2,30})@(trade|aggTrade|bookTicker|ticker|miniTicker)$/;
const KLINE = /^([a-z0-9]{2,30})@kline_([0-9]{1,2}[smhdwM])$/;
const DEPTH = /^([a-z0-9]{2,30})@depth(5|10|20)(@100ms|@1000ms)?$/;

export function parseStreamName(name: string): StreamSpec | undefined {
  if (name === '!ticker@arr') return { kind: 'allTickers' };
  if (name === '!miniTicker@arr') return { kind: 'allMiniTickers' };
  const simple = SIMPLE.exec(name);
  if (simple) return { kind: simple[2] as 'trade', symbolId: simple[1]!.toUpperCase() };
  const kline = KLINE.exec(name);
  if (kline && isKlineInterval(kline[2]!)) return { kind: 'kline', symbolId: kline[1]!.toUpperCase(), interval: kline[2]! };
  const depth = DEPTH.exec(name);
  if (depth) return { kind: 'depth', symbolId: depth[1]!.toUpperCase(), levels: Number(depth[2]) };
  return undefined;
}

/** The symbol id a stream is about (undefined for the all-symbol streams). */
export function streamSymbol(spec: StreamSpec): string | undefined {
  return 'symbolId' in spec ? spec.symbolId : undefined;
}

/** Streams that carry a state (sent at once on subscription and refreshed periodically), not events. */
export function isStateStream(spec: StreamSpec): boolean {
  return spec.kind !== 'trade' && spec.kind !== 'aggTrade';
}
