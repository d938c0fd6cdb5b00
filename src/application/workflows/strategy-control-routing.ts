import type { EventOf } from '../../domain/events.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import type { DomainError } from '../../domain/shared/result.js';
import { signalDecider } from '../../domain/signals/signal-decider.js';
import { fold } from '../../domain/shared/decider.js';
import type { RoutingDecision } from './route-signal.js';

/**
 * Why a pending signal is not routed at all (ADR-0019): its strategy was paused or deleted after the
 * alert was accepted (ingest refuses them from then on; this covers the alerts in between and other
 * nodes that had not folded the change yet). A close asked through the API (format "api") still
 * goes: pausing a strategy and then closing its position is the usual way to stop it.
 */
export function controlRefusal(received: EventOf<'SignalReceived'>, state: { isPaused(strategyId: string): boolean; strategy(strategyId: string): unknown }): DomainError | undefined {
  if (received.data.format === 'api') return undefined;
  if (state.strategy(received.data.strategyId) === undefined) return { code: 'STRATEGY_DELETED', message: 'the strategy was deleted before this alert was routed: nothing was sent' };
  if (state.isPaused(received.data.strategyId)) return { code: 'STRATEGY_PAUSED', message: 'the strategy was paused before this alert was routed: nothing was sent' };
  return undefined;
}

/** The decision for a signal refused as a whole: no order, each of its accounts skipped with the reason. */
export function refusedRouting(received: EventOf<'SignalReceived'>, strategy: StrategyConfig, code: string, message: string): RoutingDecision {
  const accounts = strategy.accounts.filter((a) => received.data.accountId === undefined || a.accountId === received.data.accountId);
  const processed = signalDecider.decide({ type: 'MarkProcessed', orders: [], skipped: accounts.map((a) => ({ accountId: a.accountId, code, message })) }, fold(signalDecider, [received]));
  if (!processed.ok) throw new Error(`signal decider refused MarkProcessed: ${processed.error.code}`);
  return { orders: [], processed: processed.value[0] as RoutingDecision['processed'] };
}
