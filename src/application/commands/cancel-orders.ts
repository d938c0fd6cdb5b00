import type { EventStore } from '../ports/event-store.js';
import type { Clock } from '../ports/clock.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';
import type { TradingState } from '../workflows/trading-state.js';
import type { AccountConfig } from '../../domain/accounts/account.js';
import { streams } from '../../domain/events.js';
import { orderDecider, type OrderStatus } from '../../domain/orders/order-decider.js';
import { err, ok, type DomainError, type Result } from '../../domain/shared/result.js';
import { aggregateStream } from '../shared/aggregate-stream.js';
import { handleCommand } from './command-handler.js';

export interface CancelDeps {
  readonly store: EventStore;
  readonly mutex: KeyedMutex;
  readonly clock: Clock;
  /** the write side's folded log, caught up with everything committed before the call */
  readonly state: () => Promise<Pick<TradingState, 'liveOrdersOf'> & { account(accountId: string): AccountConfig | undefined }>;
}

export interface CancelRequested {
  readonly clientOrderId: string;
  /** the order's status now: a never-sent order is `cancelled` at once; an order on the exchange keeps its status until the exchange answers */
  readonly status: OrderStatus;
  /** false: a cancel was already pending (nothing new recorded) */
  readonly recorded: boolean;
}

const MAX_REASON = 200;

/**
 * Records a cancel request on the order's stream (the intent first, issue 17); the node that owns
 * the account reads it from the log and asks the exchange. Tenant-scoped: another tenant's order
 * is ORDER_NOT_FOUND. A final order is ORDER_NOT_OPEN, and nothing is recorded.
 */
export async function requestOrderCancel(
  deps: CancelDeps,
  tenantId: string,
  clientOrderId: string,
  by: string,
  reason: string,
): Promise<Result<CancelRequested & { lastPosition?: number }, DomainError>> {
  const streamId = streams.order(clientOrderId);
  const { history } = await aggregateStream(deps.store, streamId, orderDecider);
  if (history.length === 0 || history[0]!.metadata.tenantId !== tenantId) return err({ code: 'ORDER_NOT_FOUND', message: 'no such order' });
  const why = reason.trim().slice(0, MAX_REASON) || 'cancel requested';
  const result = await handleCommand(deps.store, deps.mutex, orderDecider, streamId, { type: 'RequestCancel', by, reason: why }, (h) => ({
    tenantId,
    time: new Date(deps.clock.now()).toISOString(),
    ...(h[0]?.metadata.correlationId !== undefined ? { correlationId: h[0].metadata.correlationId } : {}),
    causationId: `cancel:${by}`,
  }));
  if (!result.ok) return result;
  const after = await aggregateStream(deps.store, streamId, orderDecider);
  return ok({
    clientOrderId,
    status: after.state.status,
    recorded: result.value.events.length > 0,
    ...(result.value.lastPosition !== undefined ? { lastPosition: result.value.lastPosition } : {}),
  });
}

/**
 * Cancels every open order of an account (of one symbol when given): one request per order, each
 * on its own stream. ACCOUNT_NOT_FOUND for an account of another tenant or none. Orders that
 * became final in between are reported under `notOpen`, not as errors.
 */
export async function requestAccountCancels(
  deps: CancelDeps,
  tenantId: string,
  accountId: string,
  filter: { symbol?: string },
  by: string,
  reason: string,
): Promise<Result<{ requested: CancelRequested[]; notOpen: string[]; lastPosition?: number }, DomainError>> {
  const state = await deps.state();
  const account = state.account(accountId);
  if (!account || account.tenantId !== tenantId) return err({ code: 'ACCOUNT_NOT_FOUND', message: 'no such account' });
  const requested: CancelRequested[] = [];
  const notOpen: string[] = [];
  let lastPosition: number | undefined;
  for (const order of state.liveOrdersOf(accountId, filter.symbol !== undefined ? { symbol: filter.symbol } : {})) {
    const result = await requestOrderCancel(deps, tenantId, order.clientOrderId, by, reason);
    if (!result.ok) {
      if (result.error.code === 'ORDER_NOT_OPEN') notOpen.push(order.clientOrderId);
      else return result;
      continue;
    }
    const { lastPosition: position, ...request } = result.value;
    requested.push(request);
    if (position !== undefined) lastPosition = Math.max(lastPosition ?? 0, position);
  }
  return ok({ requested, notOpen, ...(lastPosition !== undefined ? { lastPosition } : {}) });
}
