import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { orderDecider, type OrderEvent } from './order-decider.js';
import { stepTrigger, watchOf, type TriggerWatch } from './managed-trigger.js';
import { heldNatively } from './native-triggers.js';
import type { OrderIntent } from '../events.js';
import { deciderSpec } from '../test-support/decider-spec.js';
import { Dec, dec } from '../shared/decimal.js';

/** PATRIOT-managed conditional orders (issue 17): the order's states, the trigger's steps, and where the exchange holds them instead. */

const spec = deciderSpec(orderDecider);
const intent: OrderIntent = {
  clientOrderId: '0123456789abcdef0123456789abcdef', accountId: 'acc-1', strategyId: 'strat-1', signalId: 'sig-1', symbol: 'BTC/USDT',
  side: 'sell', type: 'stop_market', quantity: '1', stopPrice: '95000', referencePrice: '97000', reduceOnly: true, managed: true,
};
const ids = { clientOrderId: intent.clientOrderId, accountId: intent.accountId };
const approved: OrderEvent = { type: 'OrderApproved', data: intent };
const trailing: OrderIntent = { ...intent, trailingDistance: '500', stopPrice: '96500' };
const trigger = (t: string, price: string, extreme?: string) => ({ type: 'Trigger' as const, trigger: dec(t), price: dec(price), source: 'binance:ws-a', quotedAt: '2026-01-01T00:00:00.000Z', ...(extreme ? { extreme: dec(extreme) } : {}) });
const triggered = (t: string, price: string): OrderEvent => ({ type: 'OrderTriggered', data: { ...ids, trigger: t, price, source: 'binance:ws-a', quotedAt: '2026-01-01T00:00:00.000Z' } });

describe('the order decider with a PATRIOT-managed order', () => {
  it('given an approval as managed, then the order is armed: never sent, not looked up; a fill on it is refused', () => {
    spec.given([approved]).when({ type: 'RecordSubmitted' }).thenError('INVALID_TRANSITION');
    spec.given([approved]).when({ type: 'RecordFill', tradeId: 't1', exchangeOrderId: 'X', quantity: dec('1'), price: dec('95000'), fee: dec('0'), feeCurrency: 'USDT', liquidity: 'taker', filledAt: 'x' }).thenError('ORDER_NOT_SENT');
    spec.given([approved]).when({ type: 'RecordUnknown', reason: 'x' }).then([]);
    spec.given([]).when({ type: 'Approve', intent: { ...intent, type: 'market' } }).thenError('INVALID_INTENT');
  });

  it('when the price crosses the trigger, then OrderTriggered and the order is approved (to be sent); at most once', () => {
    spec.given([approved]).when(trigger('95000', '94990')).then([triggered('95000', '94990')]);
    spec.given([approved]).when(trigger('95000', '94990')).thenState((s) => expect(s.status).toBe('approved'));
    spec.given([approved, triggered('95000', '94990')]).when(trigger('95000', '94000')).then([]);
    spec.given([approved, triggered('95000', '94990')]).when({ type: 'RecordSubmitted' }).thenState((s) => expect(s.attempts).toBe(1));
  });

  it('given a price not past the trigger, or another trigger than the order\'s, then it is refused (NOT_TRIGGERED, TRIGGER_MISMATCH)', () => {
    spec.given([approved]).when(trigger('95000', '95000.01')).thenError('NOT_TRIGGERED');
    spec.given([approved]).when(trigger('96000', '95999')).thenError('TRIGGER_MISMATCH');
    const takeProfit = { ...intent, type: 'take_profit' as const, stopPrice: '99000' };
    spec.given([{ type: 'OrderApproved', data: takeProfit }]).when(trigger('99000', '98999')).thenError('NOT_TRIGGERED');
    spec.given([{ type: 'OrderApproved', data: takeProfit }]).when(trigger('99000', '99000')).then([triggered('99000', '99000')]);
  });

  it('given a trailing stop, then its trail is recorded only forward, and a trigger further along records the trail with it', () => {
    const armed: OrderEvent = { type: 'OrderApproved', data: trailing };
    const moved: OrderEvent = { type: 'OrderTrailMoved', data: { ...ids, trigger: '97500', extreme: '98000' } };
    spec.given([armed]).when({ type: 'MoveTrail', trigger: dec('97500'), extreme: dec('98000') }).then([moved]);
    spec.given([armed, moved]).when({ type: 'MoveTrail', trigger: dec('97000'), extreme: dec('97500') }).then([]);
    spec.given([armed, moved]).when(trigger('97000', '96900')).thenError('TRIGGER_MISMATCH');
    spec.given([armed, moved]).when(trigger('97800', '97790', '98300')).then([
      { type: 'OrderTrailMoved', data: { ...ids, trigger: '97800', extreme: '98300' } }, triggered('97800', '97790'),
    ]);
    spec.given([approved]).when({ type: 'MoveTrail', trigger: dec('95500'), extreme: dec('96000') }).thenError('INVALID_TRANSITION');
  });

  it('given an armed order, when a cancel is asked, then it is cancelled at once; once cancelled it never triggers', () => {
    const events = spec.given([approved]).when({ type: 'RequestCancel', by: 'user:u1', reason: 'no longer wanted' }).then([
      { type: 'OrderCancelRequested', data: { ...ids, by: 'user:u1', reason: 'no longer wanted' } },
      { type: 'OrderCancelled', data: { ...ids, reason: 'cancelled before it was sent (no longer wanted; by user:u1)' } },
    ]);
    spec.given([approved, ...events]).when(trigger('95000', '94000')).thenError('ORDER_NOT_ARMED');
  });
});

describe('stepping a managed trigger on the exchange price', () => {
  const tick = new Dec('0.01');
  it('a stop triggers at or past its trigger only; a take-profit the other way', () => {
    const watch = watchOf(intent)!;
    expect(stepTrigger(intent, watch, dec('95000.01'), tick).kind).toBe('none');
    expect(stepTrigger(intent, watch, dec('95000'), tick).kind).toBe('trigger');
    const buyTp = { ...intent, side: 'buy' as const, type: 'take_profit' as const };
    expect(stepTrigger(buyTp, watchOf(buyTp)!, dec('95000.01'), tick).kind).toBe('none');
    expect(stepTrigger(buyTp, watchOf(buyTp)!, dec('94999'), tick).kind).toBe('trigger');
  });

  it('a trailing percent stop rounds its moved trigger to the tick away from the market', () => {
    const pct = { ...intent, trailingPercent: '1', stopPrice: '96030' };
    const watch = watchOf(pct)!;
    expect(watch.extreme?.toString()).toBe('97000');
    const step = stepTrigger(pct, watch, dec('97123.45'), tick);
    expect(step).toMatchObject({ kind: 'trail' });
    expect(step.kind !== 'none' && step.watch.trigger.toString()).toBe('96152.21'); // 97123.45 × 0.99 = 96152.2155, down to the tick
  });

  it('property: over any price path, a trailing sell stop\'s trigger never falls, stays the distance below the best price, and triggers exactly when the price reaches it', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 90_000, max: 110_000 }), { minLength: 1, maxLength: 60 }), (path) => {
      let watch: TriggerWatch = watchOf(trailing)!;
      let best = new Dec('97000');
      for (const p of path) {
        const price = new Dec(p);
        const step = stepTrigger(trailing, watch, price, tick);
        if (price.greaterThan(best)) best = price;
        const next = step.kind === 'none' ? watch : step.watch;
        expect(next.trigger.greaterThanOrEqualTo(watch.trigger)).toBe(true);
        expect(next.trigger.equals(best.minus(500))).toBe(true);
        expect(step.kind === 'trigger').toBe(price.lessThanOrEqualTo(next.trigger));
        if (step.kind === 'trigger') return;
        watch = next;
      }
    }));
  });
});

describe('where the exchange holds a conditional order itself', () => {
  it('every stop and take-profit type and a trailing percent where the market lists nothing; a trailing distance only where the venue trails by price', () => {
    expect(heldNatively({ type: 'stop_market' }, {}, false)).toBe(true);
    expect(heldNatively({ type: 'stop_market', trailingPercent: dec('1') }, {}, false)).toBe(true);
    expect(heldNatively({ type: 'stop_market', trailingDistance: dec('5') }, {}, false)).toBe(false);
    expect(heldNatively({ type: 'stop_market', trailingDistance: dec('5') }, {}, true)).toBe(true);
  });

  it('only the kinds a market lists, and a trailing percent inside its range', () => {
    const market = { nativeTriggers: ['stop_limit', 'trailing_percent'] as const, trailingPercentRange: { min: '0.1', max: '20' } };
    expect(heldNatively({ type: 'stop_market' }, market, true)).toBe(false);
    expect(heldNatively({ type: 'stop_limit' }, market, false)).toBe(true);
    expect(heldNatively({ type: 'stop_market', trailingPercent: dec('20') }, market, false)).toBe(true);
    expect(heldNatively({ type: 'stop_market', trailingPercent: dec('20.5') }, market, false)).toBe(false);
    expect(heldNatively({ type: 'stop_market', trailingPercent: dec('0.05') }, market, false)).toBe(false);
  });
});
