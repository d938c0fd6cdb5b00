/**
 * One of the two public market-data connections of a venue: one ccxt pro client watching the
 * followed symbols' best bid/ask and trades. It reports what it sees and recycles itself (closes
 * the client; the owner reopens it after a back-off) when a watch fails, it stays silent, or it
 * does not get connected in time.
 */
import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import type { MarketDataConnectionState } from '../../application/ports/market-data.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { bookObservation, tradeObservation, type CcxtTickerLike, type CcxtTradeLike, type ProMarketClient } from './ccxt-market-shapes.js';
import type { Observation } from './quote-merge.js';
import type { SharedMarkets } from './shared-markets.js';

export interface WsConnectionOptions {
  /** "ws-a" or "ws-b" */
  readonly id: string;
  /** the quotes' source, "<venue>:<id>" */
  readonly source: string;
  readonly createClient: () => ProMarketClient;
  readonly markets: SharedMarkets;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly silenceMs: number;
  readonly connectTimeoutMs: number;
  /** after each wake-up, how long to let updates gather in ccxt's caches before re-arming (0: one event-loop turn) */
  readonly coalesceMs: number;
  readonly backoff: BackoffOptions;
  readonly random: () => number;
  readonly onObservation: (observation: Observation) => void;
  /** the state changed (or the connection may be started again): the owner re-evaluates */
  readonly onChange: () => void;
}

interface Session {
  readonly client: ProMarketClient;
  readonly symbols: readonly string[];
  readonly key: string;
  readonly startedAt: number;
  /** when the watches were sent (markets loaded); the silence clock runs from here */
  armedAt?: number;
  /** the symbols watched: those of `symbols` the exchange lists, in the exchange's spelling */
  watched: readonly string[];
  /** a watched symbol's followed spelling where they differ (a perpetual "BTC/USDT:USDT" followed as "BTC/USDT") */
  followedAs?: ReadonlyMap<string, string>;
  lastMessageAt?: number;
}

export class WsConnection {
  readonly id: string;
  private stateValue: MarketDataConnectionState = 'down';
  private lastMessage: number | undefined;
  private session: Session | undefined;
  private failures = 0;
  private retryAt = 0;
  private readonly closing = new Set<Promise<void>>();
  /** the ccxt objects already turned into observations (ccxt makes a new one per update) */
  private readonly seenBook = new Map<string, object>();
  private readonly seenTrade = new Map<string, object>();
  private readonly warnedUnknown = new Set<string>();

  constructor(private readonly options: WsConnectionOptions) {
    this.id = options.id;
  }

  get state(): MarketDataConnectionState {
    return this.stateValue;
  }

  get lastMessageAt(): number | undefined {
    return this.lastMessage;
  }

  /** the symbol-set key the open session watches; undefined when closed */
  get watchingKey(): string | undefined {
    return this.session?.key;
  }

  /** closed and its back-off (if any) over */
  canStart(now: number): boolean {
    return this.session === undefined && now >= this.retryAt;
  }

  /** Opens a new client watching `symbols` (sorted, non-empty). */
  start(symbols: readonly string[], key: string): void {
    if (this.session !== undefined) this.dropSession();
    let client: ProMarketClient;
    try {
      client = this.options.createClient();
    } catch (error) {
      this.backOff('down', error);
      return;
    }
    const session: Session = { client, symbols, key, startedAt: this.options.clock.now(), watched: [] };
    this.session = session;
    this.seenBook.clear();
    this.seenTrade.clear();
    this.setState('connecting');
    void this.run(session);
  }

  /** Closes the client without counting a failure (nothing to follow, or a new symbol set). */
  stop(): void {
    if (this.session !== undefined) this.dropSession();
    this.retryAt = 0;
    this.setState('down');
  }

  /** Silence and connect-timeout checks; called by the owner's watchdog. */
  check(now: number): void {
    const session = this.session;
    if (session === undefined) return;
    if (session.armedAt === undefined) {
      if (now - session.startedAt > this.options.connectTimeoutMs) this.fail(session, 'down', new Error(`not connected within ${this.options.connectTimeoutMs} ms`));
      return;
    }
    const since = Math.max(session.armedAt, session.lastMessageAt ?? 0);
    if (now - since > this.options.silenceMs) this.fail(session, 'silent', new Error(`no message for ${now - since} ms`));
  }

  /**
   * Reads ccxt's caches for updates no watch returned (a safety net: each watch wake-up already
   * reads them); the merge drops what is not new.
   */
  sweep(): void {
    const session = this.session;
    if (session === undefined || this.stateValue !== 'streaming') return;
    const now = this.options.clock.now();
    this.scanBooks(session, now);
    this.scanTrades(session, now);
  }

  /** Stops and waits until every client it opened is closed. */
  async close(): Promise<void> {
    this.stop();
    while (this.closing.size > 0) await Promise.all([...this.closing]);
  }

  private async run(session: Session): Promise<void> {
    try {
      const markets = await this.options.markets.prepare(session.client);
      if (this.session !== session) return;
      const followedAs = new Map<string, string>();
      for (const symbol of session.symbols) {
        const venueSymbol = listedAs(markets, symbol);
        if (venueSymbol !== undefined) followedAs.set(venueSymbol, symbol);
      }
      this.warnUnlisted(session.symbols.filter((symbol) => listedAs(markets, symbol) === undefined));
      const listed = [...followedAs.keys()];
      if (listed.length === 0) throw new Error('none of the followed symbols is listed by the exchange');
      session.watched = listed;
      session.followedAs = followedAs;
      session.armedAt = this.options.clock.now();
      await Promise.all([this.watchBook(session, listed), this.watchTrades(session, listed)]);
    } catch (error) {
      this.fail(session, 'down', error);
    }
  }

  /*
   * ccxt resolves a watch with one update and, when frames queued up, applies the rest to its
   * caches at once (its deliverLoop flushes the backlog): so each wake-up reads the cache of every
   * watched symbol (an identity check each) rather than only what the watch returned. Clients
   * without the caches (not ccxt) are read from the watch's result.
   * Re-arming a multi-symbol watch costs ccxt work for every symbol; with `coalesceMs` > 0 the
   * loop lets frames land in the caches for that long after a wake-up, reads them, then re-arms
   * (conflation: fewer re-arms and quotes under heavy load, at most that much added latency).
   */
  private async watchBook(session: Session, symbols: readonly string[]): Promise<void> {
    while (this.session === session) {
      const tickers = await session.client.watchBidsAsks([...symbols]);
      if (this.session !== session) return;
      const now = this.received(session);
      if (session.client.bidsasks !== undefined) {
        this.scanBooks(session, now);
        if (this.options.coalesceMs > 0) {
          await this.gather();
          if (this.session !== session) return;
          this.scanBooks(session, this.options.clock.now());
        }
        continue;
      }
      for (const key in tickers) {
        const ticker = tickers[key];
        if (ticker === undefined) continue;
        const symbol = ticker.symbol ?? key;
        if (this.seenBook.get(symbol) !== ticker) this.book(symbol, ticker, now);
      }
    }
  }

  private async watchTrades(session: Session, symbols: readonly string[]): Promise<void> {
    while (this.session === session) {
      const trades = await session.client.watchTradesForSymbols([...symbols]);
      if (this.session !== session) return;
      const now = this.received(session);
      if (session.client.trades !== undefined) {
        this.scanTrades(session, now);
        if (this.options.coalesceMs > 0) {
          await this.gather();
          if (this.session !== session) return;
          this.scanTrades(session, this.options.clock.now());
        }
        continue;
      }
      // only the latest trade of each symbol matters for the price
      const done = new Set<string>();
      for (let i = trades.length - 1; i >= 0; i--) {
        const trade = trades[i];
        const symbol = trade?.symbol;
        if (trade === undefined || typeof symbol !== 'string' || done.has(symbol)) continue;
        done.add(symbol);
        if (this.seenTrade.get(symbol) !== trade) this.trade(symbol, trade, now);
      }
    }
  }

  private gather(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.options.coalesceMs));
  }

  private scanBooks(session: Session, now: number): void {
    const cache = session.client.bidsasks;
    if (cache === undefined) return;
    for (const symbol of session.watched) {
      const book = cache[symbol];
      if (book !== undefined && this.seenBook.get(symbol) !== book) this.book(symbol, book, now);
    }
  }

  private scanTrades(session: Session, now: number): void {
    const cache = session.client.trades;
    if (cache === undefined) return;
    for (const symbol of session.watched) {
      const list = cache[symbol];
      const trade = list !== undefined && list.length > 0 ? list[list.length - 1] : undefined;
      if (trade !== undefined && this.seenTrade.get(symbol) !== trade) this.trade(symbol, trade, now);
    }
  }

  private book(symbol: string, ticker: CcxtTickerLike, now: number): void {
    this.seenBook.set(symbol, ticker);
    this.options.onObservation(bookObservation(this.session?.followedAs?.get(symbol) ?? symbol, ticker, this.options.source, now));
  }

  private trade(symbol: string, trade: CcxtTradeLike, now: number): void {
    this.seenTrade.set(symbol, trade);
    this.options.onObservation(tradeObservation(this.session?.followedAs?.get(symbol) ?? symbol, trade, this.options.source, now));
  }

  private received(session: Session): number {
    const now = this.options.clock.now();
    session.lastMessageAt = now;
    this.lastMessage = now;
    if (this.stateValue !== 'streaming') {
      this.failures = 0;
      this.setState('streaming');
      this.options.logger.info({ venue: this.options.source, symbols: session.symbols.length }, 'market data: connection streaming');
    }
    return now;
  }

  private fail(session: Session, state: 'down' | 'silent', error: unknown): void {
    if (this.session !== session) return; // a closed session's watches reject as it closes
    this.dropSession();
    this.backOff(state, error);
  }

  private backOff(state: 'down' | 'silent', error: unknown): void {
    this.failures += 1;
    const delay = backoffDelay(this.failures, this.options.backoff, this.options.random);
    this.retryAt = this.options.clock.now() + delay;
    this.setState(state);
    this.options.logger.warn(
      { venue: this.options.source, state, failures: this.failures, retryInMs: delay, reason: reasonOf(error) },
      state === 'silent' ? 'market data: connection silent, recycling it' : 'market data: connection dropped, recycling it',
    );
  }

  private dropSession(): void {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    const closing = session.client.close().then(
      () => undefined,
      (error: unknown) => this.options.logger.warn({ venue: this.options.source, reason: reasonOf(error) }, 'market data: closing a client failed'),
    );
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
  }

  private setState(state: MarketDataConnectionState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.options.onChange();
  }

  private warnUnlisted(symbols: readonly string[]): void {
    const fresh = symbols.filter((symbol) => !this.warnedUnknown.has(symbol));
    if (fresh.length === 0) return;
    for (const symbol of fresh) this.warnedUnknown.add(symbol);
    this.options.logger.warn({ venue: this.options.source, symbols: fresh }, 'market data: symbols not listed by the exchange are not watched');
  }
}

/**
 * The exchange's spelling of a followed symbol: itself when listed, else its USDⓈ-margined
 * perpetual ("BTC/USDT" -> "BTC/USDT:USDT", what a swap account's market list holds).
 */
export function listedAs(markets: Readonly<Record<string, unknown>>, symbol: string): string | undefined {
  if (Object.hasOwn(markets, symbol)) return symbol;
  const quote = symbol.split('/')[1];
  const perpetual = quote !== undefined && !symbol.includes(':') ? `${symbol}:${quote}` : undefined;
  return perpetual !== undefined && Object.hasOwn(markets, perpetual) ? perpetual : undefined;
}

export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}
