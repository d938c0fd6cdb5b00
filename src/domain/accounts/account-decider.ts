import type { AccountConfig } from './account.js';
import type { EventOf } from '../events.js';
import { parseDec } from '../shared/decimal.js';
import { assertNever, type Decider } from '../shared/decider.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';

/** The account aggregate, stream `account-<accountId>`: its configuration and its kill switch. */

export type AccountEvent = EventOf<'AccountOpened' | 'KillSwitchEngaged' | 'KillSwitchReleased' | 'AccountReconciled' | 'AccountBalancesObserved' | 'AccountCredentialsChanged'>;

export type AccountCommand =
  | { readonly type: 'OpenAccount'; readonly config: AccountConfig }
  | { readonly type: 'EngageKillSwitch'; readonly reason: string }
  | { readonly type: 'ReleaseKillSwitch' };

export interface KillSwitchState {
  readonly engaged: boolean;
  /** why it was engaged (kept while engaged) */
  readonly reason?: string;
}

export interface AccountState {
  readonly opened: boolean;
  readonly config?: AccountConfig;
  readonly killSwitch: KillSwitchState;
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

/**
 * Rules: OpenAccount only once (ACCOUNT_EXISTS); the kill switch only on an opened account
 * (ACCOUNT_NOT_FOUND); engaging an engaged switch or releasing a released one decides [] (the
 * first reason is kept). A kill switch reason may be empty: engaging must never fail on validation.
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
      if (state.killSwitch.engaged) return ok([]);
      return ok([{ type: 'KillSwitchEngaged', data: { accountId: state.config.accountId, reason: command.reason } }]);
    }
    case 'ReleaseKillSwitch': {
      if (!state.opened || state.config === undefined) return fail('ACCOUNT_NOT_FOUND', 'cannot release the kill switch: the account was never opened');
      if (!state.killSwitch.engaged) return ok([]);
      return ok([{ type: 'KillSwitchReleased', data: { accountId: state.config.accountId } }]);
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
    case 'KillSwitchReleased':
      return { ...state, killSwitch: { engaged: false } };
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
