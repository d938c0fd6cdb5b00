import { createHash } from 'node:crypto';
import type { AppendRequest, EventStore } from '../ports/event-store.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';
import type { NormalizedSignal } from '../../domain/signals/signal.js';
import { streams } from '../../domain/events.js';
import { accountDecider } from '../../domain/accounts/account-decider.js';
import { orderDecider } from '../../domain/orders/order-decider.js';
import { handleCommand } from '../commands/command-handler.js';
import { closeSignalAppend } from '../commands/close-position.js';
import { aggregateStream } from '../shared/aggregate-stream.js';
import { killSwitchCancelBy, type PendingKillSwitchActions, type TradingState } from './trading-state.js';

/** What one pass does for one account's pending kill switch actions (pure: decided from the folded state). */
export type KillSwitchStep =
  /** ask the exchange to cancel these live orders (none of them has a cancel request yet) */
  | { readonly kind: 'cancel'; readonly clientOrderIds: readonly string[] }
  /** every live order has a cancel request: wait for the exchange to end them before flattening */
  | { readonly kind: 'wait' }
  /** nothing is open: record a close per strategy and symbol (flatten), then the actions are done */
  | { readonly kind: 'complete'; readonly closes: readonly { readonly strategyId: string; readonly symbol: string }[] };

/**
 * The kill switch's actions (issue 17) step by step. Cancel first: every live order of the account
 * gets a cancel request (also orders that appear later, e.g. a bracket child of an entry that
 * filled before its cancel). Cancel only: done once every live order has its request. Flatten:
 * only once no order of the account is live any more (an order left working could fill after the
 * close was sized), a close of each strategy's own position in each symbol.
 */
export function planKillSwitchStep(
  actions: Pick<PendingKillSwitchActions, 'cancelOrders' | 'flatten'>,
  live: readonly { readonly clientOrderId: string; readonly cancelRequested: boolean }[],
  positions: readonly { readonly strategyId: string; readonly symbol: string }[],
): KillSwitchStep {
  const toCancel = actions.cancelOrders || actions.flatten ? live.filter((o) => !o.cancelRequested).map((o) => o.clientOrderId) : [];
  if (toCancel.length > 0) return { kind: 'cancel', clientOrderIds: toCancel };
  if (!actions.flatten) return { kind: 'complete', closes: [] };
  if (live.length > 0) return { kind: 'wait' };
  return { kind: 'complete', closes: positions };
}

export interface KillSwitchActionDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly mutex: KeyedMutex;
}

/**
 * Carries out the pending kill switch actions of every account, on the routing leader (at the end
 * of each pass of the signal processor, so it sees every fill and cancel folded). Each step is
 * done once whoever repeats it: a cancel request on an order that has one decides nothing, a
 * close signal is deduplicated by its request, strategy and symbol, and KillSwitchActionsDone is
 * decided only while the request is pending. Returns whether anything was appended.
 */
export async function settleKillSwitchActions(deps: KillSwitchActionDeps, state: TradingState): Promise<boolean> {
  let appended = false;
  for (const pending of state.pendingKillSwitchActions()) {
    const live = state.liveOrdersOf(pending.accountId).map((o) => ({ clientOrderId: o.clientOrderId, cancelRequested: state.cancelRequested(o.clientOrderId) }));
    const positions = state.allStrategies()
      .filter((s) => s.tenantId === pending.tenantId)
      .flatMap((s) => state.strategyPositions(pending.accountId, s.strategyId).filter((p) => !p.quantity.isZero()).map((p) => ({ strategyId: s.strategyId, symbol: p.symbol })));
    const step = planKillSwitchStep(pending, live, positions);
    const metadata = () => ({ tenantId: pending.tenantId, time: new Date(deps.clock.now()).toISOString(), causationId: `kill-switch:${pending.requestId}` });
    switch (step.kind) {
      case 'wait':
        continue;
      case 'cancel':
        for (const clientOrderId of step.clientOrderIds) {
          const reason = pending.flatten ? 'kill switch: cancel before flattening' : 'kill switch: cancel open orders';
          const result = await handleCommand(deps.store, deps.mutex, orderDecider, streams.order(clientOrderId), { type: 'RequestCancel', by: killSwitchCancelBy(pending.requestId), reason }, metadata);
          if (result.ok && result.value.events.length > 0) appended = true;
        }
        continue;
      case 'complete': {
        if (await complete(deps, pending, step.closes)) appended = true;
        continue;
      }
      default:
        step satisfies never;
    }
  }
  return appended;
}

/**
 * Records the flatten's closes and KillSwitchActionsDone in one atomic append: either the request
 * is done with every close recorded, or nothing is (then the next pass tries again with the state
 * it has then). Without that, a crash between them would leave the request pending with its own
 * close orders live, which the next pass would cancel.
 */
async function complete(deps: KillSwitchActionDeps, pending: PendingKillSwitchActions, wanted: readonly { strategyId: string; symbol: string }[]): Promise<boolean> {
  const time = new Date(deps.clock.now()).toISOString();
  const causationId = `kill-switch:${pending.requestId}`;
  const closes = wanted.map(({ strategyId, symbol }) => {
    const idempotencyKey = `kill-switch-flatten:${pending.requestId}:${pending.accountId}:${symbol}`;
    const signal: NormalizedSignal = { action: 'close', ticker: symbol, symbol, orderType: 'market', killSwitchFlatten: pending.requestId, comment: 'flattened by the kill switch' };
    return { tenantId: pending.tenantId, strategyId, accountId: pending.accountId, signalId: deps.ids.next('sig'), signal, idempotencyKey, bodySha256: createHash('sha256').update(idempotencyKey).digest('hex'), causationId };
  });
  const account = await aggregateStream(deps.store, streams.account(pending.accountId), accountDecider);
  const decided = accountDecider.decide(
    { type: 'CompleteKillSwitchActions', requestId: pending.requestId, cancelled: [...pending.cancelled], closes: closes.map((c) => ({ strategyId: c.strategyId, symbol: c.signal.symbol, signalId: c.signalId })) },
    account.state,
  );
  if (!decided.ok || decided.value.length === 0) return false; // done already (another leader) or gone
  const done: AppendRequest = { streamId: streams.account(pending.accountId), expectedVersion: account.version, events: decided.value, metadata: { tenantId: pending.tenantId, time, causationId } };
  const result = await deps.store.appendAtomic([...closes.map((c) => closeSignalAppend(c, time)), done]);
  return result.kind === 'appended'; // a conflict (the account stream moved) or a duplicate: tried again on the next pass
}
