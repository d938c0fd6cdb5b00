import type { Market } from '../../../application/ports/exchange.js';
import type { DayStats, MarketTape, TapeTrade, TopOfBook } from './market-tape.js';
import { binanceSymbol } from './symbols.js';
import type { Candle } from './synthetic-history.js';

/**
 * Binance's shapes of public market data, REST and WebSocket, from the tape's state (pure).
 * Decimals are printed the Binance way: at least 8 places ("97000.01000000").
 */

/** "0.001" -> 3, "1" -> 0 */
function decimalsOf(increment: string): number {
  const dot = increment.indexOf('.');
  return dot < 0 ? 0 : increment.length - dot - 1;
}

/** Pads a plain decimal string to at least 8 places. */
export function pad8(text: string): string {
  const dot = text.indexOf('.');
  if (dot < 0) return `${text}.00000000`;
  const places = text.length - dot - 1;
  return places >= 8 ? text : text + '0'.repeat(8 - places);
}

const formats = new WeakMap<Market, { price: number; qty: number }>();

/** Numbers (history, statistics) printed on the market's tick and step. */
export function fmt(market: Market): { price(value: number): string; qty(value: number): string; quote(value: number): string } {
  let places = formats.get(market);
  if (!places) {
    places = { price: decimalsOf(market.tickSize), qty: decimalsOf(market.stepSize) };
    formats.set(market, places);
  }
  const p = places;
  return {
    price: (value) => pad8(value.toFixed(p.price)),
    qty: (value) => pad8(value.toFixed(p.qty)),
    quote: (value) => value.toFixed(8),
  };
}

/** GET /api/v3/ticker/24hr (FULL) for one symbol. */
export function restTicker(id: string, market: Market, day: DayStats, last: string, book: TopOfBook, lastTrade: TapeTrade | undefined): Record<string, unknown> {
  const f = fmt(market);
  const close = Number(last);
  const change = close - day.open;
  return {
    symbol: id,
    priceChange: f.price(change),
    priceChangePercent: day.open > 0 ? ((change / day.open) * 100).toFixed(3) : '0.000',
    weightedAvgPrice: f.price(day.volume > 0 ? day.quoteVolume / day.volume : close),
    prevClosePrice: f.price(day.open),
    lastPrice: pad8(last),
    lastQty: pad8(lastTrade?.quantity ?? '0'),
    bidPrice: pad8(book.bidPrice),
    bidQty: pad8(book.bidQty),
    askPrice: pad8(book.askPrice),
    askQty: pad8(book.askQty),
    openPrice: f.price(day.open),
    highPrice: f.price(Math.max(day.high, close)),
    lowPrice: f.price(Math.min(day.low, close)),
    volume: f.qty(day.volume),
    quoteVolume: f.quote(day.quoteVolume),
    openTime: day.openTime,
    closeTime: day.closeTime,
    firstId: day.firstId,
    lastId: day.lastId,
    count: day.trades,
  };
}

/** The 24 h ticker of a market now, or undefined before the feed quoted it. */
export function tickerOf(tape: MarketTape, market: Market, now: number): Record<string, unknown> | undefined {
  const last = tape.lastPrice(market.symbol);
  const day = tape.day(market.symbol, now);
  const book = tape.book(market.symbol);
  if (last === undefined || !day || !book) return undefined;
  return restTicker(binanceSymbol(market), market, day, last, book, tape.lastTrade(market.symbol));
}

/** The `<symbol>@ticker` event (24hrTicker). */
export function wsTicker(rest: Record<string, unknown>, eventTime: number): Record<string, unknown> {
  return {
    e: '24hrTicker',
    E: eventTime,
    s: rest.symbol,
    p: rest.priceChange,
    P: rest.priceChangePercent,
    w: rest.weightedAvgPrice,
    x: rest.prevClosePrice,
    c: rest.lastPrice,
    Q: rest.lastQty,
    b: rest.bidPrice,
    B: rest.bidQty,
    a: rest.askPrice,
    A: rest.askQty,
    o: rest.openPrice,
    h: rest.highPrice,
    l: rest.lowPrice,
    v: rest.volume,
    q: rest.quoteVolume,
    O: rest.openTime,
    C: rest.closeTime,
    F: rest.firstId,
    L: rest.lastId,
    n: rest.count,
  };
}

/** The `<symbol>@miniTicker` event (24hrMiniTicker). */
export function wsMiniTicker(rest: Record<string, unknown>, eventTime: number): Record<string, unknown> {
  return { e: '24hrMiniTicker', E: eventTime, s: rest.symbol, c: rest.lastPrice, o: rest.openPrice, h: rest.highPrice, l: rest.lowPrice, v: rest.volume, q: rest.quoteVolume };
}

/** The `<symbol>@bookTicker` event (no event type or time on spot). */
export function wsBookTicker(id: string, book: TopOfBook): Record<string, unknown> {
  return { u: book.updateId, s: id, b: pad8(book.bidPrice), B: pad8(book.bidQty), a: pad8(book.askPrice), A: pad8(book.askQty) };
}

export function restBookTicker(id: string, book: TopOfBook): Record<string, unknown> {
  return { symbol: id, bidPrice: pad8(book.bidPrice), bidQty: pad8(book.bidQty), askPrice: pad8(book.askPrice), askQty: pad8(book.askQty) };
}

export function wsTrade(id: string, trade: TapeTrade, eventTime: number): Record<string, unknown> {
  return { e: 'trade', E: eventTime, s: id, t: trade.id, p: pad8(trade.price), q: pad8(trade.quantity), T: trade.time, m: trade.buyerIsMaker, M: true };
}

export function wsAggTrade(id: string, trade: TapeTrade, eventTime: number): Record<string, unknown> {
  return { e: 'aggTrade', E: eventTime, s: id, a: trade.id, p: pad8(trade.price), q: pad8(trade.quantity), f: trade.id, l: trade.id, T: trade.time, m: trade.buyerIsMaker, M: true };
}

/** GET /api/v3/trades row. */
export function restTrade(trade: TapeTrade): Record<string, unknown> {
  const quote = (Number(trade.price) * Number(trade.quantity)).toFixed(8);
  return { id: trade.id, price: pad8(trade.price), qty: pad8(trade.quantity), quoteQty: quote, time: trade.time, isBuyerMaker: trade.buyerIsMaker, isBestMatch: true };
}

/** GET /api/v3/aggTrades row. */
export function restAggTrade(trade: TapeTrade): Record<string, unknown> {
  return { a: trade.id, p: pad8(trade.price), q: pad8(trade.quantity), f: trade.id, l: trade.id, T: trade.time, m: trade.buyerIsMaker, M: true };
}

/** One row of GET /api/v3/klines. */
export function klineRow(market: Market, openTime: number, closeTime: number, candle: Candle): unknown[] {
  const f = fmt(market);
  const takerShare = 0.5;
  return [
    openTime,
    f.price(candle.open),
    f.price(candle.high),
    f.price(candle.low),
    f.price(candle.close),
    f.qty(candle.volume),
    closeTime,
    f.quote(candle.quoteVolume),
    candle.trades,
    f.qty(candle.volume * takerShare),
    f.quote(candle.quoteVolume * takerShare),
    '0',
  ];
}

/** The `<symbol>@kline_<interval>` event. */
export function wsKline(id: string, interval: string, row: unknown[], closed: boolean, eventTime: number): Record<string, unknown> {
  return {
    e: 'kline',
    E: eventTime,
    s: id,
    k: { t: row[0], T: row[6], s: id, i: interval, f: -1, L: -1, o: row[1], c: row[4], h: row[2], l: row[3], v: row[5], n: row[8], x: closed, q: row[7], V: row[9], Q: row[10], B: '0' },
  };
}
