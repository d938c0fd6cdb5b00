import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import type { AccountConfig } from '../../domain/accounts/account.js';

/** What ingest and routing need to know about configured strategies and accounts. */
export interface Catalog {
  strategy(strategyId: string): StrategyConfig | undefined;
  account(accountId: string): AccountConfig | undefined;
  /** unified symbols the exchange lists */
  listedSymbols(): readonly string[];
}
