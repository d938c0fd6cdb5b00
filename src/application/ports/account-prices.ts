import type { AccountConfig } from '../../domain/accounts/account.js';
import type { MarketDataStatus, Quote } from './market-data.js';

/** A quote as one account sees it: from its own exchange, with its age now. */
export interface AccountQuote extends Quote {
  /** ms since it arrived */
  readonly ageMs: number;
}

/** Port: every account's prices come from its own exchange's market data (or the paper exchange's feed). */
export interface AccountPrices {
  /** the latest quote of a symbol on the account's exchange, however old (judge by `ageMs`) */
  quote(account: AccountConfig, symbol: string): AccountQuote | undefined;
  /** the symbols `owner` needs on this account's exchange (replaces that owner's previous set) */
  follow(owner: string, account: AccountConfig, symbols: readonly string[]): void;
  /**
   * Follows the symbols (as `owner`) and resolves once each has a quote younger than `maxAgeMs`,
   * or after `timeoutMs` whatever arrived: a first alert on a new symbol waits for its price.
   */
  ensure(owner: string, account: AccountConfig, symbols: readonly string[], maxAgeMs: number, timeoutMs: number): Promise<void>;
  /** where the account's prices come from and how its connections are */
  status(account: AccountConfig): MarketDataStatus;
  /** every new quote of every source, with the source's venue key; returns an unsubscribe function */
  onQuote(listener: (venue: string, quote: Quote) => void): () => void;
  /** the venue key of the account's prices (accounts with one key share their quotes) */
  venueOf(account: AccountConfig): string;
}
