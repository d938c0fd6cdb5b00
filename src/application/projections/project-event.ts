import type { RecordedLike } from '../ports/event-store.js';
import type { ReadDoc } from '../ports/projection-store.js';
import type { PatriotEvent } from '../../domain/events.js';
import { assertNever } from '../../domain/shared/decider.js';
import { orderStatusAfter, type OrderEvent, type OrderStatus } from '../../domain/orders/order-decider.js';
import { Dec, ZERO, decToString } from '../../domain/shared/decimal.js';
import { applyFill } from '../../domain/positions/position.js';
import { applyFillToBalances, splitSymbol } from '../../domain/portfolio/balances.js';
import { C, type AccountView, type BalanceView, type FillView, type KillSwitchActionsView, type OrderView, type PositionView, type SignalView, type UserView } from './read-models.js';

/** Read/write access to the documents of one tenant while projecting. */
export interface DocAccess {
  get(collection: string, tenantId: string, id: string): ReadDoc | undefined;
  put(doc: ReadDoc): void;
}

type Keys = { accountId?: string; strategyId?: string; signalId?: string };

/**
 * The documents projecting this event will read (a prefetch hint for a cache that does not
 * hold every document; the runner still detects any read it did not foresee).
 */
export function documentsReadBy(recorded: RecordedLike): [collection: string, id: string][] {
  const event = { type: recorded.type, data: recorded.data } as PatriotEvent;
  const signalOf = recorded.metadata.correlationId;
  const orderAndSignal = (clientOrderId: string): [string, string][] => [[C.orders, clientOrderId], ...(signalOf ? [[C.signals, signalOf] as [string, string]] : [])];
  switch (event.type) {
    case 'UserRegistered':
    case 'UserDisabled':
    case 'UserEnabled':
    case 'UserRoleChanged':
    case 'UserPasswordReset':
    case 'UserApiKeyRevoked':
      return [[C.users, event.data.userId]];
    case 'AccountOpened':
      return [[C.accounts, event.data.accountId], ...event.data.initialBalances.map((b): [string, string] => [C.balances, `${event.data.accountId}:${b.asset}`])];
    case 'KillSwitchEngaged':
    case 'KillSwitchReleased':
    case 'KillSwitchActionsRequested':
    case 'KillSwitchActionsDone':
    case 'AccountReconciled':
    case 'AccountCredentialsChanged':
    case 'AccountFuturesSettingsChanged':
      return [[C.accounts, event.data.accountId]];
    case 'AccountBalancesObserved':
      return [...event.data.cleared, ...event.data.balances.map((b) => b.asset)].map((asset): [string, string] => [C.balances, `${event.data.accountId}:${asset}`]);
    case 'GlobalKillSwitchEngaged':
    case 'GlobalKillSwitchReleased':
      return [[C.system, 'global']];
    case 'ExchangeCircuitChanged':
    case 'AccountPricesChanged':
    case 'AccountOwnerChanged':
      return []; // told to the user (issue 19); the connection's state now is read live (/accounts/:id/connection)
    case 'StrategyConfigured':
    case 'StrategyPaused':
    case 'StrategyResumed':
    case 'StrategyDeleted':
      return [[C.strategies, event.data.strategyId]];
    case 'SignalReceived':
    case 'SignalRejected':
    case 'AlertRepeated':
      return [[C.signals, event.data.signalId]];
    case 'SignalProcessed':
      return [[C.signals, event.data.signalId], ...event.data.orders.map((o): [string, string] => [C.orders, o.clientOrderId])];
    case 'OrderApproved':
    case 'OrderRejected':
      return [[C.orders, event.data.clientOrderId]];
    case 'OrderAccepted':
    case 'OrderExchangeRejected':
    case 'OrderStatusUnknown':
    case 'OrderCancelled':
    case 'OrderExpired':
    case 'OrderParked':
    case 'OrderReleased':
    case 'OrderSubmitted':
    case 'OrderCancelRequested':
    case 'OrderTriggered':
    case 'OrderTrailMoved':
      return orderAndSignal(event.data.clientOrderId);
    case 'OrderFilled': {
      const { base, quote } = splitSymbol(event.data.symbol);
      const a = event.data.accountId;
      return [
        ...orderAndSignal(event.data.clientOrderId), [C.fills, `${a}:${event.data.tradeId}`], [C.positions, `${a}:${event.data.symbol}`],
        [C.balances, `${a}:${base}`], [C.balances, `${a}:${quote}`], [C.balances, `${a}:${event.data.feeCurrency}`],
      ];
    }
    default:
      return assertNever(event);
  }
}

/** Applies one recorded event to the read models. Pure apart from the DocAccess it is given. */
export function projectEvent(recorded: RecordedLike, docs: DocAccess): void {
  const event = { type: recorded.type, data: recorded.data } as PatriotEvent;
  const tenantId = recorded.metadata.tenantId;
  const time = recorded.metadata.time;
  const seq = recorded.globalPosition;

  const get = <T>(collection: string, id: string): T | undefined => docs.get(collection, tenantId, id)?.data as T | undefined;
  const put = <T extends object>(collection: string, id: string, data: T, keys: Keys, createdSeq?: number): void => {
    const existing = docs.get(collection, tenantId, id);
    docs.put({ collection, id, tenantId, ...keys, seq: existing?.seq ?? createdSeq ?? seq, data: data as Record<string, unknown> });
  };
  const updateOrder = (clientOrderId: string, patch: (o: OrderView) => OrderView): OrderView | undefined => {
    const order = get<OrderView>(C.orders, clientOrderId);
    if (!order) return undefined;
    const next = { ...patch(order), updatedAt: time };
    put(C.orders, clientOrderId, next, { accountId: next.accountId, strategyId: next.strategyId, signalId: next.signalId });
    syncSignalOrderStatus(next);
    return next;
  };
  /** the order's status after this event, from the order decider's state machine (the one source of it) */
  const statusAfter = (o: OrderView, e: OrderEvent): OrderStatus => orderStatusAfter(o.status as OrderStatus, e);
  const syncSignalOrderStatus = (order: OrderView): void => {
    const signal = get<SignalView>(C.signals, order.signalId);
    if (!signal) return;
    const orders = signal.orders.map((o) => (o.clientOrderId === order.clientOrderId ? { ...o, status: order.status } : o));
    put(C.signals, order.signalId, { ...signal, orders }, { strategyId: signal.strategyId, signalId: signal.signalId });
  };

  switch (event.type) {
    case 'UserRegistered': {
      const user: UserView = { userId: event.data.userId, name: event.data.name, role: event.data.role, registeredAt: time };
      put(C.users, event.data.userId, user, {});
      return;
    }
    case 'UserDisabled':
    case 'UserEnabled':
    case 'UserRoleChanged': {
      // an admin's change of a user's access (issue 15): the user list shows it
      const user = get<UserView>(C.users, event.data.userId);
      if (!user) return;
      const next: UserView = event.type === 'UserRoleChanged' ? { ...user, role: event.data.role } : { ...user, disabled: event.type === 'UserDisabled' };
      put(C.users, event.data.userId, next, {});
      return;
    }
    case 'UserPasswordReset':
    case 'UserApiKeyRevoked':
      return;
    case 'AccountOpened': {
      const a = event.data;
      const view: AccountView = {
        accountId: a.accountId, name: a.name, exchange: a.exchange, quoteAsset: a.quoteAsset, killSwitch: { engaged: false }, openedAt: time,
        ...(a.marketType !== undefined ? { marketType: a.marketType } : {}), ...(a.futures !== undefined ? { futures: a.futures } : {}),
      };
      put(C.accounts, a.accountId, view, { accountId: a.accountId });
      for (const b of a.initialBalances) {
        const balance: BalanceView = { accountId: a.accountId, asset: b.asset, total: decToString(new Dec(b.amount)), updatedAt: time };
        put(C.balances, `${a.accountId}:${b.asset}`, balance, { accountId: a.accountId });
      }
      return;
    }
    case 'KillSwitchEngaged':
    case 'KillSwitchReleased': {
      const account = get<AccountView>(C.accounts, event.data.accountId);
      if (!account) return;
      const actions = account.killSwitch.actions !== undefined ? { actions: account.killSwitch.actions } : {};
      const killSwitch = event.type === 'KillSwitchEngaged' ? { engaged: true, reason: event.data.reason, ...actions } : { engaged: false, ...actions };
      put(C.accounts, account.accountId, { ...account, killSwitch }, { accountId: account.accountId });
      return;
    }
    case 'KillSwitchActionsRequested': {
      const account = get<AccountView>(C.accounts, event.data.accountId);
      if (!account) return;
      const { accountId: _id, ...requested } = event.data;
      const actions: KillSwitchActionsView = { ...requested, requestedAt: time, status: 'pending' };
      put(C.accounts, account.accountId, { ...account, killSwitch: { ...account.killSwitch, actions } }, { accountId: account.accountId });
      return;
    }
    case 'KillSwitchActionsDone': {
      const account = get<AccountView>(C.accounts, event.data.accountId);
      const before = account?.killSwitch.actions;
      if (!account || before?.requestId !== event.data.requestId) return;
      const actions: KillSwitchActionsView = { ...before, status: 'done', doneAt: time, cancelled: [...event.data.cancelled], closes: event.data.closes.map((c) => ({ ...c })) };
      put(C.accounts, account.accountId, { ...account, killSwitch: { ...account.killSwitch, actions } }, { accountId: account.accountId });
      return;
    }
    case 'AccountReconciled': {
      const account = get<AccountView>(C.accounts, event.data.accountId);
      if (!account) return;
      const lastReconciliation = { at: time, trigger: event.data.trigger, differences: event.data.differences };
      put(C.accounts, account.accountId, { ...account, lastReconciliation }, { accountId: account.accountId });
      return;
    }
    case 'AccountBalancesObserved': {
      const a = event.data.accountId;
      for (const asset of event.data.cleared) put(C.balances, `${a}:${asset}`, { accountId: a, asset, total: '0', updatedAt: time } satisfies BalanceView, { accountId: a });
      for (const b of event.data.balances) put(C.balances, `${a}:${b.asset}`, { accountId: a, asset: b.asset, total: decToString(new Dec(b.total)), updatedAt: time } satisfies BalanceView, { accountId: a });
      return;
    }
    case 'AccountCredentialsChanged': {
      const account = get<AccountView>(C.accounts, event.data.accountId);
      if (!account) return;
      const { credentials: _previous, ...rest } = account;
      const next = event.data.removed || event.data.apiKeyHint === undefined ? rest : { ...rest, credentials: { apiKeyHint: event.data.apiKeyHint, updatedAt: time } };
      put(C.accounts, account.accountId, next, { accountId: account.accountId });
      return;
    }
    case 'AccountFuturesSettingsChanged': {
      const account = get<AccountView>(C.accounts, event.data.accountId);
      if (!account) return;
      put(C.accounts, account.accountId, { ...account, futures: event.data.settings, futuresUpdatedAt: time }, { accountId: account.accountId });
      return;
    }
    case 'GlobalKillSwitchEngaged':
      put(C.system, 'global', { killSwitch: { engaged: true, reason: event.data.reason } }, {});
      return;
    case 'GlobalKillSwitchReleased':
      put(C.system, 'global', { killSwitch: { engaged: false } }, {});
      return;
    case 'StrategyConfigured': {
      // a new version keeps the run state (ADR-0019)
      const before = get<{ status?: string; pausedReason?: string }>(C.strategies, event.data.strategyId);
      const run = before?.status !== undefined ? { status: before.status, ...(before.pausedReason !== undefined ? { pausedReason: before.pausedReason } : {}) } : {};
      put(C.strategies, event.data.strategyId, { ...event.data, ...run, updatedAt: time }, { strategyId: event.data.strategyId });
      return;
    }
    case 'StrategyPaused':
    case 'StrategyResumed':
    case 'StrategyDeleted': {
      const before = get<Record<string, unknown>>(C.strategies, event.data.strategyId);
      if (!before) return;
      const { pausedReason: _reason, ...rest } = before;
      const status = event.type === 'StrategyPaused' ? 'paused' : event.type === 'StrategyResumed' ? 'active' : 'deleted';
      put(C.strategies, event.data.strategyId, { ...rest, status, ...(event.type === 'StrategyPaused' ? { pausedReason: event.data.reason } : {}), updatedAt: time }, { strategyId: event.data.strategyId });
      return;
    }
    case 'SignalReceived': {
      const d = event.data;
      const view: SignalView = {
        signalId: d.signalId, strategyId: d.strategyId, receivedAt: d.receivedAt, format: d.format, idempotencyKey: d.idempotencyKey,
        signal: Object.fromEntries(Object.entries(d.signal).filter(([, v]) => typeof v === 'string')) as Record<string, string>, outcome: 'pending', orders: [], skipped: [],
      };
      put(C.signals, d.signalId, view, { strategyId: d.strategyId, signalId: d.signalId });
      return;
    }
    case 'SignalRejected': {
      const d = event.data;
      const view: SignalView = {
        signalId: d.signalId, strategyId: d.strategyId, receivedAt: d.receivedAt, idempotencyKey: d.idempotencyKey,
        outcome: 'rejected', rejection: { code: d.code, message: d.message }, orders: [], skipped: [],
        ...(d.received !== undefined ? { received: { ...d.received } } : {}),
      };
      put(C.signals, d.signalId, view, { strategyId: d.strategyId, signalId: d.signalId });
      return;
    }
    case 'AlertRepeated': {
      const signal = get<SignalView>(C.signals, event.data.signalId);
      if (!signal) return;
      const repeats = { count: (signal.repeats?.count ?? 0) + 1, lastAt: event.data.receivedAt };
      put(C.signals, signal.signalId, { ...signal, repeats }, { strategyId: signal.strategyId, signalId: signal.signalId });
      return;
    }
    case 'SignalProcessed': {
      const signal = get<SignalView>(C.signals, event.data.signalId);
      if (!signal) return;
      const orders = event.data.orders.map((o) => {
        const order = get<OrderView>(C.orders, o.clientOrderId);
        return { ...o, status: order?.status ?? (o.outcome === 'approved' ? 'approved' : 'rejected'), ...(order?.reasons ? { reasons: [...order.reasons] } : {}) };
      });
      const approved = orders.filter((o) => o.outcome === 'approved').length;
      const outcome = orders.length === 0 ? 'skipped' : approved === orders.length ? 'accepted' : approved === 0 ? 'rejected' : 'partially_rejected';
      put(C.signals, signal.signalId, { ...signal, orders, skipped: [...event.data.skipped], outcome }, { strategyId: signal.strategyId, signalId: signal.signalId });
      return;
    }
    case 'OrderApproved':
    case 'OrderRejected': {
      const i = event.data;
      const view: OrderView = {
        clientOrderId: i.clientOrderId, accountId: i.accountId, strategyId: i.strategyId, signalId: i.signalId, symbol: i.symbol,
        side: i.side, type: i.type, quantity: i.quantity, ...(i.limitPrice !== undefined ? { limitPrice: i.limitPrice } : {}),
        referencePrice: i.referencePrice, reduceOnly: i.reduceOnly, ...(i.stopPrice !== undefined ? { stopPrice: i.stopPrice } : {}), ...(i.trailingPercent !== undefined ? { trailingPercent: i.trailingPercent } : {}), ...(i.trailingDistance !== undefined ? { trailingDistance: i.trailingDistance } : {}), ...(i.parent ? { parent: { ...i.parent } } : {}), ...(i.orderList ? { orderList: { ...i.orderList } } : {}),
        ...(i.managed ? { managed: true, ...(i.stopPrice !== undefined ? { currentTrigger: i.stopPrice } : {}) } : {}),
        ...(i.priceSource !== undefined ? { priceSource: i.priceSource } : {}), ...(i.priceAgeMs !== undefined ? { priceAgeMs: i.priceAgeMs } : {}),
        ...(i.requestedQuantity !== undefined ? { requestedQuantity: i.requestedQuantity } : {}), ...(i.requestedLimitPrice !== undefined ? { requestedLimitPrice: i.requestedLimitPrice } : {}),
        status: orderStatusAfter('none', event),
        filledQuantity: '0', fees: '0', ...(event.type === 'OrderRejected' ? { reasons: [...event.data.reasons] } : {}),
        createdAt: time, updatedAt: time,
      };
      put(C.orders, i.clientOrderId, view, { accountId: i.accountId, strategyId: i.strategyId, signalId: i.signalId });
      return;
    }
    case 'OrderAccepted': {
      const { sentQuantity, sentPrice, adjustments } = event.data;
      const sent = { ...(sentQuantity !== undefined ? { sentQuantity } : {}), ...(sentPrice !== undefined ? { sentPrice } : {}), ...(adjustments ? { adjustments: [...adjustments] } : {}) };
      updateOrder(event.data.clientOrderId, (o) => {
        if (o.status === 'exchange_rejected') {
          // concluded not placed, then shown by the exchange after all: adopted
          const { statusReason: _concluded, ...rest } = o;
          return { ...rest, ...sent, exchangeOrderId: event.data.exchangeOrderId, status: statusAfter(o, event) };
        }
        return { ...o, ...sent, exchangeOrderId: event.data.exchangeOrderId, status: statusAfter(o, event) };
      });
      return;
    }
    case 'OrderExchangeRejected':
      updateOrder(event.data.clientOrderId, (o) => ({ ...o, status: statusAfter(o, event), statusReason: `${event.data.code}: ${event.data.reason}` }));
      return;
    case 'OrderStatusUnknown':
      updateOrder(event.data.clientOrderId, (o) => ({ ...o, status: statusAfter(o, event), statusReason: event.data.reason }));
      return;
    case 'OrderCancelled':
      updateOrder(event.data.clientOrderId, (o) => withoutCancelRequest({ ...o, status: statusAfter(o, event), statusReason: event.data.reason }));
      return;
    case 'OrderExpired':
      updateOrder(event.data.clientOrderId, (o) => ({ ...o, status: statusAfter(o, event) }));
      return;
    case 'OrderParked':
      updateOrder(event.data.clientOrderId, (o) => ({
        ...o, status: statusAfter(o, event), statusReason: `held back: the account has ${event.data.openOrders} open orders, the exchange allows ${event.data.cap}`,
      }));
      return;
    case 'OrderSubmitted':
      // on its way (again, after an earlier request that provably never arrived): 'approved' until the exchange answers
      updateOrder(event.data.clientOrderId, (o) => {
        const { statusReason: _earlier, ...rest } = o;
        return { ...rest, status: statusAfter(o, event) };
      });
      return;
    case 'OrderReleased':
      updateOrder(event.data.clientOrderId, (o) => {
        const { statusReason: _held, ...rest } = o;
        return { ...rest, status: statusAfter(o, event) };
      });
      return;
    case 'OrderCancelRequested':
      updateOrder(event.data.clientOrderId, (o) => ({ ...o, status: statusAfter(o, event), cancelRequested: { by: event.data.by, reason: event.data.reason, at: time } }));
      return;
    case 'OrderTrailMoved':
      updateOrder(event.data.clientOrderId, (o) => ({ ...o, status: statusAfter(o, event), currentTrigger: event.data.trigger, trailExtreme: event.data.extreme }));
      return;
    case 'OrderTriggered':
      updateOrder(event.data.clientOrderId, (o) => ({
        ...o, status: statusAfter(o, event), currentTrigger: event.data.trigger,
        triggered: { trigger: event.data.trigger, price: event.data.price, source: event.data.source, at: event.data.quotedAt },
      }));
      return;
    case 'OrderFilled': {
      const f = event.data;
      const quantity = new Dec(f.quantity);
      const price = new Dec(f.price);
      const fee = new Dec(f.fee);
      updateOrder(f.clientOrderId, (o) => {
        const before = new Dec(o.filledQuantity);
        const filled = before.plus(quantity);
        const avg = before.isZero() ? price : new Dec(o.averageFillPrice ?? '0').times(before).plus(price.times(quantity)).dividedBy(filled);
        return { ...o, filledQuantity: decToString(filled), averageFillPrice: decToString(avg), fees: decToString(new Dec(o.fees).plus(fee)), status: statusAfter(o, event) };
      });
      const fill: FillView = {
        tradeId: f.tradeId, clientOrderId: f.clientOrderId, accountId: f.accountId, strategyId: f.strategyId, symbol: f.symbol, side: f.side,
        quantity: f.quantity, price: f.price, fee: f.fee, feeCurrency: f.feeCurrency, liquidity: f.liquidity, filledAt: f.filledAt,
      };
      put(C.fills, `${f.accountId}:${f.tradeId}`, fill, { accountId: f.accountId, strategyId: f.strategyId });

      const { base, quote } = splitSymbol(f.symbol);
      const positionId = `${f.accountId}:${f.symbol}`;
      const pos = get<PositionView>(C.positions, positionId);
      const feeInQuote = f.feeCurrency === quote ? fee : ZERO;
      const { position } = applyFill(
        pos
          ? { quantity: new Dec(pos.quantity), averageEntryPrice: new Dec(pos.averageEntryPrice), realizedPnl: new Dec(pos.realizedPnl), feesPaid: new Dec(pos.feesPaid) }
          : { quantity: ZERO, averageEntryPrice: ZERO, realizedPnl: ZERO, feesPaid: ZERO },
        { side: f.side, quantity, price, fee: feeInQuote },
      );
      const positionView: PositionView = {
        accountId: f.accountId, symbol: f.symbol, quantity: decToString(position.quantity), averageEntryPrice: decToString(position.averageEntryPrice),
        realizedPnl: decToString(position.realizedPnl), feesPaid: decToString(position.feesPaid), updatedAt: time,
      };
      put(C.positions, positionId, positionView, { accountId: f.accountId });

      const touched = new Set([base, quote, f.feeCurrency]);
      const before = new Map<string, Dec>();
      for (const asset of touched) before.set(asset, new Dec(get<BalanceView>(C.balances, `${f.accountId}:${asset}`)?.total ?? '0'));
      const after = applyFillToBalances(before, { side: f.side, quantity, price, fee, feeCurrency: f.feeCurrency }, base, quote);
      for (const asset of touched) {
        const balance: BalanceView = { accountId: f.accountId, asset, total: decToString(after.get(asset) ?? ZERO), updatedAt: time };
        put(C.balances, `${f.accountId}:${asset}`, balance, { accountId: f.accountId });
      }
      return;
    }
    case 'ExchangeCircuitChanged':
    case 'AccountPricesChanged':
    case 'AccountOwnerChanged':
      return;
    default:
      assertNever(event);
  }
}

/** A cancellation answers the pending cancel request (as in the order decider's evolve; other final states keep it, shown as overtaken). */
function withoutCancelRequest(o: OrderView): OrderView {
  if (o.cancelRequested === undefined) return o;
  const { cancelRequested: _answered, ...rest } = o;
  return rest;
}
