import type { AccountMarkets } from '../../../application/ports/account-markets.js';
import type { Market } from '../../../application/ports/exchange.js';
import type { KeyValueStore } from '../../../application/ports/key-value.js';
import type { Clock } from '../../../application/ports/clock.js';
import type { Logger } from '../../../application/ports/logger.js';
import type { AccountConfig } from '../../../domain/accounts/account.js';

/** Where an account's market list comes from: a fixed list (the paper exchange) or a venue that loads its own. */
export type MarketListSource =
  | { readonly kind: 'fixed'; readonly name: string; readonly markets: readonly Market[] }
  | { readonly kind: 'venue'; readonly key: string; readonly name: string; readonly load: () => Promise<Market[]> };

export interface ExchangeMarketListsOptions {
  readonly sourceOf: (account: AccountConfig) => MarketListSource;
  readonly kv: KeyValueStore;
  readonly clock: Clock;
  readonly log: Logger;
  /** how often a venue's list is loaded again (default 1 h) */
  readonly refreshMs?: number;
  /** least time between two loads of one venue asked for by misses (default 60 s) */
  readonly missIntervalMs?: number;
}

interface VenueLists {
  readonly key: string;
  readonly load: () => Promise<Market[]>;
  markets: readonly Market[] | undefined;
  bySymbol: ReadonlyMap<string, Market>;
  loadedAt: number | undefined;
  lastAttempt: number | undefined;
  loading: Promise<void> | undefined;
  /** while the venue has no list at all: failed loads in a row, and the timer of the next try */
  failures: number;
  retry: NodeJS.Timeout | undefined;
}

/** A venue with no list at all is tried again sooner: 1 s doubling to the miss interval. */
const firstListDelay = (failures: number, cap: number): number => Math.min(1000 * 2 ** Math.max(0, failures - 1), cap);

/** The key-value key a venue's list is kept under, so a restart trades before the exchange answers. */
export const marketListKey = (venueKey: string): string => `markets/${venueKey}`;

/**
 * Every account's market list, from its own exchange: loaded when the account is registered,
 * kept in the key-value store, loaded again periodically and after a miss (at most once a
 * minute per venue). Accounts on one venue share one list.
 */
export class ExchangeMarketLists implements AccountMarkets {
  private readonly venues = new Map<string, VenueLists>();
  private readonly fixed = new Map<string, ReadonlyMap<string, Market>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: ExchangeMarketListsOptions) {}

  /** Starts following the account's venue: its kept list is read, then a fresh one is loaded in the background. */
  async register(account: AccountConfig): Promise<void> {
    const source = this.options.sourceOf(account);
    if (source.kind === 'fixed' || this.venues.has(source.key)) return;
    const venue: VenueLists = { key: source.key, load: source.load, markets: undefined, bySymbol: new Map(), loadedAt: undefined, lastAttempt: undefined, loading: undefined, failures: 0, retry: undefined };
    this.venues.set(source.key, venue);
    await this.restore(venue);
    void this.load(venue);
  }

  list(account: AccountConfig): readonly Market[] | undefined {
    const source = this.options.sourceOf(account);
    if (source.kind === 'fixed') return source.markets;
    return this.venues.get(source.key)?.markets;
  }

  market(account: AccountConfig, symbol: string): Market | undefined {
    const source = this.options.sourceOf(account);
    if (source.kind === 'fixed') return this.fixedIndex(source).get(symbol);
    return this.venues.get(source.key)?.bySymbol.get(symbol);
  }

  venueName(account: AccountConfig): string {
    return this.options.sourceOf(account).name;
  }

  async refresh(account: AccountConfig, urgent = false): Promise<void> {
    const source = this.options.sourceOf(account);
    if (source.kind === 'fixed') return;
    let venue = this.venues.get(source.key);
    if (!venue) {
      await this.register(account);
      venue = this.venues.get(source.key);
      if (!venue) return;
    }
    if (venue.loading) return venue.loading;
    const missInterval = this.options.missIntervalMs ?? 60_000;
    const interval = venue.markets === undefined ? firstListDelay(venue.failures, missInterval) : missInterval;
    if (!(urgent && venue.markets === undefined) && venue.lastAttempt !== undefined && this.options.clock.now() - venue.lastAttempt < interval) return;
    return this.load(venue);
  }

  /** Loads every venue's list again every `refreshMs`. */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => {
      for (const venue of this.venues.values()) void this.load(venue);
    }, this.options.refreshMs ?? 3_600_000);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const venue of this.venues.values()) if (venue.retry) clearTimeout(venue.retry);
  }

  /** Resolves once every venue has a list or failed its last load (start-up, tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.venues.values()].map((v) => v.loading));
  }

  private fixedIndex(source: Extract<MarketListSource, { kind: 'fixed' }>): ReadonlyMap<string, Market> {
    let index = this.fixed.get(source.name);
    if (!index) {
      index = new Map(source.markets.map((m) => [m.symbol, m]));
      this.fixed.set(source.name, index);
    }
    return index;
  }

  private async restore(venue: VenueLists): Promise<void> {
    try {
      const kept = await this.options.kv.get(marketListKey(venue.key));
      if (kept === undefined || venue.markets !== undefined) return;
      const parsed = JSON.parse(kept) as { loadedAt?: unknown; markets?: unknown };
      if (!Array.isArray(parsed.markets)) return;
      this.install(venue, parsed.markets as Market[], typeof parsed.loadedAt === 'number' ? parsed.loadedAt : undefined);
    } catch (error) {
      this.options.log.warn({ venue: venue.key, reason: String(error) }, 'the kept market list could not be read; loading it from the exchange');
    }
  }

  private load(venue: VenueLists): Promise<void> {
    if (venue.loading) return venue.loading;
    if (this.closed) return Promise.resolve();
    venue.lastAttempt = this.options.clock.now();
    venue.loading = (async () => {
      try {
        const markets = await venue.load();
        if (markets.length === 0) throw new Error('the exchange listed no market');
        const before = venue.markets?.length;
        this.install(venue, markets, this.options.clock.now());
        if (before !== markets.length) this.options.log.info({ venue: venue.key, markets: markets.length, halted: markets.filter((m) => m.status === 'halted').length }, 'market list loaded');
        venue.failures = 0;
        await this.options.kv.set(marketListKey(venue.key), JSON.stringify({ loadedAt: venue.loadedAt, markets }));
      } catch (error) {
        this.options.log.warn({ venue: venue.key, reason: error instanceof Error ? error.message : String(error), kept: venue.markets !== undefined }, 'loading the market list failed; tried again on the next miss or refresh');
        if (venue.markets === undefined && !this.closed) {
          // no list at all: its accounts cannot trade, so it is tried again soon, backing off
          venue.failures += 1;
          if (venue.retry) clearTimeout(venue.retry);
          venue.retry = setTimeout(() => {
            venue.retry = undefined;
            void this.load(venue);
          }, firstListDelay(venue.failures, this.options.missIntervalMs ?? 60_000));
          venue.retry.unref();
        }
      }
    })().finally(() => {
      venue.loading = undefined;
    });
    return venue.loading;
  }

  private install(venue: VenueLists, markets: readonly Market[], loadedAt: number | undefined): void {
    venue.markets = Object.freeze([...markets]);
    venue.bySymbol = new Map(markets.map((m) => [m.symbol, m]));
    venue.loadedAt = loadedAt;
  }
}
