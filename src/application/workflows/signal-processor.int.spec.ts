import { describe, expect, it } from 'vitest';
import { SignalProcessor } from './signal-processor.js';
import { silentLogger } from '../ports/logger.js';
import type { OrderIntent } from '../../domain/events.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { SyntheticPriceFeed } from '../../adapters/marketdata/synthetic-price-feed.js';
import { feedPrices, fixedMarkets } from '../../bootstrap/test-support/paper-world.js';

const clock = { now: () => Date.parse('2026-01-01T00:00:00.000Z') };
const meta = (correlationId?: string) => ({ tenantId: 't1', time: '2026-01-01T00:00:00.000Z', ...(correlationId ? { correlationId } : {}) });

const strategy = (strategyId: string, offsetBps: string): StrategyConfig => ({
  strategyId, tenantId: 't1', name: strategyId, symbolMap: {}, risk: {}, maxSignalAgeSeconds: 0,
  accounts: [{ accountId: 'a1', sizing: { kind: 'fixed_quantity', quantity: '0.001' }, orderTemplate: { type: 'limit', offsetBps } }],
});

describe('SignalProcessor', () => {
  it('given a signal whose routing throws, then it is recorded as processed without orders and the signals behind it are routed', async () => {
    const store = await SqliteEventStore.open({ path: ':memory:' });
    await store.append({
      streamId: 'account-a1', expectedVersion: 0, metadata: meta(),
      events: [{ type: 'AccountOpened', data: { accountId: 'a1', tenantId: 't1', name: 'a1', exchange: 'paper', quoteAsset: 'USDT', initialBalances: [{ asset: 'USDT', amount: '10000' }], risk: {} } }],
    });
    for (const s of [strategy('bad', 'not-a-number'), strategy('good', '10')]) {
      await store.append({ streamId: `strategy-${s.strategyId}`, expectedVersion: 0, metadata: meta(), events: [{ type: 'StrategyConfigured', data: { ...s } }] });
    }
    for (const [signalId, strategyId] of [['sig-bad', 'bad'], ['sig-good', 'good']] as const) {
      await store.append({
        streamId: `signal-${signalId}`, expectedVersion: 0, metadata: meta(signalId),
        events: [{ type: 'SignalReceived', data: { signalId, strategyId, idempotencyKey: signalId, receivedAt: 'x', bodySha256: 'h', format: 'patriot-json', signal: { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT' } } }],
      });
    }
    const submitted: OrderIntent[] = [];
    const processor = new SignalProcessor({
      store, clock, log: silentLogger, markets: fixedMarkets(), prices: feedPrices(new SyntheticPriceFeed({ clock, seed: 1 }), clock),
      submit: (intent) => submitted.push(intent), reconcile: () => undefined,
    });
    await processor.catchUp();
    await processor.run();
    await processor.takeAccount('a1');
    await processor.setRouting(true);
    await processor.stop();

    const bad = (await store.readStream('signal-sig-bad')).map((e) => e.type);
    expect(bad).toEqual(['SignalReceived', 'SignalProcessed']);
    const badProcessed = (await store.readStream('signal-sig-bad'))[1]!.data as { skipped: { code: string }[]; orders: unknown[] };
    expect(badProcessed).toMatchObject({ orders: [], skipped: [{ code: 'ROUTING_FAILED' }] });
    expect(submitted.map((i) => i.signalId)).toEqual(['sig-good']);
    expect(submitted[0]).toMatchObject({ type: 'limit', quantity: '0.001' });
    await store.close();
  });

  describe('on several nodes', () => {
    const signal = (n: number) => ({
      streamId: `signal-s${n}`, expectedVersion: 0, metadata: meta(`s${n}`),
      events: [{ type: 'SignalReceived', data: { signalId: `s${n}`, strategyId: 'good', idempotencyKey: `s${n}`, receivedAt: 'x', bodySha256: 'h', format: 'patriot-json', signal: { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT' } } }],
    });
    async function cluster() {
      const store = await SqliteEventStore.open({ path: ':memory:' });
      await store.append({
        streamId: 'account-a1', expectedVersion: 0, metadata: meta(),
        events: [{ type: 'AccountOpened', data: { accountId: 'a1', tenantId: 't1', name: 'a1', exchange: 'paper', quoteAsset: 'USDT', initialBalances: [{ asset: 'USDT', amount: '10000' }], risk: {} } }],
      });
      await store.append({ streamId: 'strategy-good', expectedVersion: 0, metadata: meta(), events: [{ type: 'StrategyConfigured', data: { ...strategy('good', '10') } }] });
      const node = () => {
        const submitted: string[] = [];
        const reconciled: string[] = [];
        const processor = new SignalProcessor({
          store, clock, log: silentLogger, markets: fixedMarkets(), prices: feedPrices(new SyntheticPriceFeed({ clock, seed: 1 }), clock),
          submit: (intent) => submitted.push(intent.signalId), reconcile: (clientOrderId) => reconciled.push(clientOrderId),
        });
        return { processor, submitted, reconciled };
      };
      return { store, node };
    }

    it('only the routing node routes; only the owner of the account submits, from the log, in signal order', async () => {
      const { store, node } = await cluster();
      const leader = node();
      const owner = node();
      for (const n of [leader, owner]) await n.processor.run();
      await owner.processor.takeAccount('a1');
      for (let i = 1; i <= 3; i++) await store.append(signal(i));
      await owner.processor.pump();
      await leader.processor.pump();
      expect((await store.readStream('signal-s1')).map((e) => e.type)).toEqual(['SignalReceived']); // nobody routes yet
      await leader.processor.setRouting(true);
      await owner.processor.pump();
      expect(leader.submitted).toEqual([]); // routed, but not its account
      expect(owner.submitted).toEqual(['s1', 's2', 's3']);
      expect(owner.reconciled).toEqual([]);
      owner.processor.dropAccount('a1');
      await store.append(signal(4));
      await leader.processor.pump();
      await owner.processor.pump();
      expect(owner.submitted).toEqual(['s1', 's2', 's3']); // dropped: nothing more
      await Promise.all([leader.processor.stop(), owner.processor.stop()]);
      await store.close();
    });

    it('catch-ups called while the log is followed (configuration commands) never fold or submit an event twice', async () => {
      const { store, node } = await cluster();
      // a slow log: every read yields to the event loop, so concurrent readers would interleave
      const slow = Object.create(store) as typeof store;
      slow.readAll = async (after, limit) => {
        await new Promise((resolve) => setImmediate(resolve));
        return store.readAll(after, limit);
      };
      const submitted: string[] = [];
      const processor = new SignalProcessor({
        store: slow, clock, log: silentLogger, markets: fixedMarkets(), prices: feedPrices(new SyntheticPriceFeed({ clock, seed: 1 }), clock),
        submit: (intent) => submitted.push(intent.clientOrderId), reconcile: () => undefined,
      });
      await processor.run();
      await processor.takeAccount('a1');
      await processor.setRouting(true);
      const work: Promise<void>[] = [];
      for (let i = 1; i <= 40; i++) {
        await store.append(signal(i));
        work.push(processor.catchUp(), processor.pump(), processor.catchUp());
      }
      await Promise.all(work);
      await processor.pump();
      expect(submitted).toHaveLength(40);
      expect(new Set(submitted).size).toBe(40);
      await processor.stop();
      await store.close();
    });

    it('a read that fails after some batches were folded never folds or submits those batches again', async () => {
      const { store, node } = await cluster();
      const leader = node();
      await leader.processor.run();
      await leader.processor.setRouting(true);
      let readsUntilFailure = Infinity;
      const flaky = Object.create(store) as typeof store;
      flaky.readAll = async (after, limit) => {
        if (--readsUntilFailure === 0) throw new Error('connection refused');
        return store.readAll(after, limit);
      };
      flaky.onAppended = () => () => undefined; // the owner reads only when the test pumps it
      const submitted: string[] = [];
      const owner = new SignalProcessor({
        store: flaky, clock, log: silentLogger, markets: fixedMarkets(), prices: feedPrices(new SyntheticPriceFeed({ clock, seed: 1 }), clock), batchSize: 2,
        submit: (intent) => submitted.push(intent.signalId), reconcile: () => undefined,
      });
      await owner.run();
      await owner.takeAccount('a1');
      for (let i = 1; i <= 6; i++) await store.append(signal(i));
      await leader.processor.pump();
      readsUntilFailure = 5; // the owner's next pass reads four batches (the six signals, then s1's approval), then its fifth read fails
      await expect(owner.pump()).rejects.toThrow(/connection refused/);
      await owner.pump();
      expect(submitted).toEqual(['s1', 's2', 's3', 's4', 's5', 's6']);
      await Promise.all([leader.processor.stop(), owner.stop()]);
      await store.close();
    });

    it('a routing append that fails while the store is away leaves the catalog whole, and the signal is routed once the store is back', async () => {
      const { store } = await cluster();
      let away = false;
      let failAtRouting = false;
      const flaky = Object.create(store) as typeof store;
      flaky.readAll = async (after, limit) => {
        if (away) throw new Error('connection refused');
        return store.readAll(after, limit);
      };
      flaky.appendAtomic = async (requests) => {
        if (failAtRouting) away = true; // the store goes away while the routing append is in flight
        if (away) throw new Error('connection refused');
        return store.appendAtomic(requests);
      };
      const submitted: string[] = [];
      const processor = new SignalProcessor({
        store: flaky, clock, log: silentLogger, markets: fixedMarkets(), prices: feedPrices(new SyntheticPriceFeed({ clock, seed: 1 }), clock),
        submit: (intent) => submitted.push(intent.signalId), reconcile: () => undefined,
      });
      await processor.run();
      await processor.takeAccount('a1');
      await processor.setRouting(true);
      const catalog = processor.catalog;
      await store.append(signal(1));
      failAtRouting = true;
      await expect(processor.pump()).rejects.toThrow(/connection refused/);
      // the rebuild could not read the log: the last whole state stays in use, ingest still knows the strategy
      expect(catalog.strategy('good')?.strategyId).toBe('good');
      expect(catalog.account('a1')?.accountId).toBe('a1');
      await expect(processor.pump()).rejects.toThrow(/connection refused/);
      expect(catalog.strategy('good')?.strategyId).toBe('good');
      away = false;
      failAtRouting = false;
      await processor.pump();
      expect((await store.readStream('signal-s1')).map((e) => e.type)).toEqual(['SignalReceived', 'SignalProcessed']);
      expect(submitted).toEqual(['s1']);
      expect(catalog.strategy('good')?.strategyId).toBe('good'); // the view follows the rebuilt state
      await processor.stop();
      await store.close();
    });

    it("taking an account hands its live orders to reconcile, in log order, before anything new is submitted", async () => {
      const { store, node } = await cluster();
      const leader = node();
      await leader.processor.run();
      await leader.processor.setRouting(true);
      for (let i = 1; i <= 3; i++) await store.append(signal(i));
      await leader.processor.pump();
      expect(leader.submitted).toEqual([]); // nobody owns a1: the approvals wait in the log
      const heir = node();
      await heir.processor.run();
      await heir.processor.takeAccount('a1');
      const approved = (await store.readAll(0, 100)).filter((e) => e.type === 'OrderApproved').map((e) => (e.data as { clientOrderId: string }).clientOrderId);
      expect(approved).toHaveLength(3);
      expect(heir.reconciled).toEqual(approved);
      expect(heir.submitted).toEqual([]);
      await store.append(signal(4));
      await leader.processor.pump();
      await heir.processor.pump();
      expect(heir.submitted).toEqual(['s4']);
      expect(heir.reconciled).toEqual(approved);
      await Promise.all([leader.processor.stop(), heir.processor.stop()]);
      await store.close();
    });
  });
});
