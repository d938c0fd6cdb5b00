import { afterEach, describe, expect, it } from 'vitest';
import { OrderExecutor } from './order-executor.js';
import { KeyedMutex } from '../shared/keyed-mutex.js';
import { silentLogger } from '../ports/logger.js';
import type { EventStore } from '../ports/event-store.js';
import type { ExchangeGateway, ExchangeOrder } from '../ports/exchange.js';
import type { OrderIntent } from '../../domain/events.js';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { PaperExchange } from '../../adapters/exchanges/paper/paper-exchange.js';
import { SyntheticPriceFeed } from '../../adapters/marketdata/synthetic-price-feed.js';
import { requestOrderCancel, requestAccountCancels, type CancelDeps } from '../commands/cancel-orders.js';
import { TradingState } from './trading-state.js';
import { aggregateStream } from '../shared/aggregate-stream.js';
import { orderDecider } from '../../domain/orders/order-decider.js';
import { Dec } from '../../domain/shared/decimal.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const clock = { now: () => T0 };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** How the exchange answers cancels in a test: as the paper exchange does, or with a lost answer / a fill first. */
type CancelScript = (paper: PaperExchange, accountId: string, clientOrderId: string) => Promise<ExchangeOrder | null>;

async function setup(script?: { cancel?: CancelScript }) {
  const store = await SqliteEventStore.open({ path: ':memory:' });
  const feed = new SyntheticPriceFeed({ clock, seed: 7 });
  feed.setPrice('BTC/USDT', '97000');
  const paper = new PaperExchange({ path: ':memory:', feed, clock, seed: 7 });
  paper.openAccount('acc1', [{ asset: 'USDT', amount: '100000' }]);
  const cancelCalls: string[] = [];
  const exchange: ExchangeGateway = Object.assign(Object.create(paper) as ExchangeGateway, {
    cancelOrder: (accountId: string, clientOrderId: string) => {
      cancelCalls.push(clientOrderId);
      return script?.cancel ? script.cancel(paper, accountId, clientOrderId) : paper.cancelOrder(accountId, clientOrderId);
    },
  });
  const mutex = new KeyedMutex();
  const newExecutor = () => {
    const executor = new OrderExecutor({ store, exchange, clock, log: silentLogger, streamMutex: mutex, lookupDelaysMs: [5, 10, 20] });
    const off = paper.onOrderUpdate((u) => void executor.onExchangeUpdate(u.order, u.accountId));
    closers.push(async () => {
      off();
      await executor.stop();
    });
    return executor;
  };
  const executor = newExecutor();
  closers.push(async () => {
    await paper.close();
    await store.close();
  });
  const cancelDeps: CancelDeps = {
    store, mutex, clock,
    state: async () => {
      const fresh = new TradingState();
      for (const e of await store.readAll(0, 10_000)) fresh.apply(e);
      fresh.apply({ type: 'AccountOpened', data: { accountId: 'acc1', tenantId: 't1', name: 'a', exchange: 'paper', quoteAsset: 'USDT', initialBalances: [], risk: {} } as never });
      return fresh;
    },
  };
  return { store, paper, feed, executor, newExecutor, cancelDeps, cancelCalls };
}

const limitBuy = (n: number, price = '90000', symbol = 'BTC/USDT'): OrderIntent => ({
  clientOrderId: n.toString(16).padStart(32, '0'), accountId: 'acc1', strategyId: 's1', signalId: `sig${n}`, symbol,
  side: 'buy', type: 'limit', quantity: '0.01', limitPrice: price, referencePrice: '97000', reduceOnly: false,
});

async function approve(store: EventStore, i: OrderIntent): Promise<void> {
  await store.append({ streamId: `order-${i.clientOrderId}`, expectedVersion: 0, events: [{ type: 'OrderApproved', data: { ...i } }], metadata: { tenantId: 't1', time: new Date(T0).toISOString(), correlationId: i.signalId } });
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}

const stateOf = async (store: EventStore, i: OrderIntent) => (await aggregateStream(store, `order-${i.clientOrderId}`, orderDecider)).state;
const types = async (store: EventStore, i: OrderIntent) => (await store.readStream(`order-${i.clientOrderId}`)).map((e) => e.type);

/** Places a resting limit order and waits until the log has it open. */
async function resting(ctx: Awaited<ReturnType<typeof setup>>, i: OrderIntent): Promise<void> {
  await approve(ctx.store, i);
  ctx.executor.submit(i);
  await until(async () => (await stateOf(ctx.store, i)).status === 'accepted');
}

describe('cancelling an order (issue 17)', () => {
  it('given a resting order, when a cancel is requested, then the intent is recorded first and the order ends cancelled on the exchange and in the log', async () => {
    const ctx = await setup();
    const order = limitBuy(1);
    await resting(ctx, order);
    const requested = await requestOrderCancel(ctx.cancelDeps, 't1', order.clientOrderId, 'user:u1', 'changed my mind');
    expect(requested.ok && requested.value).toMatchObject({ status: 'accepted', recorded: true });
    ctx.executor.cancel(order.clientOrderId, 'acc1');
    await until(async () => (await stateOf(ctx.store, order)).status === 'cancelled');
    expect(await types(ctx.store, order)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderCancelRequested', 'OrderCancelled']);
    expect((await ctx.paper.fetchOrder('acc1', order.clientOrderId))?.status).toBe('cancelled');
    expect((await stateOf(ctx.store, order)).cancelReason).toBe('cancelled (changed my mind; by user:u1)');
  });

  it('given the same cancel asked many times, then one request is recorded and the order is cancelled once', async () => {
    const ctx = await setup();
    const order = limitBuy(2);
    await resting(ctx, order);
    const answers = await Promise.all([1, 2, 3].map(() => requestOrderCancel(ctx.cancelDeps, 't1', order.clientOrderId, 'user:u1', 'x')));
    expect(answers.filter((a) => a.ok && a.value.recorded)).toHaveLength(1);
    for (let n = 0; n < 3; n++) ctx.executor.cancel(order.clientOrderId, 'acc1');
    await until(async () => (await stateOf(ctx.store, order)).status === 'cancelled');
    await ctx.executor.idle();
    expect((await types(ctx.store, order)).filter((t) => t === 'OrderCancelled')).toHaveLength(1);
  });

  it('given bad input, then stable codes and nothing recorded: unknown order, another tenant, a final order', async () => {
    const ctx = await setup();
    const order = limitBuy(3);
    await resting(ctx, order);
    const unknown = await requestOrderCancel(ctx.cancelDeps, 't1', 'f'.repeat(32), 'user:u1', 'x');
    expect(!unknown.ok && unknown.error.code).toBe('ORDER_NOT_FOUND');
    const foreign = await requestOrderCancel(ctx.cancelDeps, 't2', order.clientOrderId, 'user:u9', 'x');
    expect(!foreign.ok && foreign.error.code).toBe('ORDER_NOT_FOUND');
    expect(await types(ctx.store, order)).not.toContain('OrderCancelRequested');
    await requestOrderCancel(ctx.cancelDeps, 't1', order.clientOrderId, 'user:u1', 'x');
    ctx.executor.cancel(order.clientOrderId, 'acc1');
    await until(async () => (await stateOf(ctx.store, order)).status === 'cancelled');
    const before = await types(ctx.store, order);
    const again = await requestOrderCancel(ctx.cancelDeps, 't1', order.clientOrderId, 'user:u1', 'x');
    expect(!again.ok && again.error.code).toBe('ORDER_NOT_OPEN');
    expect(await types(ctx.store, order)).toEqual(before);
    const account = await requestAccountCancels(ctx.cancelDeps, 't2', 'acc1', {}, 'user:u9', 'x');
    expect(!account.ok && account.error.code).toBe('ACCOUNT_NOT_FOUND');
  });

  it('given an order approved but not sent yet, when a cancel is requested, then it is cancelled at once and never sent', async () => {
    const ctx = await setup();
    const order = limitBuy(4);
    await approve(ctx.store, order);
    const requested = await requestOrderCancel(ctx.cancelDeps, 't1', order.clientOrderId, 'user:u1', 'too late');
    expect(requested.ok && requested.value.status).toBe('cancelled');
    ctx.executor.submit(order);
    await ctx.executor.idle();
    expect(await types(ctx.store, order)).toEqual(['OrderApproved', 'OrderCancelRequested', 'OrderCancelled']);
    expect(await ctx.paper.placementReceived('acc1', order.clientOrderId)).toBe(false);
  });

  it('given a cancel whose answer is lost after the exchange cancelled, then the order is looked up and recorded cancelled, never assumed', async () => {
    let lose = true;
    const ctx = await setup({
      cancel: async (paper, accountId, id) => {
        const answer = await paper.cancelOrder(accountId, id);
        if (lose) {
          lose = false;
          throw new Error('ETIMEDOUT: cancel answer lost');
        }
        return answer;
      },
    });
    const order = limitBuy(5);
    await resting(ctx, order);
    await requestOrderCancel(ctx.cancelDeps, 't1', order.clientOrderId, 'user:u1', 'x');
    ctx.executor.cancel(order.clientOrderId, 'acc1');
    await until(async () => (await stateOf(ctx.store, order)).status === 'cancelled');
    expect((await ctx.paper.fetchOrder('acc1', order.clientOrderId))?.status).toBe('cancelled');
  });

  it('given a cancel that fails before reaching the exchange, then the look-up finds the order open and the exchange is asked again', async () => {
    let failures = 2;
    const ctx = await setup({
      cancel: async (paper, accountId, id) => {
        if (failures-- > 0) throw new Error('503 Service Unavailable');
        return paper.cancelOrder(accountId, id);
      },
    });
    const order = limitBuy(6);
    await resting(ctx, order);
    await requestOrderCancel(ctx.cancelDeps, 't1', order.clientOrderId, 'user:u1', 'x');
    ctx.executor.cancel(order.clientOrderId, 'acc1');
    await until(async () => (await stateOf(ctx.store, order)).status === 'cancelled');
    expect(ctx.cancelCalls.length).toBeGreaterThanOrEqual(3);
    expect((await ctx.paper.fetchOrder('acc1', order.clientOrderId))?.status).toBe('cancelled');
  });

  it('given a fill that beats the cancel on the exchange, then the log ends as the exchange has it (status and filled quantity)', async () => {
    const ctx = await setup({
      cancel: async (paper, accountId, id) => {
        ctx.feed.setPrice('BTC/USDT', '89000'); // the market trades through the limit before the cancel arrives
        await paper.settle();
        return paper.cancelOrder(accountId, id);
      },
    });
    const order = limitBuy(7);
    await resting(ctx, order);
    await requestOrderCancel(ctx.cancelDeps, 't1', order.clientOrderId, 'user:u1', 'x');
    ctx.executor.cancel(order.clientOrderId, 'acc1');
    const onExchange = async () => (await ctx.paper.fetchOrder('acc1', order.clientOrderId))!;
    await until(async () => {
      const [mine, theirs] = [await stateOf(ctx.store, order), await onExchange()];
      return theirs.status !== 'open' && mine.status === theirs.status && mine.filledQuantity.toString() === theirs.filledQuantity;
    });
    expect(new Dec((await onExchange()).filledQuantity).greaterThan(0)).toBe(true); // the fill did win (part or all of the order)
  });

  it('given a cancel recorded but not sent when the owner died, when another node takes the account over, then its look-up finishes the cancel', async () => {
    const ctx = await setup();
    const order = limitBuy(8);
    await resting(ctx, order);
    await requestOrderCancel(ctx.cancelDeps, 't1', order.clientOrderId, 'user:u1', 'x'); // the owner never asked the exchange
    await ctx.executor.stop();
    const next = ctx.newExecutor();
    next.accountTaken('acc1');
    next.reconcile(order.clientOrderId, 'acc1'); // what a takeover does with every live order
    await until(async () => (await stateOf(ctx.store, order)).status === 'cancelled');
    expect((await ctx.paper.fetchOrder('acc1', order.clientOrderId))?.status).toBe('cancelled');
  });

  it('given open orders on two symbols, when the account cancels one symbol, then only those are asked to cancel', async () => {
    const ctx = await setup();
    const btc = limitBuy(9);
    const eth = limitBuy(10, '1000', 'ETH/USDT');
    ctx.feed.setPrice('ETH/USDT', '3000');
    await resting(ctx, btc);
    await resting(ctx, eth);
    const result = await requestAccountCancels(ctx.cancelDeps, 't1', 'acc1', { symbol: 'ETH/USDT' }, 'user:u1', 'x');
    expect(result.ok && result.value.requested.map((r) => r.clientOrderId)).toEqual([eth.clientOrderId]);
    ctx.executor.cancel(eth.clientOrderId, 'acc1');
    await until(async () => (await stateOf(ctx.store, eth)).status === 'cancelled');
    expect((await stateOf(ctx.store, btc)).status).toBe('accepted');
  });
});
