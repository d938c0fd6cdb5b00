import type { EventStore } from '../ports/event-store.js';
import type { Clock } from '../ports/clock.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';
import type { TradingState } from '../workflows/trading-state.js';
import { strategyControlDecider, type StrategyControlCommand } from '../../domain/strategies/strategy-control.js';
import { streams } from '../../domain/events.js';
import { decToString } from '../../domain/shared/decimal.js';
import { err, ok, type DomainError, type Result } from '../../domain/shared/result.js';
import { handleCommand } from './command-handler.js';

export interface StrategyControlDeps {
  readonly store: EventStore;
  readonly mutex: KeyedMutex;
  readonly clock: Clock;
  /** the folded state now (read it through this each time: a rebuild replaces it) */
  readonly state: () => TradingState;
  readonly catchUp: () => Promise<void>;
}

export type ControlError = DomainError & { readonly status: 404 | 409 };

/**
 * Pauses, resumes or deletes a strategy of the tenant (ADR-0019). Pausing a paused strategy or
 * resuming an active one changes nothing. A strategy that still holds a position on any account is
 * not deleted (STRATEGY_HOLDS_POSITIONS: close it first), so no position is left without an owner
 * that can close it; its signals and orders stay in the log either way.
 */
export async function controlStrategy(
  deps: StrategyControlDeps, tenantId: string, strategyId: string, command: StrategyControlCommand,
): Promise<Result<{ changed: boolean; lastPosition?: number }, ControlError>> {
  await deps.catchUp();
  const state = deps.state();
  const strategy = state.strategy(strategyId);
  if (!strategy || strategy.tenantId !== tenantId) return err({ status: 404, code: 'STRATEGY_NOT_FOUND', message: 'no such strategy' });
  if (command.type === 'Delete') {
    const held = strategy.accounts.flatMap((link) => heldBy(state, link.accountId, strategyId));
    if (held.length > 0) {
      return err({ status: 409, code: 'STRATEGY_HOLDS_POSITIONS', message: `the strategy still holds ${held.join(', ')}: close its positions first (POST /accounts/{id}/positions/{symbol}/close)` });
    }
  }
  const metadata = () => ({ tenantId, time: new Date(deps.clock.now()).toISOString(), causationId: `api:strategy-${command.type.toLowerCase()}` });
  const result = await handleCommand(deps.store, deps.mutex, strategyControlDecider, streams.strategy(strategyId), command, metadata);
  if (!result.ok) return err({ status: 404, ...result.error });
  return ok({ changed: result.value.events.length > 0, ...(result.value.lastPosition !== undefined ? { lastPosition: result.value.lastPosition } : {}) });
}

function heldBy(state: TradingState, accountId: string, strategyId: string): string[] {
  return state.strategyPositions(accountId, strategyId).map((p) => `${decToString(p.quantity)} ${p.symbol} on ${accountId}`);
}
