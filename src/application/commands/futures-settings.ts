import type { EventStore } from '../ports/event-store.js';
import type { Clock } from '../ports/clock.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';
import { accountDecider } from '../../domain/accounts/account-decider.js';
import type { FuturesSettings } from '../../domain/accounts/futures-settings.js';
import { streams } from '../../domain/events.js';
import { err, ok, type DomainError, type Result } from '../../domain/shared/result.js';
import { handleCommand } from './command-handler.js';

type Deps = { readonly store: EventStore; readonly mutex: KeyedMutex; readonly clock: Clock };

export interface FuturesSettingsInput {
  readonly leverage: unknown;
  readonly marginMode: unknown;
  readonly symbols?: unknown;
}

/**
 * Sets a swap account's leverage and margin mode (issue 17), recorded as AccountFuturesSettingsChanged
 * on the account's stream. Another tenant's account answers ACCOUNT_NOT_FOUND, exactly like one
 * that does not exist; the decider refuses spot and paper accounts and invalid settings.
 */
export async function setFuturesSettings(
  deps: Deps,
  tenantId: string,
  accountId: string,
  input: FuturesSettingsInput,
  accountTenant: (accountId: string) => string | undefined,
  by: string,
): Promise<Result<{ changed: boolean; lastPosition?: number }, DomainError>> {
  if (accountTenant(accountId) !== tenantId) return err({ code: 'ACCOUNT_NOT_FOUND', message: 'no such account' });
  const settings = { leverage: input.leverage, marginMode: input.marginMode, symbols: input.symbols ?? {} } as FuturesSettings;
  const result = await handleCommand(deps.store, deps.mutex, accountDecider, streams.account(accountId), { type: 'SetFuturesSettings', settings, by }, () => ({
    tenantId, time: new Date(deps.clock.now()).toISOString(), causationId: 'api:futures-settings',
  }));
  if (!result.ok) return result;
  return ok({ changed: result.value.events.length > 0, ...(result.value.lastPosition !== undefined ? { lastPosition: result.value.lastPosition } : {}) });
}
