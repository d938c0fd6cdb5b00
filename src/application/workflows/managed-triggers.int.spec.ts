import { afterEach, describe, expect, it } from 'vitest';
import { ManagedTriggers } from './managed-triggers.js';
import { OrderExecutor } from './order-executor.js';
import { KeyedMutex } from '../shared/keyed-mutex.js';
import { silentLogger } from '../ports/logger.js';
import type { AccountPrices, AccountQuote } from '../ports/account-prices.js';
import type { EventStore } from '../ports/event-store.js';
import type { Quote } from '../ports/market-data.js';
import type { OrderIntent } from '../../domain/events.js';
import type { AccountConfig } from '../../domain/accounts/account.js';
import { Dec } from '../../domain/shared/decimal.js';
import { aggregateStream } from '../shared/aggregate-stream.js';
import { orderDecider } from '../../domain/orders/order-decider.js';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { PaperExchange } from '../../adapters/exchanges/paper/paper-exchange.js';
import { SyntheticPriceFeed } from '../../adapters/marketdata/synthetic-price-feed.js';

/**
 * PATRIOT-managed conditional orders (issue 17): an armed order is never sent until the account's
 * price crosses its trigger; then it is recorded as triggered and sent once, as a market order,
 * with its own clientOrderId. A trailing stop follows the price and its moves are recorded, so the
 * next owner (after a crash or a takeover) goes on from the recorded trail. Stale prices, a
 * cancelled order and a second watcher (two nodes) never send anything extra.
 */

let now = Date.parse('2026-01-01T00:00:00.000Z');
const clock = { now: () => now };
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const account = { accountId: 'acc1', tenantId: 't1', exchange: 'paper' } as unknown as AccountConfig;

/** The account's prices as a test drives them: each `push` is one new quote of the exchange. */
class TestPrices implements Pick<AccountPrices, 'onQuote' | 'follow' | 'quote' | 'venueOf'> {
  private readonly listeners = new Set<(venue: string, quote: Quote) => void>();
  private latest = new Map<string, Quote>();
  readonly followed = new Map<string, readonly string[]>();
  onQuote(listener: (venue: string, quote: Quote) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  follow(owner: string, _account: AccountConfig, symbols: readonly string[]): void {
    this.followed.set(owner, symbols);
  }
  quote(_account: AccountConfig, symbol: string): AccountQuote | undefined {
    const q = this.latest.get(symbol);
    return q ? { ...q, ageMs: now - q.receivedAt } : undefined;
  }
  venueOf(): string {
    return 'paper';
  }
  push(symbol: string, price: string, receivedAt = now): void {
    const quote: Quote = { symbol, price, source: 'test', receivedAt };
    this.latest.set(symbol, quote);
    for (const l of this.listeners) l('paper', quote);
  }
}

async function setup() {
  const store = await SqliteEventStore.open({ path: ':memory:' });
  const feed = new SyntheticPriceFeed({ clock, seed: 7 });
  feed.setPrice('BTC/USDT', '97000');
  const paper = new PaperExchange({ path: ':memory:', feed, clock, seed: 7 });
  paper.openAccount('acc1', [{ asset: 'USDT', amount: '100000' }, { asset: 'BTC', amount: '1' }]);
  const streamMutex = new KeyedMutex();
  const executor = new OrderExecutor({ store, exchange: paper, clock, log: silentLogger, streamMutex, lookupDelaysMs: [5, 10, 20] });
  paper.onOrderUpdate((u) => void executor.onExchangeUpdate(u.order, u.accountId));
  const prices = new TestPrices();
  const sent: string[] = [];
  const watcher = (owns: () => boolean = () => true): ManagedTriggers => {
    const w = new ManagedTriggers({
      store, streamMutex, clock, log: silentLogger, prices, account: () => account, tickSize: () => new Dec('0.01'), owns,
      send: (intent) => {
        sent.push(intent.clientOrderId);
        executor.submit(intent);
      },
      maxPriceAgeMs: 5000, trailRecordMs: 0,
    });
    w.start();
    closers.push(() => w.stop());
    return w;
  };
  closers.push(async () => {
    await executor.stop();
    await paper.close();
    await store.close();
  });
  return { store, paper, executor, feed, prices, watcher, sent };
}

const id = (n: number): string => n.toString(16).padStart(32, '0');

function managed(n: number, over: Partial<OrderIntent>): OrderIntent {
  return {
    clientOrderId: id(n), accountId: 'acc1', strategyId: 's1', signalId: `sig${n}`, symbol: 'BTC/USDT', side: 'sell', type: 'stop_market',
    quantity: '0.1', stopPrice: '96000', referencePrice: '97000', reduceOnly: true, managed: true, ...over,
  };
}

async function approve(store: EventStore, intent: OrderIntent): Promise<void> {
  await store.append({ streamId: `order-${intent.clientOrderId}`, expectedVersion: 0, events: [{ type: 'OrderApproved', data: { ...intent } }], metadata: { tenantId: 't1', time: new Date(now).toISOString(), correlationId: intent.signalId } });
}

const types = async (store: EventStore, clientOrderId: string) => (await store.readStream(`order-${clientOrderId}`)).map((e) => e.type);
const stateOf = async (store: EventStore, clientOrderId: string) => (await aggregateStream(store, `order-${clientOrderId}`, orderDecider)).state;

async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not met');
}

describe('PATRIOT-managed stops (issue 17)', () => {
  it('an armed stop is not sent while the price stays above it; at the trigger it is recorded as triggered and sent once as a market order', async () => {
    const { store, paper, executor, feed, prices, watcher, sent } = await setup();
    const intent = managed(1, {});
    await approve(store, intent);
    const w = watcher();
    await w.arm(intent.clientOrderId, 'acc1');
    expect(w.armed()).toEqual([{ clientOrderId: intent.clientOrderId, trigger: '96000' }]);
    expect(prices.followed.get('managed-triggers:acc1')).toEqual(['BTC/USDT']);
    prices.push('BTC/USDT', '96500');
    prices.push('BTC/USDT', '96000.01');
    await executor.idle();
    expect((await stateOf(store, intent.clientOrderId)).status).toBe('armed');
    expect(await paper.fetchOrder('acc1', intent.clientOrderId)).toBeNull();

    feed.setPrice('BTC/USDT', '95990');
    prices.push('BTC/USDT', '95990');
    await until(async () => (await types(store, intent.clientOrderId)).includes('OrderFilled'));
    expect(await types(store, intent.clientOrderId)).toEqual(['OrderApproved', 'OrderTriggered', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    const triggered = (await store.readStream(`order-${intent.clientOrderId}`))[1]!;
    expect(triggered.data).toMatchObject({ trigger: '96000', price: '95990', source: 'test' });
    expect(await paper.fetchOrder('acc1', intent.clientOrderId)).toMatchObject({ type: 'market', status: 'filled', side: 'sell', quantity: '0.1' });
    prices.push('BTC/USDT', '95000');
    await executor.idle();
    expect(sent).toEqual([intent.clientOrderId]);
    expect(w.armed()).toEqual([]);
    expect(prices.followed.get('managed-triggers:acc1')).toEqual([]);
  });

  it('a stale price never triggers; a fresh one does', async () => {
    const { store, prices, watcher, sent } = await setup();
    const intent = managed(2, {});
    await approve(store, intent);
    const w = watcher();
    await w.arm(intent.clientOrderId, 'acc1');
    prices.push('BTC/USDT', '94000', now - 6000); // crossed, but 6 s old (the limit is 5 s)
    prices.push('BTC/USDT', '95000');
    await until(() => sent.length === 1);
    const events = await store.readStream(`order-${intent.clientOrderId}`);
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(['OrderApproved', 'OrderTriggered']);
    expect(events[1]!.data).toMatchObject({ price: '95000' }); // the fresh price triggered it, not the stale one
  });

  it('a trailing sell stop follows the highest price (recorded), never moves back, and the next owner goes on from the recorded trail', async () => {
    const { store, prices, watcher, sent, feed } = await setup();
    const intent = managed(3, { trailingDistance: '500', stopPrice: '96500' });
    await approve(store, intent);
    const first = watcher();
    await first.arm(intent.clientOrderId, 'acc1');
    prices.push('BTC/USDT', '98000');
    await until(async () => (await stateOf(store, intent.clientOrderId)).trail?.trigger === '97500');
    expect((await stateOf(store, intent.clientOrderId)).trail).toEqual({ trigger: '97500', extreme: '98000' });
    prices.push('BTC/USDT', '97800'); // down, above the trigger: the trail stays (the trigger below proves it)
    prices.push('BTC/USDT', '97600');
    expect(first.armed()).toEqual([{ clientOrderId: intent.clientOrderId, trigger: '97500' }]);
    first.stop(); // this node dies

    const next = watcher();
    await next.arm(intent.clientOrderId, 'acc1');
    expect(next.armed()).toEqual([{ clientOrderId: intent.clientOrderId, trigger: '97500' }]);
    feed.setPrice('BTC/USDT', '97400');
    prices.push('BTC/USDT', '97400');
    await until(async () => (await types(store, intent.clientOrderId)).includes('OrderFilled'));
    expect(sent).toEqual([intent.clientOrderId]);
    expect((await store.readStream(`order-${intent.clientOrderId}`)).find((e) => e.type === 'OrderTriggered')?.data).toMatchObject({ trigger: '97500', price: '97400' });
  });

  it('a cancelled armed order is cancelled at once and never sent; two watchers (two nodes) send a triggered order once', async () => {
    const { store, paper, prices, watcher, sent, executor, feed } = await setup();
    const cancelled = managed(4, {});
    const raced = managed(5, { side: 'buy', stopPrice: '98000', reduceOnly: false });
    await approve(store, cancelled);
    await approve(store, raced);
    const a = watcher();
    const b = watcher();
    for (const w of [a, b]) for (const o of [cancelled, raced]) await w.arm(o.clientOrderId, 'acc1');
    const decided = orderDecider.decide({ type: 'RequestCancel', by: 'user:u1', reason: 'test' }, await stateOf(store, cancelled.clientOrderId));
    expect(decided.ok && decided.value.map((e) => e.type)).toEqual(['OrderCancelRequested', 'OrderCancelled']);
    if (decided.ok) await store.append({ streamId: `order-${cancelled.clientOrderId}`, expectedVersion: 1, events: decided.value, metadata: { tenantId: 't1', time: new Date(now).toISOString() } });
    feed.setPrice('BTC/USDT', '98100');
    prices.push('BTC/USDT', '95000');
    prices.push('BTC/USDT', '98100');
    await until(async () => (await types(store, raced.clientOrderId)).includes('OrderFilled'));
    await executor.idle();
    expect(sent).toEqual([raced.clientOrderId]);
    expect((await types(store, raced.clientOrderId)).filter((t) => t === 'OrderTriggered' || t === 'OrderSubmitted')).toEqual(['OrderTriggered', 'OrderSubmitted']);
    expect(await types(store, cancelled.clientOrderId)).toEqual(['OrderApproved', 'OrderCancelRequested', 'OrderCancelled']);
    expect(await paper.fetchOrder('acc1', cancelled.clientOrderId)).toBeNull();
    expect(a.armed()).toEqual([]);
    expect(b.armed()).toEqual([]);
  });

  it('a node that no longer owns the account does not trigger', async () => {
    const { store, prices, watcher, sent } = await setup();
    const intent = managed(6, {});
    await approve(store, intent);
    let owns = true;
    const w = watcher(() => owns);
    await w.arm(intent.clientOrderId, 'acc1');
    owns = false;
    prices.push('BTC/USDT', '95000');
    await until(() => w.armed().length === 0);
    expect(sent).toEqual([]);
    expect((await stateOf(store, intent.clientOrderId)).status).toBe('armed');
  });
});
