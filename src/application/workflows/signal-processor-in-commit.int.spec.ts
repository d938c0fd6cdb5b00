import { afterEach, describe, expect, it } from 'vitest';
import { SignalProcessor } from './signal-processor.js';
import { silentLogger } from '../ports/logger.js';
import type { AppendRequest, EventStore, FollowUp } from '../ports/event-store.js';
import type { AccountPrices } from '../ports/account-prices.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { SyntheticPriceFeed } from '../../adapters/marketdata/synthetic-price-feed.js';
import { feedPrices, fixedMarkets } from '../../bootstrap/test-support/paper-world.js';

const clock = { now: () => Date.parse('2026-01-01T00:00:00.000Z') };
const meta = (correlationId?: string) => ({ tenantId: 't1', time: '2026-01-01T00:00:00.000Z', ...(correlationId ? { correlationId } : {}) });
const strategy: StrategyConfig = {
  strategyId: 'good', tenantId: 't1', name: 'good', symbolMap: {}, risk: {}, maxSignalAgeSeconds: 0,
  accounts: [{ accountId: 'a1', sizing: { kind: 'fixed_quantity', quantity: '0.001' }, orderTemplate: { type: 'limit', offsetBps: '10' } }],
};
const signal = (id: string): AppendRequest => ({
  streamId: `signal-${id}`, expectedVersion: 0, metadata: meta(id),
  events: [{ type: 'SignalReceived', data: { signalId: id, strategyId: 'good', idempotencyKey: id, receivedAt: 'x', bodySha256: 'h', format: 'patriot-json', signal: { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT' } } }],
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** One routing node owning account a1, on a SQLite log; records what it hands to the executor. */
async function node(options: { store?: (store: SqliteEventStore) => EventStore & { appendFollowedBy(r: AppendRequest, f: FollowUp): Promise<unknown> }; prices?: (prices: AccountPrices) => AccountPrices } = {}) {
  const sqlite = await SqliteEventStore.open({ path: ':memory:' });
  const store = options.store?.(sqlite) ?? sqlite;
  await sqlite.append({
    streamId: 'account-a1', expectedVersion: 0, metadata: meta(),
    events: [{ type: 'AccountOpened', data: { accountId: 'a1', tenantId: 't1', name: 'a1', exchange: 'paper', quoteAsset: 'USDT', initialBalances: [{ asset: 'USDT', amount: '10000' }], risk: {} } }],
  });
  await sqlite.append({ streamId: 'strategy-good', expectedVersion: 0, metadata: meta(), events: [{ type: 'StrategyConfigured', data: { ...strategy } }] });
  const handed: { signalId: string; recorded: boolean }[] = [];
  const prices = feedPrices(new SyntheticPriceFeed({ clock, seed: 1 }), clock);
  const processor = new SignalProcessor({
    store, clock, log: silentLogger, markets: fixedMarkets(), prices: options.prices?.(prices) ?? prices,
    submit: (intent) => handed.push({ signalId: intent.signalId, recorded: false }),
    submitRecorded: (intent) => handed.push({ signalId: intent.signalId, recorded: true }),
    sendsAtOnce: () => true,
    reconcile: () => undefined,
  });
  await processor.run();
  await processor.takeAccount('a1');
  await processor.setRouting(true);
  closers.push(async () => {
    await processor.stop();
    await sqlite.close();
  });
  // each commit notifies its head once: how many commits an alert took
  const heads: number[] = [];
  sqlite.onAppended((h) => heads.push(h));
  const alert = (id: string) => store.appendFollowedBy(signal(id), processor.routeInCommit(signal(id)));
  const streamTypes = async (streamId: string) => (await sqlite.readStream(streamId)).map((e) => e.type);
  return { sqlite, processor, handed, heads, alert, streamTypes };
}

describe('SignalProcessor: routing in the commit that records the alert (ADR-0030)', () => {
  it('given a routing node with a fresh price, then the alert, its routing and its order\'s attempt are one commit, and the order is handed over once, recorded as leaving', async () => {
    const { sqlite, processor, handed, heads, alert, streamTypes } = await node();
    for (const id of ['s1', 's2']) {
      const before = heads.length;
      await alert(id);
      await processor.catchUp();
      await new Promise((resolve) => setImmediate(resolve)); // every notification of the commits so far has come
      expect(heads.length - before).toBe(1);
      expect(await streamTypes(`signal-${id}`)).toEqual(['SignalReceived', 'SignalProcessed']);
      const events = (await sqlite.readAll(0, 100)).filter((e) => e.metadata.correlationId === id);
      expect(events.map((e) => e.type)).toEqual(['SignalReceived', 'OrderApproved', 'OrderSubmitted', 'SignalProcessed']);
      expect(events.slice(1).every((e) => e.metadata.causationId === `signal-${id}@1`)).toBe(true);
    }
    // each order handed over once (the pass that reads them back hands over nothing)
    expect(handed).toEqual([{ signalId: 's1', recorded: true }, { signalId: 's2', recorded: true }]);
    await processor.stop();
    // folded back from the log, the state is the one built ahead: nothing pending, the same orders live
    const fresh = new SignalProcessor({ store: sqlite, clock, log: silentLogger, markets: fixedMarkets(), prices: feedPrices(new SyntheticPriceFeed({ clock, seed: 1 }), clock), submit: () => undefined, reconcile: () => undefined });
    await fresh.catchUp();
    expect(fresh.state.pendingSignals()).toEqual([]);
    expect(fresh.state.ordersToReconcile()).toEqual(processor.state.ordersToReconcile());
    expect(fresh.state.ordersToReconcile()).toHaveLength(2);
  });

  it('given alerts arriving one after another, then each is routed in its own commit (the commit before is folded by then)', async () => {
    const { sqlite, processor, alert } = await node();
    await alert('warm');
    await processor.catchUp();
    for (let n = 0; n < 20; n++) {
      await alert(`s${n}`);
      // the next request comes in a later turn of the event loop, as HTTP requests do
      await new Promise((resolve) => setImmediate(resolve));
    }
    await processor.catchUp();
    const log = await sqlite.readAll(0, 1000);
    for (let n = 0; n < 20; n++) {
      // routed in its own commit: its routing follows it in the log, nothing in between
      const mine = log.filter((e) => e.metadata.correlationId === `s${n}`).map((e) => e.globalPosition);
      expect(mine, `alert ${n}`).toEqual([mine[0], mine[0]! + 1, mine[0]! + 2, mine[0]! + 3]);
    }
  });

  it('given a signal acknowledged before and not routed yet, then a later alert is not routed ahead of it: both are routed by the pass, in order', async () => {
    const { sqlite, processor, handed, alert } = await node();
    await alert('warm');
    await processor.catchUp();
    await sqlite.append(signal('s1')); // e.g. an order placed through the API: routed by the pass
    await alert('s2'); // before the pass has folded s1
    await processor.catchUp();
    const processed = (await sqlite.readAll(0, 100)).filter((e) => e.type === 'SignalProcessed').map((e) => e.streamId);
    expect(processed).toEqual(['signal-warm', 'signal-s1', 'signal-s2']);
    expect(handed.map((h) => h.signalId)).toEqual(['warm', 's1', 's2']);
  });

  it('given no fresh price for the symbol, then the alert is recorded alone and the pass routes it', async () => {
    let fresh = true;
    const { processor, handed, heads, alert, streamTypes } = await node({
      prices: (prices) => Object.assign(Object.create(prices) as AccountPrices, { quote: (...args: Parameters<AccountPrices['quote']>) => (fresh ? prices.quote(...args) : undefined) }),
    });
    await alert('warm');
    await processor.catchUp();
    fresh = false;
    const before = heads.length;
    await alert('s1');
    await processor.catchUp();
    expect(heads.length - before).toBe(2);
    expect(await streamTypes('signal-s1')).toEqual(['SignalReceived', 'SignalProcessed']);
    expect(handed.filter((h) => h.signalId === 's1')).toHaveLength(0); // no price: refused when routed (NO_PRICE), nothing sent
  });

  it('given a routing with the alert that was not recorded, then the state is folded again from the log and the alert is routed once', async () => {
    let failNext = false;
    const { sqlite, processor, handed, alert, streamTypes } = await node({
      // the log writes the alert but loses its follow-up (as a failed commit of it would)
      store: (inner) => Object.assign(Object.create(inner) as SqliteEventStore, {
        appendFollowedBy: (request: AppendRequest, followUp: FollowUp) => {
          if (!failNext) return inner.appendFollowedBy(request, followUp);
          failNext = false;
          return inner.appendFollowedBy(request, { plan: (a, h) => (followUp.plan(a, h) ? undefined : undefined), settled: () => undefined }).then((result) => {
            followUp.settled({ kind: 'failed', error: new Error('disk I/O error') });
            return result;
          });
        },
      }),
    });
    await alert('warm');
    await processor.catchUp();
    failNext = true;
    await alert('s1');
    await processor.catchUp();
    await processor.catchUp(); // the rebuild's own pass
    expect(await streamTypes('signal-s1')).toEqual(['SignalReceived', 'SignalProcessed']);
    const orders = (await sqlite.readAll(0, 100)).filter((e) => e.type === 'OrderApproved' && e.metadata.correlationId === 's1');
    expect(orders).toHaveLength(1);
    expect(handed.filter((h) => h.signalId === 's1')).toHaveLength(1);
    await alert('s2'); // and routing in the commit resumes
    await processor.catchUp();
    expect(handed.map((h) => h.signalId)).toEqual(['warm', 's1', 's2']);
  });
});
