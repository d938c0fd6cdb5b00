/**
 * The slice of ccxt pro a market-data connection uses, declared structurally (an unmodified
 * `ccxt.pro.binance` satisfies it; tests hand in small fakes), and the conversion of ccxt's
 * tickers and trades into observations.
 */
import { parseDec, decToString } from '../../domain/shared/decimal.js';
import type { Observation } from './quote-merge.js';

type NumLike = number | string | null | undefined;

export interface CcxtTickerLike {
  readonly symbol?: string | null | undefined;
  readonly timestamp?: number | null | undefined;
  readonly bid?: NumLike;
  readonly ask?: NumLike;
  readonly last?: NumLike;
  readonly info?: unknown;
}

export interface CcxtTradeLike {
  readonly symbol?: string | null | undefined;
  readonly id?: string | null | undefined;
  readonly timestamp?: number | null | undefined;
  readonly price?: NumLike;
}

/**
 * A ccxt pro client as one market-data connection uses it: public data only, no keys.
 * Multiple symbols on one connection: `watchBidsAsks(symbols)` (best bid/ask, Binance
 * `<symbol>@bookTicker`) and `watchTradesForSymbols(symbols)` (last price, `<symbol>@trade`).
 */
export interface ProMarketClient {
  loadMarkets(): Promise<Readonly<Record<string, unknown>>>;
  /** ccxt's way to reuse another client's markets without reloading them over REST */
  setMarketsFromExchange?(source: unknown): unknown;
  watchBidsAsks(symbols: string[]): Promise<Readonly<Record<string, CcxtTickerLike>>>;
  watchTradesForSymbols(symbols: string[]): Promise<readonly CcxtTradeLike[]>;
  close(): Promise<unknown>;
  /** ccxt's caches: the latest bid/ask and trades per symbol (read to catch updates a burst merged) */
  readonly bidsasks?: Readonly<Record<string, CcxtTickerLike | undefined>>;
  readonly trades?: Readonly<Record<string, readonly CcxtTradeLike[] | undefined>>;
}

/** The REST last resort: tickers of these symbols, by symbol (see `restTickersOf`). */
export type RestTickers = (symbols: readonly string[]) => Promise<Readonly<Record<string, CcxtTickerLike | undefined>>>;

/** The ccxt REST methods `restTickersOf` calls (a `ccxt.binance` or a pro client satisfies it). */
export interface CcxtRestTickerClient {
  readonly has?: Readonly<Record<string, unknown>>;
  fetchTickers(symbols?: string[]): Promise<Readonly<Record<string, CcxtTickerLike>>>;
  fetchTicker(symbol: string): Promise<CcxtTickerLike>;
}

/** REST tickers from a ccxt client: one `fetchTickers` call when the exchange has it, else `fetchTicker` per symbol. */
export function restTickersOf(client: CcxtRestTickerClient): RestTickers {
  return async (symbols) => {
    if (symbols.length === 0) return {};
    if (client.has?.['fetchTickers'] !== false) return client.fetchTickers([...symbols]);
    const out: Record<string, CcxtTickerLike> = {};
    for (const symbol of symbols) out[symbol] = await client.fetchTicker(symbol);
    return out;
  };
}

/** A canonical positive decimal string from a ccxt number or string, else undefined. */
export function priceText(value: NumLike): string | undefined {
  if (typeof value === 'number') {
    // the common case, without a decimal object: JS prints these without an exponent
    if (value >= 1e-6 && value < 1e21) return String(value);
    if (!(value > 0) || !Number.isFinite(value)) return undefined;
  }
  const parsed = parseDec(value);
  return parsed !== undefined && parsed.greaterThan(0) ? decToString(parsed) : undefined;
}

function timeOf(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Binance's book ticker carries its update id `u` (spot gives no time); other venues none. */
function bookSeqOf(info: unknown): string | undefined {
  if (info === null || typeof info !== 'object') return undefined;
  const u = (info as Record<string, unknown>)['u'];
  return typeof u === 'number' || typeof u === 'string' ? String(u) : undefined;
}

export function bookObservation(symbol: string, ticker: CcxtTickerLike, source: string, receivedAt: number): Observation {
  const bid = priceText(ticker.bid);
  const ask = priceText(ticker.ask);
  const exchangeTime = timeOf(ticker.timestamp);
  const seq = bookSeqOf(ticker.info);
  return {
    symbol,
    kind: 'book',
    source,
    receivedAt,
    ...(bid !== undefined ? { bid } : {}),
    ...(ask !== undefined ? { ask } : {}),
    ...(exchangeTime !== undefined ? { exchangeTime } : {}),
    ...(seq !== undefined ? { seq } : {}),
  };
}

export function tradeObservation(symbol: string, trade: CcxtTradeLike, source: string, receivedAt: number): Observation {
  const last = priceText(trade.price);
  const exchangeTime = timeOf(trade.timestamp);
  const seq = typeof trade.id === 'string' && trade.id.length > 0 ? trade.id : undefined;
  return {
    symbol,
    kind: 'trade',
    source,
    receivedAt,
    ...(last !== undefined ? { last } : {}),
    ...(exchangeTime !== undefined ? { exchangeTime } : {}),
    ...(seq !== undefined ? { seq } : {}),
  };
}

export function snapshotObservation(symbol: string, ticker: CcxtTickerLike, source: string, receivedAt: number): Observation {
  const bid = priceText(ticker.bid);
  const ask = priceText(ticker.ask);
  const last = priceText(ticker.last);
  const exchangeTime = timeOf(ticker.timestamp);
  return {
    symbol,
    kind: 'snapshot',
    source,
    receivedAt,
    ...(bid !== undefined ? { bid } : {}),
    ...(ask !== undefined ? { ask } : {}),
    ...(last !== undefined ? { last } : {}),
    ...(exchangeTime !== undefined ? { exchangeTime } : {}),
  };
}
