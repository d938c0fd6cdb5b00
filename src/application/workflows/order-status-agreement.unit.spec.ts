import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TradingState } from './trading-state.js';
import { projectEvent, type DocAccess } from '../projections/project-event.js';
import { C, type OrderView, type SignalView } from '../projections/read-models.js';
import type { RecordedEvent } from '../ports/event-store.js';
import type { ReadDoc } from '../ports/projection-store.js';
import type { OrderIntent, PatriotEvent } from '../../domain/events.js';
import { NOT_PLACED, isTerminal, orderDecider, type OrderCommand, type OrderState } from '../../domain/orders/order-decider.js';
import { dec } from '../../domain/shared/decimal.js';

/**
 * One order state machine: whatever sequence of outcomes the exchange reports (cancellations
 * racing fills, late fills, NOT_PLACED conclusions overturned, parking), the order decider, the
 * read model and the write side's trading state agree on the order's status after every event.
 */

const intent = (clientOrderId: string, type: 'market' | 'limit'): OrderIntent => ({
  clientOrderId, accountId: 'a1', strategyId: 's1', signalId: 'sig1', symbol: 'BTC/USDT', side: 'buy', type,
  quantity: '3', ...(type === 'limit' ? { limitPrice: '100' } : {}), referencePrice: '100', reduceOnly: false,
});

const command: fc.Arbitrary<OrderCommand> = fc.oneof(
  fc.constant<OrderCommand>({ type: 'RecordSubmitted' }),
  fc.constantFrom('X1', 'X2').map((exchangeOrderId): OrderCommand => ({ type: 'RecordAccepted', exchangeOrderId })),
  fc.constantFrom(NOT_PLACED, '-2010').map((code): OrderCommand => ({ type: 'RecordExchangeRejected', code, reason: 'r' })),
  fc.constantFrom('timeout', 'lost').map((reason): OrderCommand => ({ type: 'RecordUnknown', reason })),
  fc.record({ trade: fc.integer({ min: 1, max: 6 }), quantity: fc.constantFrom('1', '2', '3') }).map(
    ({ trade, quantity }): OrderCommand => ({
      type: 'RecordFill', tradeId: `t${trade}`, exchangeOrderId: 'X1', quantity: dec(quantity), price: dec('100'), fee: dec('0.1'),
      feeCurrency: 'USDT', liquidity: 'taker', filledAt: '2026-01-01T00:00:00.000Z',
    }),
  ),
  fc.constant<OrderCommand>({ type: 'RecordCancelled', reason: 'user' }),
  fc.constant<OrderCommand>({ type: 'RecordExpired' }),
  fc.constant<OrderCommand>({ type: 'Park', openOrders: 10, cap: 10 }),
  fc.constant<OrderCommand>({ type: 'Release' }),
  // issue 17: cancel requests, racing every outcome above
  fc.constantFrom('user:u1', 'alert:sig9').map((by): OrderCommand => ({ type: 'RequestCancel', by, reason: 'r' })),
);

const start: fc.Arbitrary<OrderCommand> = fc.constantFrom<'market' | 'limit'>('market', 'limit').chain((type) =>
  fc.constantFrom<OrderCommand>({ type: 'Approve', intent: intent('c1', type) }, { type: 'Reject', intent: intent('c1', type), reasons: [{ code: 'R', message: 'no' }] }),
);

function readSide() {
  const docs = new Map<string, ReadDoc>();
  const access: DocAccess = { get: (c, t, id) => docs.get(`${c}/${t}/${id}`), put: (d) => void docs.set(`${d.collection}/${d.tenantId}/${d.id}`, d) };
  const trading = new TradingState();
  let position = 0;
  const record = (event: PatriotEvent): void => {
    position++;
    const recorded: RecordedEvent = {
      globalPosition: position, streamId: 's', streamVersion: position, type: event.type, data: event.data as unknown as Record<string, unknown>,
      metadata: { tenantId: 't1', time: '2026-01-01T00:00:00.000Z', correlationId: 'sig1' }, prevHash: '', hash: '',
    };
    projectEvent(recorded, access);
    trading.apply(recorded);
  };
  const view = <T>(collection: string, id: string): T | undefined => docs.get(`${collection}/t1/${id}`)?.data as T | undefined;
  return { record, view, trading };
}

describe('one order state machine', () => {
  it('given any sequence of order outcomes, then decider, read model and trading state agree on the status after every event', () => {
    fc.assert(
      fc.property(start, fc.array(command, { maxLength: 14 }), (first, rest) => {
        const side = readSide();
        side.record({
          type: 'AccountOpened',
          data: { accountId: 'a1', tenantId: 't1', name: 'a', exchange: 'paper', quoteAsset: 'USDT', initialBalances: [{ asset: 'USDT', amount: '100000' }], risk: {} },
        });
        side.record({
          type: 'SignalReceived',
          data: { signalId: 'sig1', strategyId: 's1', idempotencyKey: 'k', receivedAt: 'x', bodySha256: 'h', format: 'patriot-json', signal: { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT' } },
        });
        let state: OrderState = orderDecider.initialState();
        let signalProcessed = false;
        for (const cmd of [first, ...rest]) {
          const decided = orderDecider.decide(cmd, state);
          if (!decided.ok) continue;
          for (const event of decided.value) {
            state = orderDecider.evolve(state, event);
            side.record(event);
            if (!signalProcessed) {
              signalProcessed = true;
              const outcome = event.type === 'OrderApproved' ? 'approved' : 'rejected';
              side.record({ type: 'SignalProcessed', data: { signalId: 'sig1', orders: [{ accountId: 'a1', clientOrderId: 'c1', outcome }], skipped: [] } });
            }
            const order = side.view<OrderView>(C.orders, 'c1');
            expect(order?.status, `read model after ${event.type}`).toBe(state.status);
            expect(side.view<SignalView>(C.signals, 'sig1')?.orders[0]?.status, `signal's order after ${event.type}`).toBe(state.status);
            expect(order?.filledQuantity).toBe(state.filledQuantity.toString());
            expect(side.trading.isLive('c1'), `trading state liveness after ${event.type} (${state.status})`).toBe(!isTerminal(state.status));
            expect(side.trading.liveOrderStatus('c1') ?? 'final', `trading state after ${event.type}`).toBe(isTerminal(state.status) ? 'final' : state.status);
            // a pending cancel request is the same in the read model as in the decider
            expect(order?.cancelRequested !== undefined, `read model's pending cancel after ${event.type}`).toBe(state.cancelRequest !== undefined);
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('given a cancelled order, when a late partial fill arrives, then it stays cancelled everywhere and is not reconciled again', () => {
    const side = readSide();
    let state = orderDecider.initialState();
    const run = (cmd: OrderCommand): void => {
      const decided = orderDecider.decide(cmd, state);
      if (!decided.ok) throw new Error(decided.error.message);
      for (const e of decided.value) {
        state = orderDecider.evolve(state, e);
        side.record(e);
      }
    };
    run({ type: 'Approve', intent: intent('c1', 'limit') });
    run({ type: 'RecordAccepted', exchangeOrderId: 'X1' });
    run({ type: 'RecordCancelled', reason: 'user' });
    run({ type: 'RecordFill', tradeId: 't1', exchangeOrderId: 'X1', quantity: dec('1'), price: dec('100'), fee: dec('0'), feeCurrency: 'USDT', liquidity: 'maker', filledAt: 'x' });
    expect(state.status).toBe('cancelled');
    expect(side.view<OrderView>(C.orders, 'c1')).toMatchObject({ status: 'cancelled', filledQuantity: '1' });
    expect(side.trading.isLive('c1')).toBe(false);
    expect(side.trading.ordersToReconcile()).toEqual([]);
  });
});
