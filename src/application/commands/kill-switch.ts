import type { EventStore } from '../ports/event-store.js';
import type { Clock } from '../ports/clock.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';
import type { DomainError, Result } from '../../domain/shared/result.js';
import { accountDecider } from '../../domain/accounts/account-decider.js';
import { systemDecider } from '../../domain/accounts/system-decider.js';
import { streams } from '../../domain/events.js';
import { handleCommand } from './command-handler.js';

/** Engages or releases the kill switch of one account, or of the whole system (accountId undefined). */
export async function setKillSwitch(
  deps: { store: EventStore; mutex: KeyedMutex; clock: Clock },
  tenantId: string,
  target: { accountId?: string },
  engaged: boolean,
  reason: string,
): Promise<Result<{ changed: boolean; lastPosition?: number }, DomainError>> {
  const metadata = () => ({ tenantId, time: new Date(deps.clock.now()).toISOString(), causationId: 'api:kill-switch' });
  const result =
    target.accountId === undefined
      ? await handleCommand(deps.store, deps.mutex, systemDecider, streams.system(tenantId), engaged ? { type: 'EngageGlobalKillSwitch', reason } : { type: 'ReleaseGlobalKillSwitch' }, metadata)
      : await handleCommand(deps.store, deps.mutex, accountDecider, streams.account(target.accountId), engaged ? { type: 'EngageKillSwitch', reason } : { type: 'ReleaseKillSwitch' }, metadata);
  if (!result.ok) return result;
  return { ok: true, value: { changed: result.value.events.length > 0, ...(result.value.lastPosition !== undefined ? { lastPosition: result.value.lastPosition } : {}) } };
}
