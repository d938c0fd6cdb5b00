import type { AccountConfig } from '../../domain/accounts/account.js';
import type { Market } from './exchange.js';

/** Port: the markets each account's own exchange lists (symbols, precision, limits, status). */
export interface AccountMarkets {
  /** the account's markets; undefined while its exchange's list is not known yet */
  list(account: AccountConfig): readonly Market[] | undefined;
  /** one market of the account's exchange by PATRIOT's unified symbol */
  market(account: AccountConfig, symbol: string): Market | undefined;
  /**
   * Asks the account's exchange for its list again after a miss (a symbol not found, or no list
   * yet). Resolves once the list is loaded or the attempt failed; asks at most once a minute per
   * exchange — `urgent` (the account has no list at all and an alert waits) asks at once.
   */
  refresh(account: AccountConfig, urgent?: boolean): Promise<void>;
  /** the exchange's name for messages, e.g. "binance" or "the paper exchange" */
  venueName(account: AccountConfig): string;
}
