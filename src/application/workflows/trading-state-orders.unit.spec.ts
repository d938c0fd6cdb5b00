import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TradingState } from './trading-state.js';
import type { OrderIntent, PatriotEvent } from '../../domain/events.js';
import { NOT_PLACED, isTerminal, orderDecider, type OrderCommand, type OrderState } from '../../domain/orders/order-decider.js';
import { Dec, ZERO, dec } from '../../domain/shared/decimal.js';

/**
 * The write side's open orders and in-flight market orders, counted and summed as orders come
 * and go (never recounted from scratch: a burst of alerts leaves thousands of orders open).
 *
 * The write side's in-flight market orders (what routing adds to a position so two alerts routed
 * before a fill do not both act on it) are summed per account, symbol and strategy as orders come
 * and go. Whatever the interleaving of outcomes over several orders, each sum equals the sum taken
 * from scratch over the orders' own states after every event, and every live order is listed with
 * its symbol and strategy — an order concluded NOT_PLACED that the exchange shows after all too.
 */

interface Spec { readonly id: string; readonly accountId: string; readonly symbol: string; readonly strategyId: string; readonly side: 'buy' | 'sell'; readonly type: 'market' | 'limit' }
const ORDERS: readonly Spec[] = [
  { id: 'c1', accountId: 'a1', symbol: 'BTC/USDT', strategyId: 's1', side: 'buy', type: 'market' },
  { id: 'c2', accountId: 'a1', symbol: 'BTC/USDT', strategyId: 's2', side: 'sell', type: 'market' },
  { id: 'c3', accountId: 'a1', symbol: 'BTC/USDT', strategyId: 's1', side: 'sell', type: 'market' },
  { id: 'c4', accountId: 'a1', symbol: 'ETH/USDT', strategyId: 's1', side: 'buy', type: 'market' },
  { id: 'c5', accountId: 'a2', symbol: 'BTC/USDT', strategyId: 's1', side: 'buy', type: 'market' },
  { id: 'c6', accountId: 'a1', symbol: 'BTC/USDT', strategyId: 's1', side: 'buy', type: 'limit' },
];

const intentOf = (o: Spec): OrderIntent => ({
  clientOrderId: o.id, accountId: o.accountId, strategyId: o.strategyId, signalId: `sig-${o.id}`, symbol: o.symbol, side: o.side, type: o.type,
  quantity: '3', ...(o.type === 'limit' ? { limitPrice: '100' } : {}), referencePrice: '100', reduceOnly: false,
});

const outcome: fc.Arbitrary<OrderCommand> = fc.oneof(
  fc.constant<OrderCommand>({ type: 'RecordSubmitted' }),
  fc.constant<OrderCommand>({ type: 'RecordAccepted', exchangeOrderId: 'X1' }),
  fc.constantFrom(NOT_PLACED, '-2010').map((code): OrderCommand => ({ type: 'RecordExchangeRejected', code, reason: 'r' })),
  fc.constant<OrderCommand>({ type: 'RecordUnknown', reason: 'timeout' }),
  fc.record({ trade: fc.integer({ min: 1, max: 5 }), quantity: fc.constantFrom('0.5', '1', '2', '3') }).map(
    ({ trade, quantity }): OrderCommand => ({
      type: 'RecordFill', tradeId: `t${trade}`, exchangeOrderId: 'X1', quantity: dec(quantity), price: dec('100'), fee: dec('0'),
      feeCurrency: 'USDT', liquidity: 'taker', filledAt: '2026-01-01T00:00:00.000Z',
    }),
  ),
  fc.constant<OrderCommand>({ type: 'RecordCancelled', reason: 'user' }),
  fc.constant<OrderCommand>({ type: 'RecordExpired' }),
);

const step = fc.record({ order: fc.integer({ min: 0, max: ORDERS.length - 1 }), command: outcome });

/** The same quantity summed from scratch over every order's own state. */
function fromScratch(states: ReadonlyMap<string, OrderState>, accountId: string, symbol: string, strategyId?: string): Dec {
  let sum = ZERO;
  for (const o of ORDERS) {
    const state = states.get(o.id);
    if (!state || o.type !== 'market' || isTerminal(state.status) || state.status === 'none') continue;
    if (o.accountId !== accountId || o.symbol !== symbol || (strategyId !== undefined && o.strategyId !== strategyId)) continue;
    const open = state.quantity.minus(state.filledQuantity);
    if (open.greaterThan(0)) sum = sum.plus(o.side === 'buy' ? open : open.negated());
  }
  return sum;
}

describe('in-flight market orders, summed as they come and go', () => {
  it('given any interleaving of outcomes over several orders, then every sum equals the sum from scratch after every event', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const trading = new TradingState();
        let position = 0;
        const record = (event: PatriotEvent): void => {
          position++;
          trading.apply({ type: event.type, data: event.data, metadata: { tenantId: 't1', time: '2026-01-01T00:00:00.000Z' } });
        };
        for (const accountId of ['a1', 'a2']) {
          record({ type: 'AccountOpened', data: { accountId, tenantId: 't1', name: accountId, exchange: 'paper', quoteAsset: 'USDT', initialBalances: [{ asset: 'USDT', amount: '100000' }], risk: {} } });
        }
        const states = new Map<string, OrderState>();
        const run = (spec: Spec, command: OrderCommand): void => {
          let state = states.get(spec.id) ?? orderDecider.initialState();
          const decided = orderDecider.decide(command, state);
          if (!decided.ok) return;
          for (const event of decided.value) {
            state = orderDecider.evolve(state, event);
            record(event);
          }
          states.set(spec.id, state);
        };
        for (const { order, command } of steps) {
          const spec = ORDERS[order]!;
          if (!states.has(spec.id)) run(spec, { type: 'Approve', intent: intentOf(spec) }); // each order's first step approves it
          run(spec, command);
          for (const accountId of ['a1', 'a2']) {
            // every live order is listed with its symbol and strategy (what cancel-all and the kill switch go by), adopted ones too
            const live = ORDERS.filter((o) => o.accountId === accountId && states.has(o.id) && !isTerminal(states.get(o.id)!.status)).map((o) => `${o.id} ${o.symbol} ${o.strategyId}`);
            expect(trading.liveOrdersOf(accountId).map((o) => `${o.clientOrderId} ${o.symbol} ${o.strategyId}`).sort(), `live orders of ${accountId}`).toEqual(live.sort());
            const snapshot = trading.snapshot(accountId)!;
            // the open-order count (the cap) and the symbols whose prices are followed come from the same machine
            expect(snapshot.openOrders, `open orders of ${accountId}`).toBe(live.length);
            for (const symbol of ['BTC/USDT', 'ETH/USDT']) expect(trading.openOrderCount(accountId, symbol)).toBe(live.filter((l) => l.includes(` ${symbol} `)).length);
            for (const l of live) expect(trading.symbolsInUse(accountId)).toContain(l.split(' ')[1]);
            for (const symbol of ['BTC/USDT', 'ETH/USDT']) {
              expect(snapshot.inFlightQuantity(symbol).toString(), `${accountId} ${symbol}`).toBe(fromScratch(states, accountId, symbol).toString());
              for (const strategyId of ['s1', 's2']) {
                expect(snapshot.inFlightQuantity(symbol, strategyId).toString(), `${accountId} ${symbol} ${strategyId}`).toBe(fromScratch(states, accountId, symbol, strategyId).toString());
              }
            }
          }
        }
        expect(position).toBeGreaterThan(0);
      }),
      { numRuns: 600 },
    );
  });

  it('given a burst of 5,000 market orders in flight at once, then the sums are exact', () => {
    const trading = new TradingState();
    trading.apply({ type: 'AccountOpened', data: { accountId: 'a1', tenantId: 't1', name: 'a1', exchange: 'paper', quoteAsset: 'USDT', initialBalances: [], risk: {} } });
    for (let i = 0; i < 5000; i++) {
      const spec: Spec = { id: `b${i}`, accountId: 'a1', symbol: 'BTC/USDT', strategyId: i % 2 ? 's1' : 's2', side: i % 3 ? 'buy' : 'sell', type: 'market' };
      const decided = orderDecider.decide({ type: 'Approve', intent: { ...intentOf(spec), quantity: '0.001' } }, orderDecider.initialState());
      if (!decided.ok) throw new Error(decided.error.message);
      for (const event of decided.value) trading.apply({ type: event.type, data: event.data });
    }
    const snapshot = trading.snapshot('a1')!;
    // 3,333 buys and 1,667 sells of 0.001
    expect(snapshot.inFlightQuantity('BTC/USDT').toString()).toBe('1.666');
    expect(snapshot.inFlightQuantity('BTC/USDT', 's1').plus(snapshot.inFlightQuantity('BTC/USDT', 's2')).toString()).toBe('1.666');
    expect(snapshot.inFlightQuantity('ETH/USDT').toString()).toBe('0');
  });

  it('counts an account\'s open orders per symbol from approval to the end: accepted and unknown stay open; cancelled, expired, exchange-rejected and a complete fill end', () => {
    const trading = new TradingState();
    const record = (event: PatriotEvent): void => trading.apply({ type: event.type, data: event.data });
    for (const accountId of ['a1', 'a2']) record({ type: 'AccountOpened', data: { accountId, tenantId: 't1', name: accountId, exchange: 'paper', quoteAsset: 'USDT', initialBalances: [], risk: {} } });
    const states = new Map<string, OrderState>();
    const run = (spec: Spec, command: OrderCommand): void => {
      const decided = orderDecider.decide(command, states.get(spec.id) ?? orderDecider.initialState());
      if (!decided.ok) throw new Error(decided.error.message);
      let state = states.get(spec.id) ?? orderDecider.initialState();
      for (const event of decided.value) {
        state = orderDecider.evolve(state, event);
        record(event);
      }
      states.set(spec.id, state);
    };
    const [c1, c2, c3, c4, c5, c6] = ORDERS as [Spec, Spec, Spec, Spec, Spec, Spec];
    for (const o of [c1, c2, c3, c4, c5, c6]) run(o, { type: 'Approve', intent: intentOf(o) });
    expect(trading.openOrderCount('a1')).toBe(5);
    expect(trading.openOrderCount('a1', 'BTC/USDT')).toBe(4);
    expect(trading.openOrderCount('a1', 'ETH/USDT')).toBe(1);
    expect(trading.openOrderCount('a2')).toBe(1);
    run(c1, { type: 'RecordAccepted', exchangeOrderId: 'X1' });
    run(c2, { type: 'RecordUnknown', reason: 'timeout' });
    expect(trading.openOrderCount('a1')).toBe(5);
    run(c1, { type: 'RecordCancelled', reason: 'user' });
    run(c4, { type: 'RecordExpired' });
    run(c3, { type: 'RecordExchangeRejected', code: '-2010', reason: 'balance' });
    run(c6, { type: 'RecordAccepted', exchangeOrderId: 'X6' });
    run(c6, { type: 'RecordFill', tradeId: 't1', exchangeOrderId: 'X6', quantity: dec('1'), price: dec('100'), fee: dec('0'), feeCurrency: 'USDT', liquidity: 'maker', filledAt: 'x' });
    expect(trading.openOrderCount('a1')).toBe(2); // c2 (unknown) and c6 (partly filled)
    run(c6, { type: 'RecordFill', tradeId: 't2', exchangeOrderId: 'X6', quantity: dec('2'), price: dec('100'), fee: dec('0'), feeCurrency: 'USDT', liquidity: 'maker', filledAt: 'x' });
    expect(trading.openOrderCount('a1')).toBe(1);
    expect(trading.openOrderCount('a1', 'ETH/USDT')).toBe(0);
    expect(trading.snapshot('a1')!.openOrders).toBe(1);
    // a late fill of the cancelled order neither reopens it nor counts it twice
    run(c1, { type: 'RecordFill', tradeId: 't3', exchangeOrderId: 'X1', quantity: dec('1'), price: dec('100'), fee: dec('0'), feeCurrency: 'USDT', liquidity: 'taker', filledAt: 'x' });
    expect(trading.openOrderCount('a1')).toBe(1);
    expect(trading.openOrderCount('a2')).toBe(1);
  });

  it('never counts a risk-rejected order as open', () => {
    const trading = new TradingState();
    trading.apply({ type: 'AccountOpened', data: { accountId: 'a1', tenantId: 't1', name: 'a1', exchange: 'paper', quoteAsset: 'USDT', initialBalances: [], risk: {} } });
    const decided = orderDecider.decide({ type: 'Reject', intent: intentOf(ORDERS[0]!), reasons: [{ code: 'R', message: 'no' }] }, orderDecider.initialState());
    if (!decided.ok) throw new Error(decided.error.message);
    for (const event of decided.value) trading.apply({ type: event.type, data: event.data });
    expect(trading.openOrderCount('a1')).toBe(0);
    expect(trading.snapshot('a1')!.openOrders).toBe(0);
  });
});
