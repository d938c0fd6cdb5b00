import type { AccountPrices, AccountQuote } from '../../application/ports/account-prices.js';
import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import type { MarketDataSource, MarketDataStatus, Quote } from '../../application/ports/market-data.js';
import type { AccountConfig } from '../../domain/accounts/account.js';

/** Where one account's prices come from: a venue key (shared by accounts on one exchange) and how to open it. */
export interface PriceVenue {
  readonly key: string;
  readonly open: () => MarketDataSource;
}

export interface AccountPriceHubOptions {
  readonly venueOf: (account: AccountConfig) => PriceVenue;
  readonly clock: Clock;
  readonly log: Logger;
}

interface OpenVenue {
  readonly source: MarketDataSource;
  /** owner -> symbols, per account (the source follows the union) */
  readonly owners: Map<string, readonly string[]>;
}

/**
 * One market-data source per venue, opened on first use and shared by every account on it.
 * Answers each account's quotes with their age, and follows the union of what every owner
 * (routing, positions, dashboards) needs.
 */
export class AccountPriceHub implements AccountPrices {
  private readonly venues = new Map<string, OpenVenue>();
  private readonly listeners = new Set<(venue: string, quote: Quote) => void>();
  private closed = false;

  constructor(private readonly options: AccountPriceHubOptions) {}

  quote(account: AccountConfig, symbol: string): AccountQuote | undefined {
    const quote = this.open(account).source.quote(symbol);
    if (!quote) return undefined;
    return { ...quote, ageMs: Math.max(0, this.options.clock.now() - quote.receivedAt) };
  }

  follow(owner: string, account: AccountConfig, symbols: readonly string[]): void {
    const venue = this.open(account);
    const key = `${owner}\u0000${account.accountId}`;
    const before = venue.owners.get(key);
    if (before && before.length === symbols.length && before.every((s, i) => s === symbols[i])) return;
    if (symbols.length === 0) venue.owners.delete(key);
    else venue.owners.set(key, [...symbols]);
    const union = new Set<string>();
    for (const list of venue.owners.values()) for (const s of list) union.add(s);
    venue.source.follow('patriot', [...union].sort());
  }

  async ensure(owner: string, account: AccountConfig, symbols: readonly string[], maxAgeMs: number, timeoutMs: number): Promise<void> {
    if (symbols.length === 0) return;
    const venue = this.open(account);
    const key = `${owner}\u0000${account.accountId}`;
    const known = venue.owners.get(key) ?? [];
    const missing = symbols.filter((s) => !known.includes(s));
    if (missing.length > 0) this.follow(owner, account, [...known, ...missing]);
    const fresh = (): boolean => symbols.every((s) => {
      const q = venue.source.quote(s);
      return q !== undefined && this.options.clock.now() - q.receivedAt <= maxAgeMs;
    });
    if (fresh() || timeoutMs <= 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      const unsubscribe = venue.source.onQuote(() => {
        if (fresh()) done();
      });
    });
  }

  status(account: AccountConfig): MarketDataStatus {
    return this.open(account).source.status();
  }

  onQuote(listener: (venue: string, quote: Quote) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  venueOf(account: AccountConfig): string {
    return this.options.venueOf(account).key;
  }

  async close(): Promise<void> {
    this.closed = true;
    const open = [...this.venues.values()];
    this.venues.clear();
    await Promise.allSettled(open.map((v) => v.source.close()));
  }

  private open(account: AccountConfig): OpenVenue {
    const spec = this.options.venueOf(account);
    let venue = this.venues.get(spec.key);
    if (!venue) {
      if (this.closed) throw new Error('the price hub is closed');
      const source = spec.open();
      venue = { source, owners: new Map() };
      this.venues.set(spec.key, venue);
      source.onQuote((quote) => {
        for (const listener of this.listeners) {
          try {
            listener(spec.key, quote);
          } catch (error) {
            this.options.log.warn({ venue: spec.key, reason: String(error) }, 'a price listener failed');
          }
        }
      });
    }
    return venue;
  }
}
