import type { StrategyConfig } from '../../domain/strategies/strategy.js';

/** What ingest needs to know about configured strategies and listed markets. */
export interface Catalog {
  strategy(strategyId: string): StrategyConfig | undefined;
  /** unified symbols the exchange lists */
  listedSymbols(): readonly string[];
}
