import type { AccountConfig } from './account.js';
import type { EventOf } from '../events.js';
import { parseDec } from '../shared/decimal.js';
import { assertNever, type Decider } from '../shared/decider.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';
import { futuresSettingsRefusal, sameFuturesSettings, validateFuturesSettings, type FuturesSettings } from './futures-settings.js';

/** The account aggregate, stream `account-<accountId>`: its configuration and its kill switch. */

export type AccountEvent = EventOf<
  'AccountOpened' | 'KillSwitchEngaged' | 'KillSwitchReleased' | 'KillSwitchActionsRequested' | 'KillSwitchActionsDone' | 'AccountReconciled' | 'AccountBalancesObserved' | 'AccountCredentialsChanged' | 'AccountFuturesSettingsChanged'
>;

/** What the kill switch also does (issue 17): cancel the open orders; flatten (which cancels them first). */
export interface KillSwitchActions {
  readonly requestId: string;
  readonly cancelOrders: boolean;
  readonly flatten: boolean;
  readonly by: string;
}

export type AccountCommand =
  | { readonly type: 'OpenAccount'; readonly config: AccountConfig }
  | { readonly type: 'EngageKillSwitch'; readonly reason: string; readonly actions?: KillSwitchActions }
  | { readonly type: 'ReleaseKillSwitch' }
  /** a swap account's leverage and margin mode (issue 17) */
  | { readonly type: 'SetFuturesSettings'; readonly settings: FuturesSettings; readonly by: string }
  /** the global kill switch's actions, recorded on each account of the tenant */
  | { readonly type: 'RequestKillSwitchActions'; readonly actions: KillSwitchActions }
  | { readonly type: 'CompleteKillSwitchActions'; readonly requestId: string; readonly cancelled: readonly string[]; readonly closes: readonly { readonly strategyId: string; readonly symbol: string; readonly signalId: string }[] };

export interface KillSwitchState {
  readonly engaged: boolean;
  /** why it was engaged (kept while engaged) */
  readonly reason?: string;
}

export interface AccountState {
  readonly opened: boolean;
  readonly config?: AccountConfig;
  readonly killSwitch: KillSwitchState;
  /** kill switch actions requested and not done yet (the latest request) */
  readonly pendingActions?: KillSwitchActions;
  /** a flatten was asked since the switch was last released: no new protective order (bracket child) is placed */
  readonly flattening?: boolean;
}

export const initialAccountState = (): AccountState => ({ opened: false, killSwitch: { engaged: false } });

type Decision = Result<readonly AccountEvent[], DomainError>;
const fail = (code: string, message: string): Decision => err({ code, message });

function validateConfig(config: AccountConfig): string | undefined {
  if (config.accountId.trim() === '') return 'accountId must not be empty';
  if (config.quoteAsset.trim() === '') return 'quoteAsset must not be empty';
  const seen = new Set<string>();
  for (const balance of config.initialBalances) {
    if (seen.has(balance.asset)) return `initial balance for ${balance.asset} is given twice`;
    seen.add(balance.asset);
    const amount = parseDec(balance.amount);
    if (amount === undefined || amount.isNegative()) return `initial balance ${balance.amount} ${balance.asset} is not a non-negative decimal`;
  }
  return undefined;
}

/** Flatten implies cancelling the open orders first (an order left working could reopen the position). */
function actionsRequested(accountId: string, actions: KillSwitchActions | undefined): AccountEvent[] {
  if (!actions || (!actions.cancelOrders && !actions.flatten)) return [];
  return [{ type: 'KillSwitchActionsRequested', data: { accountId, requestId: actions.requestId, cancelOrders: actions.cancelOrders || actions.flatten, flatten: actions.flatten, by: actions.by } }];
}

/**
 * Rules: OpenAccount only once (ACCOUNT_EXISTS); the kill switch only on an opened account
 * (ACCOUNT_NOT_FOUND); engaging an engaged switch or releasing a released one decides [] (the
 * first reason is kept). A kill switch reason may be empty: engaging must never fail on validation.
 * Actions (cancel orders, flatten) are recorded even when the switch was engaged already; they
 * are not undone by a release. Completing actions that are not pending decides [] (done once).
 */
export function decideAccount(command: AccountCommand, state: AccountState): Decision {
  switch (command.type) {
    case 'OpenAccount': {
      if (state.opened) return fail('ACCOUNT_EXISTS', `account ${state.config?.accountId ?? command.config.accountId} is already opened`);
      const invalid = validateConfig(command.config);
      if (invalid !== undefined) return fail('INVALID_ACCOUNT_CONFIG', invalid);
      return ok([{ type: 'AccountOpened', data: command.config }]);
    }
    case 'EngageKillSwitch': {
      if (!state.opened || state.config === undefined) return fail('ACCOUNT_NOT_FOUND', 'cannot engage the kill switch: the account was never opened');
      const engage: AccountEvent[] = state.killSwitch.engaged ? [] : [{ type: 'KillSwitchEngaged', data: { accountId: state.config.accountId, reason: command.reason } }];
      return ok([...engage, ...actionsRequested(state.config.accountId, command.actions)]);
    }
    case 'RequestKillSwitchActions':
      if (!state.opened || state.config === undefined) return fail('ACCOUNT_NOT_FOUND', 'the account was never opened');
      return ok(actionsRequested(state.config.accountId, command.actions));
    case 'CompleteKillSwitchActions':
      if (!state.opened || state.config === undefined) return fail('ACCOUNT_NOT_FOUND', 'the account was never opened');
      if (state.pendingActions?.requestId !== command.requestId) return ok([]);
      return ok([{ type: 'KillSwitchActionsDone', data: { accountId: state.config.accountId, requestId: command.requestId, cancelled: command.cancelled, closes: command.closes } }]);
    case 'ReleaseKillSwitch': {
      if (!state.opened || state.config === undefined) return fail('ACCOUNT_NOT_FOUND', 'cannot release the kill switch: the account was never opened');
      if (!state.killSwitch.engaged) return ok([]);
      return ok([{ type: 'KillSwitchReleased', data: { accountId: state.config.accountId } }]);
    }
    case 'SetFuturesSettings': {
      if (!state.opened || state.config === undefined) return fail('ACCOUNT_NOT_FOUND', 'the account was never opened');
      const refusal = futuresSettingsRefusal(state.config);
      if (refusal) return err(refusal);
      const valid = validateFuturesSettings(command.settings);
      if (!valid.ok) return valid;
      if (sameFuturesSettings(state.config.futures, valid.value)) return ok([]);
      return ok([{ type: 'AccountFuturesSettingsChanged', data: { accountId: state.config.accountId, settings: valid.value, by: command.by } }]);
    }
    default:
      return assertNever(command);
  }
}

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  switch (event.type) {
    case 'AccountOpened':
      return { ...state, opened: true, config: event.data };
    case 'KillSwitchEngaged':
      return { ...state, killSwitch: { engaged: true, reason: event.data.reason } };
    case 'KillSwitchReleased': {
      const { flattening: _over, ...rest } = state;
      return { ...rest, killSwitch: { engaged: false } };
    }
    case 'KillSwitchActionsRequested': {
      const { accountId: _account, ...actions } = event.data;
      return { ...state, pendingActions: actions, ...(actions.flatten || state.flattening ? { flattening: true } : {}) };
    }
    case 'KillSwitchActionsDone': {
      if (state.pendingActions?.requestId !== event.data.requestId) return state;
      const { pendingActions: _done, ...rest } = state;
      return rest;
    }
    case 'AccountFuturesSettingsChanged':
      return state.config ? { ...state, config: { ...state.config, futures: event.data.settings } } : state;
    case 'AccountReconciled': // observations and credential changes live on the stream but decide nothing here
    case 'AccountBalancesObserved':
    case 'AccountCredentialsChanged':
      return state;
    default:
      return assertNever(event);
  }
}

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  initialState: initialAccountState,
  decide: decideAccount,
  evolve: evolveAccount,
};
