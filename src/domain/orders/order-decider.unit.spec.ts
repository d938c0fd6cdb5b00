import { describe, expect, it } from 'vitest';
import { orderDecider, isTerminal, needsReconciliation, type OrderCommand, type OrderEvent, type OrderStatus, type RecordFillCommand } from './order-decider.js';
import type { OrderIntent, RiskReason } from '../events.js';
import { deciderSpec } from '../test-support/decider-spec.js';
import { fold } from '../shared/decider.js';
import { dec } from '../shared/decimal.js';

const spec = deciderSpec(orderDecider);

const intent: OrderIntent = {
  clientOrderId: '0123456789abcdef0123456789abcdef',
  accountId: 'acc-1',
  strategyId: 'strat-1',
  signalId: 'sig-1',
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'market',
  quantity: '1',
  referencePrice: '100',
  reduceOnly: false,
};
const ids = { clientOrderId: intent.clientOrderId, accountId: intent.accountId };
const reasons: RiskReason[] = [{ code: 'MAX_ORDER_NOTIONAL', message: 'too big' }];

const approved: OrderEvent = { type: 'OrderApproved', data: intent };
const rejected: OrderEvent = { type: 'OrderRejected', data: { ...intent, reasons } };
const accepted: OrderEvent = { type: 'OrderAccepted', data: { ...ids, exchangeOrderId: 'X1' } };
const unknown: OrderEvent = { type: 'OrderStatusUnknown', data: { ...ids, reason: 'timeout' } };
const exchangeRejected: OrderEvent = { type: 'OrderExchangeRejected', data: { ...ids, code: '-2010', reason: 'insufficient balance' } };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { ...ids, reason: 'user' } };
const expired: OrderEvent = { type: 'OrderExpired', data: ids };

const fillCmd = (tradeId: string, quantity: string, over: Partial<RecordFillCommand> = {}): RecordFillCommand => ({
  type: 'RecordFill',
  tradeId,
  exchangeOrderId: 'X1',
  quantity: dec(quantity),
  price: dec('100.5'),
  fee: dec('0.1'),
  feeCurrency: 'USDT',
  liquidity: 'taker',
  filledAt: '2024-01-01T00:00:00.000Z',
  ...over,
});
const filled = (tradeId: string, quantity: string, cumulativeQuantity: string, complete: boolean): OrderEvent => ({
  type: 'OrderFilled',
  data: {
    ...ids,
    strategyId: 'strat-1',
    tradeId,
    symbol: 'BTC/USDT',
    side: 'buy',
    quantity,
    price: '100.5',
    fee: '0.1',
    feeCurrency: 'USDT',
    liquidity: 'taker',
    filledAt: '2024-01-01T00:00:00.000Z',
    cumulativeQuantity,
    complete,
  },
});
const partial = filled('t1', '0.4', '0.4', false);
const full = filled('t1', '1', '1', true);

describe('order decider: approval', () => {
  it('Approve on a new stream → OrderApproved', () => {
    spec.given([]).when({ type: 'Approve', intent }).then([approved]);
  });
  it('Reject on a new stream → OrderRejected with the reasons', () => {
    spec.given([]).when({ type: 'Reject', intent, reasons }).then([rejected]);
  });
  it.each([[[approved]], [[rejected]], [[approved, accepted, full]]])('Approve/Reject on an existing order → ORDER_EXISTS', (given) => {
    spec.given(given).when({ type: 'Approve', intent }).thenError('ORDER_EXISTS');
    spec.given(given).when({ type: 'Reject', intent, reasons }).thenError('ORDER_EXISTS');
  });
  it('Reject needs at least one reason', () => {
    spec.given([]).when({ type: 'Reject', intent, reasons: [] }).thenError('REJECT_WITHOUT_REASONS');
  });
  it('Approve validates the intent', () => {
    spec.given([]).when({ type: 'Approve', intent: { ...intent, quantity: '0' } }).thenError('INVALID_INTENT', /quantity 0/);
    spec.given([]).when({ type: 'Approve', intent: { ...intent, type: 'limit' } }).thenError('INVALID_INTENT', /limit price/);
  });
});

describe('order decider: exchange outcomes need approval', () => {
  const outcomes: OrderCommand[] = [
    { type: 'RecordAccepted', exchangeOrderId: 'X1' },
    { type: 'RecordExchangeRejected', code: 'c', reason: 'r' },
    { type: 'RecordUnknown', reason: 'timeout' },
    fillCmd('t1', '1'),
    { type: 'RecordCancelled', reason: 'user' },
    { type: 'RecordExpired' },
  ];
  it.each(outcomes)('$type on a new stream → ORDER_NOT_APPROVED', (command) => {
    spec.given([]).when(command).thenError('ORDER_NOT_APPROVED', /never approved/);
  });
  it.each(outcomes)('$type on a risk-rejected order → ORDER_NOT_APPROVED', (command) => {
    spec.given([rejected]).when(command).thenError('ORDER_NOT_APPROVED', /rejected by risk/);
  });
});

describe('order decider: acceptance', () => {
  it('approved → OrderAccepted', () => {
    spec.given([approved]).when({ type: 'RecordAccepted', exchangeOrderId: 'X1' }).then([accepted]);
  });
  it('unknown → OrderAccepted (reconciled)', () => {
    spec.given([approved, unknown]).when({ type: 'RecordAccepted', exchangeOrderId: 'X1' }).then([accepted]);
  });
  it.each([[[approved, accepted]], [[approved, accepted, partial]], [[approved, accepted, full]], [[approved, accepted, cancelled]]])(
    'a repeated RecordAccepted decides [] (%#)',
    (given) => {
      spec.given(given).when({ type: 'RecordAccepted', exchangeOrderId: 'X1' }).then([]);
    },
  );
  it('a different exchange order id → EXCHANGE_ORDER_ID_MISMATCH', () => {
    spec.given([approved, accepted]).when({ type: 'RecordAccepted', exchangeOrderId: 'X2' }).thenError('EXCHANGE_ORDER_ID_MISMATCH', /X1, not X2/);
  });
  it('after an exchange rejection → ORDER_TERMINAL', () => {
    spec.given([approved, exchangeRejected]).when({ type: 'RecordAccepted', exchangeOrderId: 'X1' }).thenError('ORDER_TERMINAL');
  });
  it('after a cancel of a never-accepted order → ORDER_TERMINAL', () => {
    spec.given([approved, cancelled]).when({ type: 'RecordAccepted', exchangeOrderId: 'X1' }).thenError('ORDER_TERMINAL');
  });
});

describe('order decider: exchange rejection and unknown', () => {
  it('approved → OrderExchangeRejected', () => {
    spec.given([approved]).when({ type: 'RecordExchangeRejected', code: '-2010', reason: 'insufficient balance' }).then([exchangeRejected]);
  });
  it('unknown → OrderExchangeRejected (the lookup found no order)', () => {
    spec.given([approved, unknown]).when({ type: 'RecordExchangeRejected', code: '-2010', reason: 'insufficient balance' }).then([exchangeRejected]);
  });
  it('repeat → []', () => {
    spec.given([approved, exchangeRejected]).when({ type: 'RecordExchangeRejected', code: '-2010', reason: 'insufficient balance' }).then([]);
  });
  it('after acceptance → INVALID_TRANSITION', () => {
    spec.given([approved, accepted]).when({ type: 'RecordExchangeRejected', code: 'c', reason: 'r' }).thenError('INVALID_TRANSITION');
  });
  it('after a terminal outcome → ORDER_TERMINAL', () => {
    spec.given([approved, accepted, full]).when({ type: 'RecordExchangeRejected', code: 'c', reason: 'r' }).thenError('ORDER_TERMINAL');
  });
  it('approved → OrderStatusUnknown', () => {
    spec.given([approved]).when({ type: 'RecordUnknown', reason: 'timeout' }).then([unknown]);
  });
  it.each([
    [[approved, unknown]],
    [[approved, accepted]],
    [[approved, accepted, partial]],
    [[approved, accepted, full]],
    [[approved, cancelled]],
    [[approved, expired]],
    [[approved, exchangeRejected]],
  ])('RecordUnknown when unknown, known to exist or terminal → [] (%#)', (given) => {
    spec.given(given).when({ type: 'RecordUnknown', reason: 'timeout' }).then([]);
  });
});

describe('order decider: fills', () => {
  it('a fill on an accepted order → OrderFilled with cumulative quantity', () => {
    spec.given([approved, accepted]).when(fillCmd('t1', '0.4')).then([partial]);
  });
  it('a fill completing the order → complete = true', () => {
    spec.given([approved, accepted, partial]).when(fillCmd('t2', '0.6')).then([filled('t2', '0.6', '1', true)]);
  });
  it.each([[[approved]], [[approved, unknown]]])('a fill on an approved/unknown order first records the acceptance (%#)', (given) => {
    spec.given(given).when(fillCmd('t1', '0.4')).then([accepted, partial]);
  });
  it('a fill with a recorded trade id → [] (even when the order is filled)', () => {
    spec.given([approved, accepted, partial]).when(fillCmd('t1', '0.4')).then([]);
    spec.given([approved, accepted, full]).when(fillCmd('t1', '1')).then([]);
  });
  it('a fill exceeding the order quantity → OVERFILL', () => {
    spec
      .given([approved, accepted, partial])
      .when(fillCmd('t2', '0.7'))
      .thenError('OVERFILL', 'fill t2 of 0.7 would bring the filled quantity to 1.1, above the order quantity 1 (already filled 0.4)');
  });
  it('a new trade on a filled order → OVERFILL', () => {
    spec.given([approved, accepted, full]).when(fillCmd('t9', '0.1')).thenError('OVERFILL');
  });
  it('a fill naming another exchange order → EXCHANGE_ORDER_ID_MISMATCH', () => {
    spec.given([approved, accepted]).when(fillCmd('t1', '0.4', { exchangeOrderId: 'X9' })).thenError('EXCHANGE_ORDER_ID_MISMATCH');
  });
  it('a fill on an exchange-rejected order → ORDER_TERMINAL', () => {
    spec.given([approved, exchangeRejected]).when(fillCmd('t1', '0.4')).thenError('ORDER_TERMINAL');
  });
  it('non-positive quantity or price → INVALID_FILL', () => {
    spec.given([approved, accepted]).when(fillCmd('t1', '0')).thenError('INVALID_FILL');
    spec.given([approved, accepted]).when(fillCmd('t1', '0.1', { price: dec(0) })).thenError('INVALID_FILL');
  });
  it('a late fill on a cancelled order is recorded and the order stays cancelled', () => {
    spec
      .given([approved, accepted, cancelled])
      .when(fillCmd('t1', '0.4'))
      .thenState((s) => {
        expect(s.status).toBe('cancelled');
        expect(s.filledQuantity.toFixed()).toBe('0.4');
      });
  });
  it('state after partial fills', () => {
    const state = fold(orderDecider, [approved, accepted, partial, filled('t2', '0.5', '0.9', false)]);
    expect(state.status).toBe('partially_filled');
    expect(state.filledQuantity.toFixed()).toBe('0.9');
    expect([...state.tradeIds]).toEqual(['t1', 't2']);
    expect(state.exchangeOrderId).toBe('X1');
  });
});

describe('order decider: cancel and expiry', () => {
  it.each([[[approved]], [[approved, unknown]], [[approved, accepted]], [[approved, accepted, partial]]])('RecordCancelled on a live order → OrderCancelled (%#)', (given) => {
    spec.given(given).when({ type: 'RecordCancelled', reason: 'user' }).then([cancelled]);
  });
  it.each([[[approved]], [[approved, accepted, partial]]])('RecordExpired on a live order → OrderExpired (%#)', (given) => {
    spec.given(given).when({ type: 'RecordExpired' }).then([expired]);
  });
  it('repeats → []', () => {
    spec.given([approved, cancelled]).when({ type: 'RecordCancelled', reason: 'again' }).then([]);
    spec.given([approved, expired]).when({ type: 'RecordExpired' }).then([]);
  });
  it.each([[[approved, accepted, full]], [[approved, exchangeRejected]], [[approved, expired]]])('RecordCancelled on a terminal order → ORDER_TERMINAL (%#)', (given) => {
    spec.given(given).when({ type: 'RecordCancelled', reason: 'user' }).thenError('ORDER_TERMINAL');
  });
  it.each([[[approved, accepted, full]], [[approved, exchangeRejected]], [[approved, cancelled]]])('RecordExpired on a terminal order → ORDER_TERMINAL (%#)', (given) => {
    spec.given(given).when({ type: 'RecordExpired' }).thenError('ORDER_TERMINAL');
  });
});

describe('isTerminal / needsReconciliation', () => {
  it.each<[OrderStatus, boolean, boolean]>([
    ['none', false, false],
    ['approved', false, true],
    ['rejected', true, false],
    ['accepted', false, true],
    ['partially_filled', false, true],
    ['filled', true, false],
    ['cancelled', true, false],
    ['expired', true, false],
    ['exchange_rejected', true, false],
    ['unknown', false, true],
  ])('%s: terminal %s, reconcile %s', (status, terminal, reconcile) => {
    expect(isTerminal(status)).toBe(terminal);
    expect(needsReconciliation(status)).toBe(reconcile);
  });
});

describe('order decider: parking at the open-order cap', () => {
  const limitIntent: OrderIntent = { ...intent, type: 'limit', limitPrice: '99' };
  const limitApproved: OrderEvent = { type: 'OrderApproved', data: limitIntent };
  const parked: OrderEvent = { type: 'OrderParked', data: { ...ids, openOrders: 200, cap: 200 } };
  const released: OrderEvent = { type: 'OrderReleased', data: ids };

  it('an approved limit order → OrderParked; parking it again decides nothing', () => {
    spec.given([limitApproved]).when({ type: 'Park', openOrders: 200, cap: 200 }).then([parked]);
    spec.given([limitApproved, parked]).when({ type: 'Park', openOrders: 200, cap: 200 }).then([]);
  });
  it('a market order, or one already sent, cannot be parked', () => {
    spec.given([approved]).when({ type: 'Park', openOrders: 1, cap: 1 }).thenError('INVALID_TRANSITION', /only limit orders/);
    spec.given([limitApproved, accepted]).when({ type: 'Park', openOrders: 1, cap: 1 }).thenError('INVALID_TRANSITION', /not yet sent/);
    spec.given([rejected]).when({ type: 'Park', openOrders: 1, cap: 1 }).thenError('ORDER_NOT_APPROVED');
  });
  it('a parked order → OrderReleased, back to approved (then sent like any approved order); only a parked one can be released', () => {
    spec.given([limitApproved, parked]).when({ type: 'Release' }).then([released]);
    spec.given([limitApproved, parked, released]).when({ type: 'RecordAccepted', exchangeOrderId: 'X1' }).then([accepted]);
    spec.given([limitApproved]).when({ type: 'Release' }).thenError('INVALID_TRANSITION', /only a parked order/);
  });
  it('a parked order can be cancelled (it was never sent); it is live but needs no look-up', () => {
    spec.given([limitApproved, parked]).when({ type: 'RecordCancelled', reason: 'user' }).then([{ type: 'OrderCancelled', data: { ...ids, reason: 'user' } }]);
    const state = fold(orderDecider, [limitApproved, parked]);
    expect(state.status).toBe('parked');
    expect(isTerminal(state.status)).toBe(false);
    expect(needsReconciliation(state.status)).toBe(false);
  });
});

describe('order decider: an attempt recorded before the request leaves (ADR-0011)', () => {
  const submitted = (attempt: number): OrderEvent => ({ type: 'OrderSubmitted', data: { ...ids, attempt } });
  it('RecordSubmitted on an approved order → OrderSubmitted, attempt 1; the status stays approved', () => {
    spec.given([approved]).when({ type: 'RecordSubmitted' }).then([submitted(1)]);
    const state = fold(orderDecider, [approved, submitted(1)]);
    expect(state).toMatchObject({ status: 'approved', attempts: 1 });
  });
  it('a second attempt is numbered after the first', () => {
    spec.given([approved, submitted(1)]).when({ type: 'RecordSubmitted' }).then([submitted(2)]);
  });
  it.each([[[approved, accepted]], [[approved, exchangeRejected]], [[approved, submitted(1), accepted, full]]])('RecordSubmitted on an order that is no longer just approved → INVALID_TRANSITION or ORDER_TERMINAL', (given) => {
    expect(orderDecider.decide({ type: 'RecordSubmitted' }, fold(orderDecider, given)).ok).toBe(false);
  });
  it('an unknown order whose request provably never arrived may be sent again: attempt 2, approved again', () => {
    spec.given([approved, submitted(1), unknown]).when({ type: 'RecordSubmitted' }).then([submitted(2)]);
    expect(fold(orderDecider, [approved, submitted(1), unknown, submitted(2)])).toMatchObject({ status: 'approved', attempts: 2 });
  });
  it('RecordSubmitted before approval → ORDER_NOT_APPROVED', () => {
    spec.given([]).when({ type: 'RecordSubmitted' }).thenError('ORDER_NOT_APPROVED');
    spec.given([rejected]).when({ type: 'RecordSubmitted' }).thenError('ORDER_NOT_APPROVED');
  });
  it('an order whose attempt left without an answer can be recorded as not placed (final)', () => {
    spec.given([approved, submitted(1)]).when({ type: 'RecordExchangeRejected', code: 'NOT_PLACED', reason: 'absent' }).then([
      { type: 'OrderExchangeRejected', data: { ...ids, code: 'NOT_PLACED', reason: 'absent' } },
    ]);
  });
});

describe('issue 13: what was sent, a visible unknown, and an order concluded not placed that shows after all', () => {
  const notPlaced: OrderEvent = { type: 'OrderExchangeRejected', data: { ...ids, code: 'NOT_PLACED', reason: 'absent everywhere' } };

  it('records the quantity and price the exchange holds when they differ from the intent, with the notes', () => {
    const limit: OrderIntent = { ...intent, type: 'limit', quantity: '0.000123', limitPrice: '90000.005' };
    spec
      .given([{ type: 'OrderApproved', data: limit }])
      .when({ type: 'RecordAccepted', exchangeOrderId: 'X1', sent: { quantity: '0.00012', price: '90000' }, adjustments: ['quantity rounded down'] })
      .then([{ type: 'OrderAccepted', data: { ...ids, exchangeOrderId: 'X1', sentQuantity: '0.00012', sentPrice: '90000', adjustments: ['quantity rounded down'] } }]);
  });

  it('records nothing extra when the exchange holds what was asked (old events look the same)', () => {
    spec.given([approved]).when({ type: 'RecordAccepted', exchangeOrderId: 'X1', sent: { quantity: '1.000' } }).then([accepted]);
  });

  it('a fill of the quantity sent completes an order rounded down', () => {
    const small: OrderIntent = { ...intent, quantity: '0.000123' };
    const state = fold(orderDecider, [
      { type: 'OrderApproved', data: small },
      { type: 'OrderAccepted', data: { ...ids, exchangeOrderId: 'X1', sentQuantity: '0.00012' } },
    ]);
    const decided = orderDecider.decide(fillCmd('t1', '0.00012'), state);
    expect(decided.ok && decided.value.at(-1)).toMatchObject({ type: 'OrderFilled', data: { complete: true, cumulativeQuantity: '0.00012' } });
  });

  it('an unknown order is recorded unknown again only when the reason the user sees changes', () => {
    spec.given([approved, unknown]).when({ type: 'RecordUnknown', reason: 'timeout' }).then([]);
    spec.given([approved, unknown]).when({ type: 'RecordUnknown', reason: 'trades could not be checked' }).then([
      { type: 'OrderStatusUnknown', data: { ...ids, reason: 'trades could not be checked' } },
    ]);
  });

  it('an order concluded NOT_PLACED that the exchange shows after all is adopted (its acceptance and fills recorded)', () => {
    spec.given([approved, unknown, notPlaced]).when({ type: 'RecordAccepted', exchangeOrderId: 'X1' }).then([accepted]);
    spec.given([approved, unknown, notPlaced]).when(fillCmd('t1', '1')).then([accepted, filled('t1', '1', '1', true)]);
  });

  it('a refusal by the exchange stays final: no acceptance or fill after it', () => {
    spec.given([approved, exchangeRejected]).when({ type: 'RecordAccepted', exchangeOrderId: 'X1' }).thenError('ORDER_TERMINAL');
    spec.given([approved, exchangeRejected]).when(fillCmd('t1', '1')).thenError('ORDER_TERMINAL');
  });
});
