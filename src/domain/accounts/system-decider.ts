import type { EventOf } from '../events.js';
import { assertNever, type Decider } from '../shared/decider.js';
import { ok, type DomainError, type Result } from '../shared/result.js';
import type { KillSwitchState } from './account-decider.js';

/** The `system` stream: the global kill switch, which stops every account at once. */

export type SystemEvent = EventOf<'GlobalKillSwitchEngaged' | 'GlobalKillSwitchReleased'>;

export type SystemCommand =
  | { readonly type: 'EngageGlobalKillSwitch'; readonly reason: string }
  | { readonly type: 'ReleaseGlobalKillSwitch' };

export interface SystemState {
  readonly globalKillSwitch: KillSwitchState;
}

export const initialSystemState = (): SystemState => ({ globalKillSwitch: { engaged: false } });

/** Engaging when engaged, or releasing when released, decides [] (the first reason is kept). Never fails. */
export function decideSystem(command: SystemCommand, state: SystemState): Result<readonly SystemEvent[], DomainError> {
  switch (command.type) {
    case 'EngageGlobalKillSwitch':
      if (state.globalKillSwitch.engaged) return ok([]);
      return ok([{ type: 'GlobalKillSwitchEngaged', data: { reason: command.reason } }]);
    case 'ReleaseGlobalKillSwitch':
      if (!state.globalKillSwitch.engaged) return ok([]);
      return ok([{ type: 'GlobalKillSwitchReleased', data: {} }]);
    default:
      return assertNever(command);
  }
}

export function evolveSystem(state: SystemState, event: SystemEvent): SystemState {
  switch (event.type) {
    case 'GlobalKillSwitchEngaged':
      return { ...state, globalKillSwitch: { engaged: true, reason: event.data.reason } };
    case 'GlobalKillSwitchReleased':
      return { ...state, globalKillSwitch: { engaged: false } };
    default:
      return assertNever(event);
  }
}

export const systemDecider: Decider<SystemCommand, SystemEvent, SystemState> = {
  initialState: initialSystemState,
  decide: decideSystem,
  evolve: evolveSystem,
};
