import type { StrategyConfig } from '../../domain/strategies/strategy.js';

/** What a strategy's accounts' exchanges list, as ingest resolves tickers against it. */
export interface StrategySymbols {
  /** the union of the unified symbols its accounts' exchanges list */
  readonly symbols: readonly string[];
  /** false while some account's list is not known yet (its exchange not reached) */
  readonly complete: boolean;
  /** the exchanges' names, for messages */
  readonly venues: readonly string[];
}

/** What ingest needs to know about configured strategies and listed markets. */
export interface Catalog {
  strategy(strategyId: string): StrategyConfig | undefined;
  /** the markets the strategy's accounts can trade */
  symbolsFor(strategy: StrategyConfig): StrategySymbols;
  /** asks the strategy's accounts' exchanges for their lists again (after a miss; rate-limited) */
  refreshMarkets(strategy: StrategyConfig): Promise<void>;
  /** whether the strategy is paused: its alerts are recorded and refused with STRATEGY_PAUSED (ADR-0019) */
  isPaused?(strategyId: string): boolean;
}
