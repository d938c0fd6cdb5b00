/**
 * A strategy's run state, as a pure decider over its stream (ADR-0019):
 *
 *   none --StrategyConfigured--> active --Pause--> paused --Resume--> active
 *   active | paused --Delete--> deleted (final: every command is STRATEGY_NOT_FOUND)
 *
 * Pausing a paused strategy and resuming an active one change nothing (no event). Configuring a
 * strategy again keeps its run state.
 */
import type { EventOf } from '../events.js';
import { assertNever, type Decider } from '../shared/decider.js';
import { err, ok } from '../shared/result.js';

export type StrategyControlEvent = EventOf<'StrategyConfigured'> | EventOf<'StrategyPaused'> | EventOf<'StrategyResumed'> | EventOf<'StrategyDeleted'>;

export type StrategyControlCommand =
  | { readonly type: 'Pause'; readonly by: string; readonly reason: string }
  | { readonly type: 'Resume'; readonly by: string }
  | { readonly type: 'Delete'; readonly by: string };

export type StrategyRunState = 'none' | 'active' | 'paused' | 'deleted';

const notFound = { code: 'STRATEGY_NOT_FOUND', message: 'no such strategy' } as const;

export const strategyControlDecider: Decider<StrategyControlCommand, StrategyControlEvent, { readonly status: StrategyRunState; readonly strategyId?: string }> = {
  initialState: () => ({ status: 'none' }),
  decide: (command, state) => {
    if (state.status === 'none' || state.status === 'deleted' || state.strategyId === undefined) return err(notFound);
    const strategyId = state.strategyId;
    switch (command.type) {
      case 'Pause':
        return ok(state.status === 'paused' ? [] : [{ type: 'StrategyPaused', data: { strategyId, by: command.by, reason: command.reason } }]);
      case 'Resume':
        return ok(state.status === 'active' ? [] : [{ type: 'StrategyResumed', data: { strategyId, by: command.by } }]);
      case 'Delete':
        return ok([{ type: 'StrategyDeleted', data: { strategyId, by: command.by } }]);
      default:
        return assertNever(command);
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'StrategyConfigured':
        return { status: state.status === 'none' ? 'active' : state.status, strategyId: event.data.strategyId };
      case 'StrategyPaused':
        return state.status === 'deleted' ? state : { ...state, status: 'paused' };
      case 'StrategyResumed':
        return state.status === 'deleted' ? state : { ...state, status: 'active' };
      case 'StrategyDeleted':
        return { ...state, status: 'deleted' };
      default:
        return assertNever(event);
    }
  },
};
