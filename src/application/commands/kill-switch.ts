import type { EventStore } from '../ports/event-store.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';
import type { DomainError, Result } from '../../domain/shared/result.js';
import { accountDecider, type KillSwitchActions } from '../../domain/accounts/account-decider.js';
import { systemDecider } from '../../domain/accounts/system-decider.js';
import { streams } from '../../domain/events.js';
import { handleCommand } from './command-handler.js';

/** What the kill switch also does when engaged (issue 17): cancel the open orders; flatten every position (cancels first). */
export interface KillSwitchOptions {
  readonly cancelOrders?: boolean;
  readonly flatten?: boolean;
  /** who asked (recorded with the request) */
  readonly by: string;
}

export interface KillSwitchDeps {
  readonly store: EventStore;
  readonly mutex: KeyedMutex;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** the tenant's accounts (the global switch's actions apply to each) */
  readonly accountsOf: (tenantId: string) => readonly string[];
}

export interface KillSwitchChanged {
  readonly changed: boolean;
  /** the accounts whose orders are cancelled / positions flattened, with the request's id */
  readonly actions: readonly { readonly accountId: string; readonly requestId: string }[];
  readonly lastPosition?: number;
}

/**
 * Engages or releases the kill switch of one account, or of the whole system (accountId undefined).
 * With options (engaging only), each account concerned records KillSwitchActionsRequested; the
 * routing leader then cancels the account's open orders and, for flatten, closes every strategy's
 * position once nothing is open (settleKillSwitchActions).
 */
export async function setKillSwitch(
  deps: KillSwitchDeps,
  tenantId: string,
  target: { accountId?: string },
  engaged: boolean,
  reason: string,
  options?: KillSwitchOptions,
): Promise<Result<KillSwitchChanged, DomainError>> {
  const metadata = () => ({ tenantId, time: new Date(deps.clock.now()).toISOString(), causationId: 'api:kill-switch' });
  const wanted = engaged && options !== undefined && (options.cancelOrders === true || options.flatten === true);
  const actionsFor = (): KillSwitchActions | undefined =>
    wanted ? { requestId: deps.ids.next('ks'), cancelOrders: options.cancelOrders === true || options.flatten === true, flatten: options.flatten === true, by: options.by } : undefined;
  const requested: { accountId: string; requestId: string }[] = [];
  let lastPosition: number | undefined;
  let changed: boolean;
  if (target.accountId === undefined) {
    const result = await handleCommand(deps.store, deps.mutex, systemDecider, streams.system(tenantId), engaged ? { type: 'EngageGlobalKillSwitch', reason } : { type: 'ReleaseGlobalKillSwitch' }, metadata);
    if (!result.ok) return result;
    changed = result.value.events.length > 0;
    lastPosition = result.value.lastPosition;
    for (const accountId of wanted ? deps.accountsOf(tenantId) : []) {
      const actions = actionsFor()!;
      const recorded = await handleCommand(deps.store, deps.mutex, accountDecider, streams.account(accountId), { type: 'RequestKillSwitchActions', actions }, metadata);
      if (!recorded.ok) return recorded;
      requested.push({ accountId, requestId: actions.requestId });
      if (recorded.value.lastPosition !== undefined) lastPosition = Math.max(lastPosition ?? 0, recorded.value.lastPosition);
    }
  } else {
    const actions = actionsFor();
    const result = await handleCommand(deps.store, deps.mutex, accountDecider, streams.account(target.accountId),
      engaged ? { type: 'EngageKillSwitch', reason, ...(actions ? { actions } : {}) } : { type: 'ReleaseKillSwitch' }, metadata);
    if (!result.ok) return result;
    changed = result.value.events.some((e) => e.type === 'KillSwitchEngaged' || e.type === 'KillSwitchReleased');
    lastPosition = result.value.lastPosition;
    if (actions) requested.push({ accountId: target.accountId, requestId: actions.requestId });
  }
  return { ok: true, value: { changed, actions: requested, ...(lastPosition !== undefined ? { lastPosition } : {}) } };
}
