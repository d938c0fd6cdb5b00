import type { Catalog } from './catalog.js';
import type { AlertEnvelope } from '../../domain/signals/alert-envelope.js';
import { normalizeSignal } from '../../domain/signals/normalize-signal.js';
import { checkStaleness } from '../../domain/signals/staleness.js';
import type { NormalizedSignal } from '../../domain/signals/signal.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import { err, ok, type DomainError, type Result } from '../../domain/shared/result.js';

/** What reading an alert's meaning needs: the configured strategies and listed markets, and a way to fold the log's latest. */
export interface InterpretDeps {
  readonly catalog: Catalog;
  /** folds what the log holds now into the catalog (absent: the catalog at hand is the latest) */
  readonly catchUp?: () => Promise<void>;
}

/** The strategy's configuration as the log holds it now (the one at hand when nothing changed, or without catchUp). */
export async function latestConfig(deps: InterpretDeps, strategy: StrategyConfig): Promise<StrategyConfig> {
  if (!deps.catchUp) return strategy;
  await deps.catchUp();
  return deps.catalog.strategy(strategy.strategyId) ?? strategy;
}

/**
 * An authenticated alert's fields -> the signal they mean for this strategy: normalised against its
 * symbol map and its accounts' listed markets (read again when they refuse it: a map changed or a
 * market listed a moment ago), then checked for staleness. The one interpretation of alert fields,
 * shared by the webhook and by orders placed through the API (the same fields mean the same order).
 */
export async function interpretAlert(deps: InterpretDeps, strategy: StrategyConfig, envelope: AlertEnvelope, receivedAt: string): Promise<Result<NormalizedSignal, DomainError>> {
  let config: StrategyConfig = strategy;
  const normalize = () => {
    const listing = deps.catalog.symbolsFor(config);
    return normalizeSignal(envelope, { listedSymbols: listing.symbols, symbolMap: config.symbolMap, listing: { venues: listing.venues, complete: listing.complete } });
  };
  let normalized = normalize();
  if (!normalized.ok) {
    // the symbol map may have changed a moment ago on another node: decide on the configuration the log holds now
    const now = await latestConfig(deps, config);
    if (now !== config) {
      config = now;
      normalized = normalize();
    }
  }
  // a ticker no list holds: the exchanges may have listed it since (asked at most once a minute each)
  if (!normalized.ok && normalized.error.code === 'UNKNOWN_SYMBOL') {
    await deps.catalog.refreshMarkets(config);
    normalized = normalize();
  }
  if (!normalized.ok) return normalized;
  const fresh = checkStaleness(normalized.value.alertTime, receivedAt, config.maxSignalAgeSeconds);
  return fresh.ok ? ok(normalized.value) : err(fresh.error);
}
