import type { EventStore } from '../ports/event-store.js';
import type { Clock } from '../ports/clock.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';
import type { AccountConfig } from '../../domain/accounts/account.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import type { DomainError, Result } from '../../domain/shared/result.js';
import { accountDecider } from '../../domain/accounts/account-decider.js';
import { streams, type UserRole } from '../../domain/events.js';
import { handleCommand } from './command-handler.js';

type Deps = { readonly store: EventStore; readonly mutex: KeyedMutex; readonly clock: Clock };

const meta = (deps: Deps, tenantId: string, causationId: string) => () => ({ tenantId, time: new Date(deps.clock.now()).toISOString(), causationId });

/** Registers a user of a tenant (once: a second registration of the same id is refused). */
export async function registerUser(deps: Deps, user: { userId: string; tenantId: string; name: string; role: UserRole }, causationId: string): Promise<Result<unknown, DomainError>> {
  const result = await deps.store.append({
    streamId: streams.user(user.userId),
    expectedVersion: 0,
    events: [{ type: 'UserRegistered', data: { ...user } }],
    metadata: meta(deps, user.tenantId, causationId)(),
  });
  return result.kind === 'appended' ? { ok: true, value: undefined } : { ok: false, error: { code: 'USER_EXISTS', message: `user ${user.userId} already exists` } };
}

export async function openAccount(deps: Deps, config: AccountConfig, causationId: string): Promise<Result<unknown, DomainError>> {
  return handleCommand(deps.store, deps.mutex, accountDecider, streams.account(config.accountId), { type: 'OpenAccount', config }, meta(deps, config.tenantId, causationId));
}

/** Records a strategy's configuration (a new version of it when it exists). Its accounts must exist in the same tenant. */
export async function configureStrategy(
  deps: Deps,
  config: StrategyConfig,
  accountTenant: (accountId: string) => string | undefined,
  causationId: string,
): Promise<Result<unknown, DomainError>> {
  for (const link of config.accounts) {
    if (accountTenant(link.accountId) !== config.tenantId) return { ok: false, error: { code: 'ACCOUNT_NOT_FOUND', message: `account ${link.accountId} does not exist` } };
  }
  if (config.accounts.length === 0) return { ok: false, error: { code: 'NO_ACCOUNTS', message: 'a strategy needs at least one account' } };
  const appended = await deps.store.append({
    streamId: streams.strategy(config.strategyId),
    expectedVersion: 'any',
    events: [{ type: 'StrategyConfigured', data: config }],
    metadata: meta(deps, config.tenantId, causationId)(),
  });
  return { ok: true, value: appended.kind === 'appended' ? { lastPosition: appended.lastPosition } : {} };
}
