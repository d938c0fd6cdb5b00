/**
 * An exchange venue's public market data (issue 13, seed 003 ADR-005): two independent ccxt pro
 * clients ("ws-a", "ws-b": two WebSocket connections) watch the union of the followed symbols; their
 * quotes are merged (deduplicated, monotonic per symbol); a connection that drops or goes silent is
 * recycled with back-off while the other keeps the prices flowing; when neither streams, REST
 * tickers are polled until one does.
 *
 * Per connection: `watchBidsAsks(symbols)` (Binance `<s>@bookTicker`, best bid/ask, real time) and
 * `watchTradesForSymbols(symbols)` (`<s>@trade`, the last price). Both take many symbols on one
 * connection in ccxt 4.5.84 binance; `watchTickers` (24 h ticker, once a second on Binance) would be
 * too slow to notice silence within a second.
 *
 * ccxt binance puts every distinct (channel, symbol list) subscription on its own socket and never
 * closes the previous one, so a change of the followed set recycles each client (a fresh one with
 * the new list, markets reused) — one connection at a time, so the other keeps streaming meanwhile.
 * Give the factory `options: { streamLimits: { spot: 1 } }` (and the like for other market types)
 * to have a client's two watches share one socket.
 */
import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import type { MarketDataSource, MarketDataStatus, Quote } from '../../application/ports/market-data.js';
import type { BackoffOptions } from './backoff.js';
import type { ProMarketClient, RestTickers } from './ccxt-market-shapes.js';
import { confirms, mergeObservation, type HeldQuote, type Observation } from './quote-merge.js';
import { RestPoller } from './rest-poller.js';
import { SharedMarkets } from './shared-markets.js';
import { reasonOf, WsConnection } from './ws-connection.js';

export interface ExchangeMarketDataOptions {
  /** e.g. "binance:spot"; quotes' sources are "<venue>:ws-a", "<venue>:ws-b", "<venue>:rest" */
  readonly venue: string;
  /** a new ccxt pro client, public data only (no keys); called once per (re)connection */
  readonly createClient: () => ProMarketClient;
  /** REST tickers, the last resort (see `restTickersOf`) */
  readonly restTickers: RestTickers;
  readonly clock: Clock;
  readonly logger: Logger;
  /** a connection with no message for this long is silent (recycled). Default 750 ms. */
  readonly silenceMs?: number;
  /** watchdog period: silence, reconnects, REST take-over. Default 200 ms. */
  readonly checkEveryMs?: number;
  /** REST poll interval while no connection streams. Default 1,000 ms. */
  readonly restPollMs?: number;
  /**
   * after a watch wakes up, how long updates may gather in ccxt's caches before the watch is
   * re-armed (conflation: fewer re-arms under load, at most this much added latency). Default 0:
   * re-armed at once.
   */
  readonly coalesceMs?: number;
  /** a connection not subscribed (markets loaded) within this is down. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** reconnect back-off. Default 250 ms doubling to 30 s, with jitter. */
  readonly backoff?: BackoffOptions;
  /** [0, 1) for the jitter. Default Math.random. */
  readonly random?: () => number;
}

export class ExchangeMarketData implements MarketDataSource {
  private readonly venue: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly held = new Map<string, HeldQuote>();
  private readonly owners = new Map<string, readonly string[]>();
  private readonly listeners = new Set<(quote: Quote) => void>();
  private readonly connections: readonly [WsConnection, WsConnection];
  private readonly markets = new SharedMarkets();
  private readonly rest: RestPoller;
  private desired: readonly string[] = [];
  private desiredKey = '';
  private desiredSet = new Set<string>();
  private readonly watchdog: NodeJS.Timeout;
  private soon: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: ExchangeMarketDataOptions) {
    this.venue = options.venue;
    this.clock = options.clock;
    this.logger = options.logger;
    const silenceMs = positive(options.silenceMs ?? 750, 'silenceMs');
    const checkEveryMs = positive(options.checkEveryMs ?? 200, 'checkEveryMs');
    const restPollMs = positive(options.restPollMs ?? 1000, 'restPollMs');
    const connectTimeoutMs = positive(options.connectTimeoutMs ?? 10_000, 'connectTimeoutMs');
    const coalesceMs = options.coalesceMs ?? 0;
    if (!(coalesceMs >= 0) || coalesceMs > 1000) throw new RangeError(`coalesceMs must be in [0, 1000], got ${coalesceMs}`);
    const onObservation = (observation: Observation): void => this.accept(observation);
    const connection = (id: string): WsConnection =>
      new WsConnection({
        id,
        source: `${this.venue}:${id}`,
        createClient: options.createClient,
        markets: this.markets,
        clock: this.clock,
        logger: this.logger,
        silenceMs,
        connectTimeoutMs,
        coalesceMs,
        backoff: options.backoff ?? {},
        random: options.random ?? Math.random,
        onObservation,
        onChange: () => this.evaluateSoon(),
      });
    this.connections = [connection('ws-a'), connection('ws-b')];
    this.rest = new RestPoller({
      source: `${this.venue}:rest`,
      restTickers: options.restTickers,
      symbols: () => this.markets.listed(this.desired),
      clock: this.clock,
      logger: this.logger,
      intervalMs: restPollMs,
      onObservation,
    });
    this.watchdog = setInterval(() => this.evaluate(), checkEveryMs);
    this.watchdog.unref();
  }

  quote(symbol: string): Quote | undefined {
    return this.held.get(symbol)?.quote;
  }

  follow(owner: string, symbols: readonly string[]): void {
    if (this.closed) return;
    const own = [...new Set(symbols)].sort();
    if (own.length === 0) this.owners.delete(owner);
    else this.owners.set(owner, own);
    const union = new Set<string>();
    for (const list of this.owners.values()) for (const symbol of list) union.add(symbol);
    const desired = [...union].sort();
    const key = desired.join(',');
    if (key === this.desiredKey) return;
    this.desired = desired;
    this.desiredKey = key;
    this.desiredSet = union;
    this.logger.info({ venue: this.venue, symbols: desired.length }, 'market data: followed symbols changed');
    this.evaluateSoon();
  }

  onQuote(listener: (quote: Quote) => void): () => void {
    const entry = (quote: Quote): void => listener(quote);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  status(): MarketDataStatus {
    const connections: MarketDataStatus['connections'][number][] = this.connections.map((c) => ({
      id: c.id,
      state: c.state,
      ...(c.lastMessageAt !== undefined ? { lastMessageAt: c.lastMessageAt } : {}),
    }));
    if (this.rest.active) {
      const at = this.rest.lastMessageAt;
      connections.push({ id: 'rest', state: this.rest.state, ...(at !== undefined ? { lastMessageAt: at } : {}) });
    }
    return { venue: this.venue, connections };
  }

  /** Stops the watchdog, the REST poller and both connections, awaiting the clients' close(). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    if (this.soon !== undefined) clearTimeout(this.soon);
    this.soon = undefined;
    await Promise.all([...this.connections.map((c) => c.close()), this.rest.close()]);
    this.listeners.clear();
  }

  private evaluateSoon(): void {
    if (this.closed || this.soon !== undefined) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.evaluate();
    }, 0);
    this.soon.unref();
  }

  /** The supervisor: silence checks, (re)starts, resubscriptions one connection at a time, REST take-over. */
  private evaluate(): void {
    if (this.closed) return;
    try {
      this.supervise();
    } catch (error) {
      // never let a bug stop the watchdog's timer (or crash the process from it)
      this.logger.error({ venue: this.venue, reason: reasonOf(error) }, 'market data: supervision failed');
    }
  }

  private supervise(): void {
    const now = this.clock.now();
    for (const c of this.connections) c.check(now);
    if (this.desired.length === 0) {
      for (const c of this.connections) c.stop();
      this.rest.stop();
      return;
    }
    const [a, b] = this.connections;
    for (const [c, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const key = c.watchingKey;
      if (key === undefined) {
        if (c.canStart(now)) c.start(this.desired, this.desiredKey);
      } else if (key !== this.desiredKey && other.state !== 'connecting') {
        // a new symbol set: one connection at a time, the other keeps streaming the old set meanwhile
        c.start(this.desired, this.desiredKey);
      }
    }
    for (const c of this.connections) c.sweep();
    if (this.connections.some((c) => c.state === 'streaming')) this.rest.stop();
    else if (this.connections.every((c) => c.state === 'down' || c.state === 'silent')) this.rest.start();
  }

  private accept(observation: Observation): void {
    if (this.closed || !this.desiredSet.has(observation.symbol)) return;
    let next: HeldQuote | undefined;
    try {
      next = mergeObservation(this.held.get(observation.symbol), observation);
    } catch (error) {
      this.logger.warn({ venue: this.venue, symbol: observation.symbol, reason: reasonOf(error) }, 'market data: unreadable update dropped');
      return;
    }
    if (next === undefined) {
      // unchanged and current: the price is confirmed now (its age restarts), nothing to publish
      const held = this.held.get(observation.symbol);
      if (held && observation.receivedAt > held.quote.receivedAt && confirms(held, observation)) {
        this.held.set(observation.symbol, { ...held, quote: { ...held.quote, receivedAt: observation.receivedAt } });
      }
      return;
    }
    this.held.set(observation.symbol, next);
    for (const listener of this.listeners) {
      try {
        listener(next.quote);
      } catch (error) {
        this.logger.error({ venue: this.venue, reason: reasonOf(error) }, 'market data: a quote listener threw');
      }
    }
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be > 0, got ${value}`);
  return value;
}
