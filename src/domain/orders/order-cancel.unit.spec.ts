import { describe, expect, it } from 'vitest';
import { orderDecider, type OrderCommand, type OrderEvent } from './order-decider.js';
import type { OrderIntent } from '../events.js';
import { deciderSpec } from '../test-support/decider-spec.js';
import { dec } from '../shared/decimal.js';

/** Cancel requests on the order decider (issue 17): the intent first, the exchange's answer after. */
const spec = deciderSpec(orderDecider);
const intent: OrderIntent = {
  clientOrderId: '0123456789abcdef0123456789abcdef', accountId: 'acc-1', strategyId: 'strat-1', signalId: 'sig-1', symbol: 'BTC/USDT',
  side: 'buy', type: 'limit', quantity: '1', limitPrice: '90', referencePrice: '100', reduceOnly: false,
};
const ids = { clientOrderId: intent.clientOrderId, accountId: intent.accountId };
const approved: OrderEvent = { type: 'OrderApproved', data: intent };
const submitted: OrderEvent = { type: 'OrderSubmitted', data: { ...ids, attempt: 1 } };
const accepted: OrderEvent = { type: 'OrderAccepted', data: { ...ids, exchangeOrderId: 'X1' } };
const unknown: OrderEvent = { type: 'OrderStatusUnknown', data: { ...ids, reason: 'timeout' } };
const parked: OrderEvent = { type: 'OrderParked', data: { ...ids, openOrders: 5, cap: 5 } };
const cancelCmd: OrderCommand = { type: 'RequestCancel', by: 'user:u1', reason: 'changed my mind' };
const requested: OrderEvent = { type: 'OrderCancelRequested', data: { ...ids, by: 'user:u1', reason: 'changed my mind' } };
const cancelledBeforeSent: OrderEvent = { type: 'OrderCancelled', data: { ...ids, reason: 'cancelled before it was sent (changed my mind; by user:u1)' } };

describe('order decider: cancel requests', () => {
  it('given an order open on the exchange (or of unknown fate), then only the request is recorded: the status waits for the exchange', () => {
    for (const given of [[approved, submitted, accepted], [approved, submitted, unknown], [approved, submitted]]) {
      spec.given(given).when(cancelCmd).then([requested]);
      spec.given([...given, requested]).when(cancelCmd).then([]); // asked again: nothing new
    }
    spec.given([approved, submitted, accepted]).when(cancelCmd).thenState((s) => {
      expect(s.status).toBe('accepted');
      expect(s.cancelRequest).toEqual({ by: 'user:u1', reason: 'changed my mind' });
    });
  });

  it('given an order never sent (approved without an attempt, or parked), then it is cancelled at once', () => {
    spec.given([approved]).when(cancelCmd).then([requested, cancelledBeforeSent]);
    spec.given([approved, parked]).when(cancelCmd).then([requested, cancelledBeforeSent]);
  });

  it('given a cancel pending and the order proven not on the exchange, when it would be sent (again), then it is cancelled instead', () => {
    spec.given([approved, submitted, unknown, requested]).when({ type: 'RecordSubmitted' }).then([cancelledBeforeSent]);
  });

  it('given bad targets, then stable codes: ORDER_NOT_FOUND, ORDER_NOT_OPEN', () => {
    spec.given([]).when(cancelCmd).thenError('ORDER_NOT_FOUND');
    spec.given([{ type: 'OrderRejected', data: { ...intent, reasons: [{ code: 'R', message: 'no' }] } }]).when(cancelCmd).thenError('ORDER_NOT_OPEN');
    spec.given([approved, submitted, accepted, { type: 'OrderCancelled', data: { ...ids, reason: 'x' } }]).when(cancelCmd).thenError('ORDER_NOT_OPEN');
    spec.given([approved, submitted, { type: 'OrderExchangeRejected', data: { ...ids, code: '-2010', reason: 'no' } }]).when(cancelCmd).thenError('ORDER_NOT_OPEN');
  });

  it('given a cancel pending, when the exchange reports a fill that completes the order, then it is filled (the fill won the race)', () => {
    spec
      .given([approved, submitted, accepted, requested])
      .when({ type: 'RecordFill', tradeId: 't1', exchangeOrderId: 'X1', quantity: dec('1'), price: dec('90'), fee: dec('0'), feeCurrency: 'USDT', liquidity: 'maker', filledAt: 'x' })
      .thenState((s) => expect(s.status).toBe('filled'));
  });
});
