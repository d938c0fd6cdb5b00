import { afterEach, describe, expect, it, vi } from 'vitest';
import { OrderExecutor } from './order-executor.js';
import { KeyedMutex } from '../shared/keyed-mutex.js';
import { silentLogger } from '../ports/logger.js';
import type { EventStore } from '../ports/event-store.js';
import type { ExchangeGateway, ExchangeOrder, OrderSearchResult } from '../ports/exchange.js';
import type { OrderIntent } from '../../domain/events.js';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { PaperExchange } from '../../adapters/exchanges/paper/paper-exchange.js';
import { SyntheticPriceFeed } from '../../adapters/marketdata/synthetic-price-feed.js';
import { Dec } from '../../domain/shared/decimal.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const clock = { now: () => T0 };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(options: { failAppends?: number; absenceGraceMs?: number; clock?: { now(): number }; openOrderCap?: number; owns?: (accountId: string) => boolean } = {}) {
  const store = await SqliteEventStore.open({ path: ':memory:' });
  let failures = options.failAppends ?? 0;
  // the log refuses the first N appends of exchange outcomes (e.g. a full disk that recovers)
  const flaky: EventStore = Object.assign(Object.create(store) as EventStore, {
    append: (request: Parameters<EventStore['append']>[0]) =>
      request.events.some((e) => e.type !== 'OrderApproved') && failures-- > 0 ? Promise.reject(new Error('SQLITE_FULL: database or disk is full')) : store.append(request),
  });
  const feed = new SyntheticPriceFeed({ clock, seed: 7 });
  const exchange = new PaperExchange({ path: ':memory:', feed, clock, seed: 7 });
  exchange.openAccount('acc1', [{ asset: 'USDT', amount: '100000' }]);
  const executor = new OrderExecutor({
    store: flaky, exchange, clock: options.clock ?? clock, log: silentLogger, streamMutex: new KeyedMutex(), lookupDelaysMs: [5, 10, 20],
    ...(options.absenceGraceMs !== undefined ? { absenceGraceMs: () => options.absenceGraceMs! } : {}),
    ...(options.openOrderCap !== undefined ? { openOrderCap: () => options.openOrderCap } : {}),
    ...(options.owns !== undefined ? { owns: options.owns } : {}),
    markPrice: (symbol) => {
      const tick = feed.latest(symbol);
      return tick ? new Dec(tick.price) : undefined;
    },
  });
  exchange.onOrderUpdate((u) => void executor.onExchangeUpdate(u.order, u.accountId));
  closers.push(async () => {
    await executor.stop();
    await exchange.close();
    await store.close();
  });
  return { store, exchange, executor, feed };
}

const intent = (n: number): OrderIntent => ({
  clientOrderId: n.toString(16).padStart(32, '0'), accountId: 'acc1', strategyId: 's1', signalId: `sig${n}`, symbol: 'BTC/USDT',
  side: 'buy', type: 'market', quantity: '0.001', referencePrice: '97000', reduceOnly: false,
});

async function approve(store: EventStore, i: OrderIntent): Promise<void> {
  await store.append({ streamId: `order-${i.clientOrderId}`, expectedVersion: 0, events: [{ type: 'OrderApproved', data: { ...i } }], metadata: { tenantId: 't1', time: 'x', correlationId: i.signalId } });
}

/** An approval whose attempt was recorded in the same append (ADR-0030: the router records it when the order leaves at once). */
async function approveLeaving(store: EventStore, i: OrderIntent): Promise<void> {
  await store.append({
    streamId: `order-${i.clientOrderId}`, expectedVersion: 0, metadata: { tenantId: 't1', time: new Date(T0).toISOString(), correlationId: i.signalId },
    events: [{ type: 'OrderApproved', data: { ...i } }, { type: 'OrderSubmitted', data: { clientOrderId: i.clientOrderId, accountId: i.accountId, attempt: 1 } }],
  });
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}

const types = async (store: EventStore, i: OrderIntent) => (await store.readStream(`order-${i.clientOrderId}`)).map((e) => e.type);

/** The orders a stopped executor left: never placed, only approved in the log (none recorded as unknown). */
async function leftUnsent(store: EventStore, exchange: PaperExchange, intents: readonly OrderIntent[]): Promise<OrderIntent[]> {
  const unsent: OrderIntent[] = [];
  for (const i of intents) {
    const recorded = await types(store, i);
    expect(recorded).not.toContain('OrderStatusUnknown');
    if (exchange.placementAttempts('acc1', i.clientOrderId) === 0) {
      expect(recorded).toEqual(['OrderApproved']); // no attempt recorded: it never left
      unsent.push(i);
    }
  }
  return unsent;
}

/** The next executor on the same log and exchange (a restart, or the account's next owner) sends what was left, and every order is placed once. */
async function sentOnceByNextExecutor(store: EventStore, exchange: PaperExchange, unsent: readonly OrderIntent[], all: readonly OrderIntent[]): Promise<void> {
  const next = new OrderExecutor({ store, exchange, clock, log: silentLogger, streamMutex: new KeyedMutex(), lookupDelaysMs: [5, 10, 20] });
  exchange.onOrderUpdate((u) => void next.onExchangeUpdate(u.order, u.accountId));
  for (const i of unsent) next.submit(i);
  await next.idle();
  await until(async () => (await Promise.all(all.map((i) => types(store, i)))).every((t) => t.includes('OrderFilled')));
  for (const i of all) expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
  await next.stop();
}

describe('OrderExecutor', () => {
  it('given the same approval handed over many times (from the router, from the log, from a look-up), then it is placed once', async () => {
    const { store, exchange, executor } = await setup();
    const orders = [31, 32, 33].map(intent);
    for (const i of orders) await approve(store, i);
    for (let round = 0; round < 3; round++) {
      for (const i of orders) {
        executor.submit(i);
        executor.reconcile(i.clientOrderId, i.accountId);
      }
    }
    await executor.idle();
    await until(async () => (await Promise.all(orders.map((i) => types(store, i)))).every((t) => t.includes('OrderFilled')));
    // long after: a stale hand-over of a filled order sends nothing
    for (const i of orders) executor.submit(i);
    await executor.idle();
    for (const i of orders) expect(exchange.placementAttempts('acc1', i.clientOrderId), i.clientOrderId).toBe(1);
  });

  it('given orders still queued when the executor stops, then they are not sent and not recorded as unknown; the next executor sends each once', async () => {
    const { store, exchange, executor } = await setup();
    const intents = [11, 12, 13, 14, 15, 16].map(intent);
    for (const i of intents) await approve(store, i);
    for (const i of intents) executor.submit(i);
    await executor.stop();
    const unsent = await leftUnsent(store, exchange, intents);
    expect(unsent.length).toBeGreaterThan(0);
    await sentOnceByNextExecutor(store, exchange, unsent, intents);
  });

  it('given a backlog of queued orders when the executor stops, then the stop reads none of their streams and sends none; the next executor sends each once', async () => {
    const { store, exchange, executor } = await setup();
    const intents = Array.from({ length: 40 }, (_, n) => intent(100 + n));
    for (const i of intents) await approve(store, i);
    const reads = vi.spyOn(store, 'readStream');
    for (const [n, i] of intents.entries()) {
      executor.submit(i);
      if (n % 4 === 3) await Promise.resolve(); // several batches queued behind each other
    }
    const readBeforeStop = reads.mock.calls.length; // the first batch may be under way already
    await executor.stop();
    expect(reads.mock.calls.length).toBe(readBeforeStop);
    expect(readBeforeStop).toBeLessThan(intents.length / 2);
    reads.mockRestore();
    const unsent = await leftUnsent(store, exchange, intents);
    expect(unsent.length).toBeGreaterThan(intents.length / 2);
    await sentOnceByNextExecutor(store, exchange, unsent, intents);
  });

  it('given orders of one account, then they reach the exchange in submission order, each once, and end filled', async () => {
    const { store, exchange, executor } = await setup();
    const intents = [1, 2, 3, 4, 5].map(intent);
    for (const i of intents) await approve(store, i);
    for (const i of intents) executor.submit(i);
    await executor.idle();
    await until(async () => (await Promise.all(intents.map((i) => types(store, i)))).every((t) => t.includes('OrderFilled')));
    const ids = (await exchange.fetchOpenOrders('acc1')).length;
    expect(ids).toBe(0);
    for (const i of intents) {
      expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
      expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    }
    const exchangeOrderIds = await Promise.all(intents.map(async (i) => Number((await exchange.fetchOrder('acc1', i.clientOrderId))!.exchangeOrderId)));
    expect(exchangeOrderIds).toEqual([...exchangeOrderIds].sort((a, b) => a - b));
  });

  it('given the log refuses the outcome for a while, then the order is looked up later and recorded, never sent again', async () => {
    const { store, exchange, executor } = await setup({ failAppends: 3 });
    const i = intent(9);
    await approve(store, i);
    executor.submit(i);
    await until(async () => (await types(store, i)).includes('OrderFilled'));
    expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
  });

  it('given a lost response (the exchange took the order), then it is found by clientOrderId and not resent', async () => {
    const { store, exchange, executor } = await setup();
    exchange.injectFault({ kind: 'unknown_after_accept' });
    const i = intent(10);
    await approve(store, i);
    executor.submit(i);
    await until(async () => (await types(store, i)).includes('OrderFilled'));
    expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown', 'OrderAccepted', 'OrderFilled']);
    expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
  });

  it('given a request whose answer was lost and that the exchange does not have, then it is recorded as not placed and never sent again (ADR-0011)', async () => {
    const { store, exchange, executor } = await setup();
    exchange.injectFault({ kind: 'unknown_before_accept' });
    const i = intent(11);
    await approve(store, i);
    executor.submit(i);
    await until(async () => (await types(store, i)).includes('OrderExchangeRejected'));
    expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown', 'OrderExchangeRejected']);
    expect((await store.readStream(`order-${i.clientOrderId}`)).at(-1)?.data).toMatchObject({ code: 'NOT_PLACED' });
    await executor.idle();
    expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
    expect(await exchange.fetchOrder('acc1', i.clientOrderId)).toBeNull();
  });

  it('given a restart after the exchange refused an order but before the refusal was recorded, then the next owner records it as not placed and never sends it again', async () => {
    const { store, exchange, executor } = await setup();
    const refused = { ...intent(15), quantity: '5' }; // 5 BTC ≈ 485,000 USDT > balance
    const unsent = intent(16);
    for (const i of [refused, unsent]) await approve(store, i);
    // the previous process recorded the attempt and sent it; the exchange refused; the process died before recording that
    await store.append({ streamId: `order-${refused.clientOrderId}`, expectedVersion: 1, events: [{ type: 'OrderSubmitted', data: { clientOrderId: refused.clientOrderId, accountId: 'acc1', attempt: 1 } }], metadata: { tenantId: 't1', time: new Date(T0).toISOString() } });
    expect((await exchange.placeOrder('acc1', { clientOrderId: refused.clientOrderId, symbol: refused.symbol, side: refused.side, type: refused.type, quantity: refused.quantity })).kind).toBe('rejected');
    // the next owner takes the account over: every order without an outcome is looked up
    for (const i of [refused, unsent]) executor.reconcile(i.clientOrderId, 'acc1');
    await until(async () => (await types(store, refused)).includes('OrderExchangeRejected') && (await types(store, unsent)).includes('OrderFilled'));
    await executor.idle();
    expect(await types(store, refused)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderExchangeRejected']);
    expect(exchange.placementAttempts('acc1', refused.clientOrderId)).toBe(1);
    // the order with no attempt recorded never left: it is sent, once
    expect(await types(store, unsent)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    expect(exchange.placementAttempts('acc1', unsent.clientOrderId)).toBe(1);
  });

  it('given a definitive exchange rejection, then it is recorded with the code and never retried', async () => {
    const { store, exchange, executor } = await setup();
    const i = { ...intent(12), quantity: '5' }; // 5 BTC ≈ 485,000 USDT > balance
    await approve(store, i);
    // The executor retries only through its look-up timers; with those faked, "never retried" is
    // provable: once it is idle, no timer is pending, and running every timer changes nothing.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      executor.submit(i);
      await executor.idle();
      expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderExchangeRejected']);
      const rejected = (await store.readStream(`order-${i.clientOrderId}`)).find((e) => e.type === 'OrderExchangeRejected');
      expect(rejected?.data).toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
      expect(vi.getTimerCount()).toBe(0);
      await vi.runAllTimersAsync();
      await executor.idle();
    } finally {
      vi.useRealTimers();
    }
    expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
    expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderExchangeRejected']);
  });

  it('given a restart with an attempt recorded that the exchange proves it never received (paper counts every request), then it is sent again as attempt 2, once', async () => {
    const { store, exchange, executor } = await setup();
    const i = intent(17);
    await approve(store, i);
    await store.append({ streamId: `order-${i.clientOrderId}`, expectedVersion: 1, events: [{ type: 'OrderSubmitted', data: { clientOrderId: i.clientOrderId, accountId: 'acc1', attempt: 1 } }], metadata: { tenantId: 't1', time: new Date(T0).toISOString() } });
    executor.reconcile(i.clientOrderId, 'acc1');
    await until(async () => (await types(store, i)).includes('OrderFilled'));
    await executor.idle();
    expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    expect((await store.readStream(`order-${i.clientOrderId}`))[2]!.data).toMatchObject({ attempt: 2 });
    expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
  });

  it('given a definite "nothing placed" answer (a 429 with Retry-After), then the order is tried again as a new recorded attempt, and placed once', async () => {
    const { store, exchange, executor } = await setup();
    const place = exchange.placeOrder.bind(exchange);
    let refusals = 1;
    exchange.placeOrder = (...args) => (refusals-- > 0 ? Promise.resolve({ kind: 'not_placed' as const, code: 'RATE_LIMITED', reason: '429 too many requests', retryAfterMs: 20 }) : place(...args));
    const i = intent(18);
    await approve(store, i);
    executor.submit(i);
    await until(async () => (await types(store, i)).includes('OrderFilled'));
    await executor.idle();
    expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
  });

  it('given "not found" soon after a placement attempt, then it is not proof: the order is looked up again, and only once the grace window has passed is it recorded as not placed', async () => {
    let now = T0;
    const { store, exchange, executor } = await setup({ absenceGraceMs: 60_000, clock: { now: () => now } });
    let lookups = 0;
    const fetchOrder = exchange.fetchOrder.bind(exchange);
    exchange.fetchOrder = (...args) => (lookups++, fetchOrder(...args));
    exchange.injectFault({ kind: 'unknown_before_accept' });
    const i = intent(13);
    await approve(store, i);
    executor.submit(i);
    await until(async () => lookups >= 4);
    now += 59_000; // still inside the window
    const seen = lookups;
    await until(async () => lookups >= seen + 2);
    expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
    expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown']);
    now += 2_000; // past it: the exchange definitively has no such order
    await until(async () => (await types(store, i)).includes('OrderExchangeRejected'));
    expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
  });

  it('given a lost answer and a source of the exchange that cannot be read past the window, then absence is not concluded: unknown, with the source named, never resent; NOT_PLACED only once every source answered', async () => {
    let now = T0;
    const { store, exchange, executor } = await setup({ absenceGraceMs: 1000, clock: { now: () => now } });
    let answer: OrderSearchResult = { kind: 'inconclusive', unread: ['trades'], reason: 'trades: 503' };
    let searches = 0;
    const searching: Pick<ExchangeGateway, 'searchOrder'> = { searchOrder: async () => (searches++, answer) };
    Object.assign(exchange, searching);
    exchange.injectFault({ kind: 'unknown_before_accept' });
    const i = intent(14);
    await approve(store, i);
    executor.submit(i);
    await until(async () => searches >= 2);
    now += 5_000; // well past the window
    const seen = searches;
    await until(async () => searches >= seen + 3);
    const history = await store.readStream(`order-${i.clientOrderId}`);
    expect(history.map((e) => e.type)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown', 'OrderStatusUnknown']);
    expect(history.at(-1)?.data).toMatchObject({ reason: expect.stringContaining('trades could not be checked') });
    expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
    answer = { kind: 'absent', sources: ['order query', 'order list', 'open orders', 'trades'] };
    await until(async () => (await types(store, i)).includes('OrderExchangeRejected'));
    expect((await store.readStream(`order-${i.clientOrderId}`)).at(-1)?.data).toMatchObject({ code: 'NOT_PLACED', reason: expect.stringContaining('order list, open orders, trades') });
    await executor.idle();
    expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
  });

  it('given a lost answer and an order the search finds (e.g. by its trades), then it is adopted with its fills, never resent', async () => {
    const { store, exchange, executor } = await setup({ absenceGraceMs: 60_000 });
    const i = intent(15);
    const order: ExchangeOrder = {
      clientOrderId: i.clientOrderId, exchangeOrderId: 'E15', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.001', filledQuantity: '0.001', status: 'filled',
      fills: [{ tradeId: 'T15', clientOrderId: i.clientOrderId, exchangeOrderId: 'E15', symbol: 'BTC/USDT', side: 'buy', quantity: '0.001', price: '97000', fee: '0', feeCurrency: 'USDT', liquidity: 'taker', time: new Date(T0).toISOString() }],
    };
    const searching: Pick<ExchangeGateway, 'searchOrder'> = { searchOrder: async () => ({ kind: 'found', order, source: 'trades' }) };
    Object.assign(exchange, searching);
    exchange.injectFault({ kind: 'unknown_before_accept' });
    await approve(store, i);
    executor.submit(i);
    await until(async () => (await types(store, i)).includes('OrderFilled'));
    expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown', 'OrderAccepted', 'OrderFilled']);
    expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
  });

  it('given the exchange says the clientOrderId is already used, then the order is looked up and recorded, never recorded as rejected', async () => {
    const { store, exchange, executor } = await setup();
    const i = intent(14);
    // a previous owner of the account sent it before dying
    expect((await exchange.placeOrder('acc1', { clientOrderId: i.clientOrderId, symbol: i.symbol, side: i.side, type: i.type, quantity: i.quantity })).kind).toBe('accepted');
    await approve(store, i);
    executor.submit(i);
    await until(async () => (await types(store, i)).includes('OrderFilled'));
    expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    expect((await exchange.fetchOpenOrders('acc1')).length + (await exchange.fetchOrder('acc1', i.clientOrderId) ? 1 : 0)).toBe(1);
  });

  it('given the account is at its open-order cap, then further limit orders are parked and released nearest-to-market first as room frees', async () => {
    const { store, exchange, executor, feed } = await setup({ openOrderCap: 2 });
    feed.setPrice('BTC/USDT', '97000');
    const resting = (n: number, price: string): OrderIntent => ({ ...intent(n), type: 'limit', limitPrice: price, referencePrice: '97000' });
    const orders = [resting(21, '90000'), resting(22, '91000'), resting(23, '96000'), resting(24, '92000'), resting(25, '95000')];
    for (const o of orders) await approve(store, o);
    for (const o of orders) executor.submit(o);
    await executor.idle();
    const open = async () => (await exchange.fetchOpenOrders('acc1')).map((o) => o.clientOrderId);
    expect(await open()).toEqual([orders[0]!.clientOrderId, orders[1]!.clientOrderId]);
    for (const o of orders.slice(2)) expect(await types(store, o)).toEqual(['OrderApproved', 'OrderParked']);
    for (const o of orders.slice(0, 2)) expect(await types(store, o)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted']);

    await exchange.cancelOrder('acc1', orders[0]!.clientOrderId); // room for one: the one nearest to 97,000 goes
    await until(async () => (await open()).includes(orders[2]!.clientOrderId));
    await executor.idle();
    expect(await types(store, orders[2]!)).toEqual(['OrderApproved', 'OrderParked', 'OrderReleased', 'OrderSubmitted', 'OrderAccepted']);
    expect((await open()).length).toBe(2);

    await exchange.cancelOrder('acc1', orders[1]!.clientOrderId);
    await until(async () => (await open()).includes(orders[4]!.clientOrderId));
    await executor.idle();
    expect(await types(store, orders[3]!)).toEqual(['OrderApproved', 'OrderParked']); // the farthest still waits
    expect(exchange.placementAttempts('acc1', orders[3]!.clientOrderId)).toBe(0);

    // a market order is never parked: it does not rest on the book
    const market = intent(26);
    await approve(store, market);
    executor.submit(market);
    await until(async () => (await types(store, market)).includes('OrderFilled'));
  });

  it('given a parked order cancelled before room frees, then it is never sent; the next parked one goes instead', async () => {
    const { store, exchange, executor, feed } = await setup({ openOrderCap: 1 });
    feed.setPrice('BTC/USDT', '97000');
    const resting = (n: number, price: string): OrderIntent => ({ ...intent(n), type: 'limit', limitPrice: price, referencePrice: '97000' });
    const [open, nearest, other] = [resting(31, '90000'), resting(32, '96900'), resting(33, '91000')];
    for (const o of [open, nearest, other]) await approve(store, o);
    for (const o of [open, nearest, other]) executor.submit(o);
    await executor.idle();
    expect(await types(store, nearest)).toEqual(['OrderApproved', 'OrderParked']);
    // the user cancels the parked order (it never reached the exchange)
    await store.append({ streamId: `order-${nearest.clientOrderId}`, expectedVersion: 2, events: [{ type: 'OrderCancelled', data: { clientOrderId: nearest.clientOrderId, accountId: 'acc1', reason: 'user' } }], metadata: { tenantId: 't1', time: 'x' } });
    await exchange.cancelOrder('acc1', open.clientOrderId);
    await until(async () => (await types(store, other)).includes('OrderAccepted'));
    await executor.idle();
    expect(exchange.placementAttempts('acc1', nearest.clientOrderId)).toBe(0);
    expect(await types(store, nearest)).toEqual(['OrderApproved', 'OrderParked', 'OrderCancelled']);
  });

  describe('orders whose attempt was recorded with their approval (ADR-0030)', () => {
    it('given such orders between orders recorded here, then all leave in submission order, each once; theirs with nothing read or recorded first', async () => {
      const { store, exchange, executor } = await setup();
      const [a, b, c] = [41, 42, 43].map(intent);
      await approveLeaving(store, a!);
      await approve(store, b!);
      await approveLeaving(store, c!);
      const reads = vi.spyOn(store, 'readStream');
      executor.submitRecorded(a!);
      executor.submit(b!);
      executor.submitRecorded(c!);
      await executor.idle();
      await until(async () => (await Promise.all([a!, b!, c!].map((i) => types(store, i)))).every((t) => t.includes('OrderFilled')));
      // before leaving, only b's stream was read (to record its attempt); a and c were read afterwards, to record their fills
      const readFirst = reads.mock.calls.map(([streamId]) => streamId)[0];
      reads.mockRestore();
      expect(readFirst).toBe(`order-${b!.clientOrderId}`);
      for (const i of [a!, b!, c!]) {
        expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
        expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
      }
      const exchangeOrderIds = await Promise.all([a!, b!, c!].map(async (i) => Number((await exchange.fetchOrder('acc1', i.clientOrderId))!.exchangeOrderId)));
      expect(exchangeOrderIds).toEqual([...exchangeOrderIds].sort((x, y) => x - y));
    });

    it('given such an order queued when the executor stops, then it still leaves, once (its attempt is recorded); an order not recorded is left approved for the next owner', async () => {
      const { store, exchange, executor } = await setup();
      const [recorded, plain] = [44, 45].map(intent);
      await approveLeaving(store, recorded!);
      await approve(store, plain!);
      executor.submit(plain!);
      executor.submitRecorded(recorded!);
      await executor.stop();
      expect(exchange.placementAttempts('acc1', recorded!.clientOrderId)).toBe(1);
      expect(await leftUnsent(store, exchange, [plain!])).toEqual([plain]);
      await until(async () => (await types(store, recorded!)).includes('OrderFilled'));
      expect(await types(store, recorded!)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    });

    it('given the account changed hands before such an order left, then this node sends nothing; the next owner finds the attempt, looks it up and sends it once', async () => {
      const { store, exchange, executor } = await setup({ owns: () => false });
      const i = intent(46);
      await approveLeaving(store, i);
      executor.submitRecorded(i);
      await executor.idle();
      expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(0);
      const next = new OrderExecutor({ store, exchange, clock, log: silentLogger, streamMutex: new KeyedMutex(), lookupDelaysMs: [5, 10, 20] });
      exchange.onOrderUpdate((u) => void next.onExchangeUpdate(u.order, u.accountId));
      next.reconcile(i.clientOrderId, 'acc1'); // what a new owner does with an order whose attempt is recorded
      await until(async () => (await types(store, i)).includes('OrderFilled'));
      await next.stop();
      expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
      expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    });

    it('given a look-up already sending such an order here when its turn comes, then it is not sent a second time', async () => {
      const { store, exchange, executor } = await setup();
      const i = intent(48);
      await approveLeaving(store, i);
      executor.reconcile(i.clientOrderId, 'acc1'); // finds the attempt, proves it never arrived, sends attempt 2
      executor.submitRecorded(i);
      await executor.idle();
      await until(async () => (await types(store, i)).includes('OrderFilled'));
      expect(exchange.placementAttempts('acc1', i.clientOrderId)).toBe(1);
      expect(await types(store, i)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    });

    it('then only an order that would leave at once may be recorded so: not one held at the open-order cap, one leg of a list, one PATRIOT holds, nor any once stopped or not owned', async () => {
      const capped = await setup({ openOrderCap: 5 });
      const market = intent(47);
      expect(capped.executor.sendsAtOnce(market)).toBe(true);
      expect(capped.executor.sendsAtOnce({ ...market, type: 'limit', limitPrice: '90000' })).toBe(false);
      expect(capped.executor.sendsAtOnce({ ...market, managed: true })).toBe(false);
      expect(capped.executor.sendsAtOnce({ ...market, orderList: { listClientOrderId: 'l1', leg: 'limit', siblingClientOrderId: 's1' } })).toBe(false);
      const notOwned = await setup({ owns: () => false });
      expect(notOwned.executor.sendsAtOnce(market)).toBe(false);
      const { executor } = await setup();
      expect(executor.sendsAtOnce({ ...market, type: 'limit', limitPrice: '90000' })).toBe(true); // no cap
      await executor.stop();
      expect(executor.sendsAtOnce(market)).toBe(false);
    });
  });
});
