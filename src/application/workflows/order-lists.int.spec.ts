import { afterEach, describe, expect, it } from 'vitest';
import { OrderExecutor } from './order-executor.js';
import { KeyedMutex } from '../shared/keyed-mutex.js';
import { silentLogger } from '../ports/logger.js';
import type { EventStore } from '../ports/event-store.js';
import type { ExchangeGateway } from '../ports/exchange.js';
import type { OrderIntent } from '../../domain/events.js';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { PaperExchange } from '../../adapters/exchanges/paper/paper-exchange.js';
import { SyntheticPriceFeed } from '../../adapters/marketdata/synthetic-price-feed.js';

/**
 * One-cancels-other lists through the executor (issue 17) against the paper engine's native
 * lists (the paper gateway says it has none, so PATRIOT's paper accounts keep managed brackets;
 * here a view of it says it has them): both legs' attempts are recorded before the one request
 * leaves, both outcomes are recorded, a lost answer is looked up leg by leg and never sent twice,
 * and a leg cancelled before it left takes its partner with it.
 */

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const clock = { now: () => T0 };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup() {
  const store = await SqliteEventStore.open({ path: ':memory:' });
  const feed = new SyntheticPriceFeed({ clock, seed: 7 });
  feed.setPrice('BTC/USDT', '97000');
  const paper = new PaperExchange({ path: ':memory:', feed, clock, seed: 7, holdsConditionalFunds: true });
  paper.openAccount('acc1', [{ asset: 'USDT', amount: '100000' }, { asset: 'BTC', amount: '1' }]);
  const exchange: ExchangeGateway = Object.assign(Object.create(paper) as ExchangeGateway, { placesOrderLists: () => true });
  const executor = new OrderExecutor({ store, exchange, clock, log: silentLogger, streamMutex: new KeyedMutex(), lookupDelaysMs: [5, 10, 20] });
  paper.onOrderUpdate((u) => void executor.onExchangeUpdate(u.order, u.accountId));
  closers.push(async () => {
    await executor.stop();
    await paper.close();
    await store.close();
  });
  return { store, paper, executor, feed };
}

const id = (n: number): string => n.toString(16).padStart(32, '0');

function list(n: number, over: { quantity?: string; limitPrice?: string; stopPrice?: string } = {}): [OrderIntent, OrderIntent] {
  const common = { accountId: 'acc1', strategyId: 's1', signalId: `sig${n}`, symbol: 'BTC/USDT', side: 'sell' as const, quantity: over.quantity ?? '0.5', referencePrice: '97000', reduceOnly: true };
  const orderList = { listClientOrderId: id(n + 1000) };
  return [
    { ...common, clientOrderId: id(n), type: 'limit', limitPrice: over.limitPrice ?? '99000', orderList: { ...orderList, leg: 'limit', siblingClientOrderId: id(n + 1) } },
    { ...common, clientOrderId: id(n + 1), type: 'stop_market', stopPrice: over.stopPrice ?? '95000', orderList: { ...orderList, leg: 'stop', siblingClientOrderId: id(n) } },
  ];
}

async function approve(store: EventStore, legs: readonly OrderIntent[]): Promise<void> {
  await store.appendAtomic(legs.map((i) => ({ streamId: `order-${i.clientOrderId}`, expectedVersion: 0, events: [{ type: 'OrderApproved', data: { ...i } }], metadata: { tenantId: 't1', time: new Date(T0).toISOString(), correlationId: i.signalId } })));
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}

const types = async (store: EventStore, i: OrderIntent) => (await store.readStream(`order-${i.clientOrderId}`)).map((e) => e.type);

describe('one-cancels-other lists through the executor (issue 17)', () => {
  it('both legs are recorded as leaving before the one request, placed once however often either leg is handed over, and the base is held once', async () => {
    const { store, paper, executor } = await setup();
    const legs = list(10);
    await approve(store, legs);
    for (let round = 0; round < 3; round++) for (const leg of [...legs].reverse()) executor.submit(leg);
    await executor.idle();
    await until(async () => (await Promise.all(legs.map((l) => types(store, l)))).every((t) => t.includes('OrderAccepted')));
    for (const leg of legs) {
      const t = await types(store, leg);
      expect(t.filter((e) => e === 'OrderSubmitted')).toHaveLength(1);
      expect(t.indexOf('OrderSubmitted')).toBeLessThan(t.indexOf('OrderAccepted'));
      expect(paper.placementAttempts('acc1', leg.clientOrderId)).toBe(1);
    }
    const [limitLeg, stopLeg] = await Promise.all(legs.map((l) => paper.fetchOrder('acc1', l.clientOrderId)));
    expect(limitLeg).toMatchObject({ status: 'open', type: 'limit', limitPrice: '99000' });
    expect(stopLeg).toMatchObject({ status: 'open', type: 'stop_market', stopPrice: '95000' });
    expect(limitLeg!.orderListId).toBeDefined();
    expect(stopLeg!.orderListId).toBe(limitLeg!.orderListId);
    const btc = (await paper.fetchBalances('acc1')).find((b) => b.asset === 'BTC')!;
    expect(btc).toMatchObject({ total: '1', available: '0.5' });
  });

  it('the take-profit fills: the exchange expires the stop, and the log says so for both legs', async () => {
    const { store, executor, feed } = await setup();
    const legs = list(20);
    await approve(store, legs);
    executor.submit(legs[0]);
    await until(async () => (await types(store, legs[1])).includes('OrderAccepted'));
    feed.setPrice('BTC/USDT', '99100');
    await until(async () => (await types(store, legs[0])).includes('OrderFilled') && (await types(store, legs[1])).includes('OrderExpired'));
    expect(await types(store, legs[1])).not.toContain('OrderCancelRequested');
  });

  it('a list whose prices the market already passed is refused for both legs (OCO_PRICES_WRONG_SIDE), nothing placed', async () => {
    const { store, paper, executor } = await setup();
    const legs = list(30, { stopPrice: '97500' });
    await approve(store, legs);
    executor.submit(legs[1]);
    await until(async () => (await Promise.all(legs.map((l) => types(store, l)))).every((t) => t.includes('OrderExchangeRejected')));
    for (const leg of legs) {
      const rejected = (await store.readStream(`order-${leg.clientOrderId}`)).find((e) => e.type === 'OrderExchangeRejected')!;
      expect(rejected.data).toMatchObject({ code: 'OCO_PRICES_WRONG_SIDE' });
    }
    expect(await paper.fetchOpenOrders('acc1')).toEqual([]);
  });

  it('a lost answer (placed, then unknown): each leg is looked up and adopted, and the list is never sent again', async () => {
    const { store, paper, executor } = await setup();
    paper.injectFault({ kind: 'unknown_after_accept', reason: 'socket hang up' });
    const legs = list(40);
    await approve(store, legs);
    executor.submit(legs[0]);
    await until(async () => (await Promise.all(legs.map((l) => types(store, l)))).every((t) => t.includes('OrderAccepted')));
    for (const leg of legs) expect(paper.placementAttempts('acc1', leg.clientOrderId)).toBe(1);
    expect((await paper.fetchOpenOrders('acc1')).map((o) => o.clientOrderId).sort()).toEqual(legs.map((l) => l.clientOrderId).sort());
  });

  it('a list lost on the way (unknown, the exchange shows neither leg): both legs are concluded not placed after their look-ups, never sent again with the same ids', async () => {
    const { store, paper, executor } = await setup();
    paper.injectFault({ kind: 'unknown_before_accept', reason: 'connection reset' });
    const legs = list(50);
    await approve(store, legs);
    executor.submit(legs[0]);
    await until(async () => (await Promise.all(legs.map((l) => types(store, l)))).every((t) => t.includes('OrderExchangeRejected')));
    for (const leg of legs) {
      const rejected = (await store.readStream(`order-${leg.clientOrderId}`)).find((e) => e.type === 'OrderExchangeRejected')!;
      expect(rejected.data).toMatchObject({ code: 'NOT_PLACED' });
      expect(paper.placementAttempts('acc1', leg.clientOrderId)).toBe(1);
    }
    expect(await paper.fetchOpenOrders('acc1')).toEqual([]);
  });

  it('a leg cancelled before the list left: neither leg is sent (the partner is withdrawn with it)', async () => {
    const { store, paper, executor } = await setup();
    const legs = list(60);
    await approve(store, legs);
    await store.append({ streamId: `order-${legs[1].clientOrderId}`, expectedVersion: 1, events: [
      { type: 'OrderCancelRequested', data: { clientOrderId: legs[1].clientOrderId, accountId: 'acc1', by: 'user:u1', reason: 'changed my mind' } },
      { type: 'OrderCancelled', data: { clientOrderId: legs[1].clientOrderId, accountId: 'acc1', reason: 'cancelled before it was sent' } },
    ], metadata: { tenantId: 't1', time: new Date(T0).toISOString() } });
    executor.submit(legs[0]);
    executor.submit(legs[1]);
    await until(async () => (await types(store, legs[0])).includes('OrderCancelled'));
    expect(await paper.fetchOpenOrders('acc1')).toEqual([]);
    for (const leg of legs) expect(paper.placementAttempts('acc1', leg.clientOrderId)).toBe(0);
  });

  it('cancelling one leg on the exchange cancels both; the log records both', async () => {
    const { store, executor } = await setup();
    const legs = list(70);
    await approve(store, legs);
    executor.submit(legs[0]);
    await until(async () => (await types(store, legs[1])).includes('OrderAccepted'));
    await store.append({ streamId: `order-${legs[0].clientOrderId}`, expectedVersion: (await store.readStream(`order-${legs[0].clientOrderId}`)).length, events: [
      { type: 'OrderCancelRequested', data: { clientOrderId: legs[0].clientOrderId, accountId: 'acc1', by: 'user:u1', reason: 'manual' } },
    ], metadata: { tenantId: 't1', time: new Date(T0).toISOString() } });
    executor.cancel(legs[0].clientOrderId, 'acc1');
    await until(async () => (await Promise.all(legs.map((l) => types(store, l)))).every((t) => t.includes('OrderCancelled')));
  });
});
