import { afterEach, describe, expect, it } from 'vitest';
import { AccountReconciler } from './account-reconciler.js';
import { TradingState } from './trading-state.js';
import { silentLogger } from '../ports/logger.js';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { PaperExchange } from '../../adapters/exchanges/paper/paper-exchange.js';
import { SyntheticPriceFeed } from '../../adapters/marketdata/synthetic-price-feed.js';

const clock = { now: () => Date.parse('2026-01-01T00:00:00.000Z') };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(options: { adopts?: boolean; holdings?: { asset: string; amount: string }[] } = {}) {
  const store = await SqliteEventStore.open({ path: ':memory:' });
  const feed = new SyntheticPriceFeed({ clock, seed: 3 });
  feed.setPrice('BTC/USDT', '97000');
  const exchange = new PaperExchange({ path: ':memory:', feed, clock, seed: 3 });
  const balances = [{ asset: 'USDT', amount: '10000' }];
  exchange.openAccount('a1', options.holdings ?? balances);
  await store.append({
    streamId: 'account-a1', expectedVersion: 0, metadata: { tenantId: 't1', time: 'x' },
    events: [{ type: 'AccountOpened', data: { accountId: 'a1', tenantId: 't1', name: 'a1', exchange: 'paper', quoteAsset: 'USDT', initialBalances: balances, risk: {} } }],
  });
  const state = new TradingState();
  const refresh = async () => {
    for (const e of await store.readAll(0, 1000)) state.apply(e);
  };
  await refresh();
  const lookedUp: string[] = [];
  const reconciler = new AccountReconciler({
    store, exchange, clock, log: silentLogger, state: () => state, lookUp: (id) => lookedUp.push(id), tenantOf: () => 't1',
    ...(options.adopts ? { adoptsBalances: () => true } : {}),
  });
  closers.push(async () => {
    await exchange.close();
    await store.close();
  });
  return { store, exchange, reconciler, lookedUp, state, refresh };
}

const reconciled = async (store: SqliteEventStore) => (await store.readStream('account-a1')).filter((e) => e.type === 'AccountReconciled').map((e) => e.data);

describe('AccountReconciler', () => {
  it('given the account matches its exchange, then it finds nothing and records nothing', async () => {
    const { store, reconciler } = await setup();
    expect(await reconciler.reconcile('a1', 'start')).toEqual([]);
    expect(await reconciled(store)).toEqual([]);
  });

  it('given trades made on the exchange behind our back, then the foreign open order and the balances that differ are recorded, and nothing is changed', async () => {
    const { store, exchange, reconciler, lookedUp } = await setup();
    await exchange.placeOrder('a1', { clientOrderId: 'f'.repeat(32), symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01' });
    await exchange.placeOrder('a1', { clientOrderId: 'e'.repeat(32), symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', limitPrice: '80000' });
    const differences = await reconciler.reconcile('a1', 'takeover');
    expect(differences.map((d) => `${d.kind}${d.kind === 'balance' ? `:${d.asset}` : ''}`)).toEqual(['foreign_order', 'balance:BTC', 'balance:USDT']);
    expect(differences[0]).toMatchObject({ clientOrderId: 'e'.repeat(32), symbol: 'BTC/USDT' });
    expect(differences[1]).toMatchObject({ recorded: '0' });
    expect(await reconciled(store)).toEqual([{ accountId: 'a1', trigger: 'takeover', differences }]);
    expect(lookedUp).toEqual([]); // foreign orders are not ours to record
  });

  it('given an order final in our log but open on the exchange, then it is looked up (its facts get recorded) and the difference noted', async () => {
    const { store, exchange, reconciler, lookedUp } = await setup();
    const id = 'd'.repeat(32);
    await exchange.placeOrder('a1', { clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', limitPrice: '80000' });
    const intent = { clientOrderId: id, accountId: 'a1', strategyId: 's', signalId: 'sig', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', limitPrice: '80000', referencePrice: '97000', reduceOnly: false };
    await store.append({ streamId: `order-${id}`, expectedVersion: 0, metadata: { tenantId: 't1', time: 'x' }, events: [{ type: 'OrderApproved', data: intent }, { type: 'OrderCancelled', data: { clientOrderId: id, accountId: 'a1', reason: 'test' } }] });
    const differences = await reconciler.reconcile('a1', 'reconnect');
    expect(differences).toEqual([{ kind: 'open_on_exchange_only', clientOrderId: id, exchangeOrderId: expect.any(String), symbol: 'BTC/USDT' }]);
    expect(lookedUp).toEqual([id]);
  });

  it("given a real account's first look, then its exchange's holdings (predating PATRIOT) become its balances, without being called differences", async () => {
    const { store, reconciler, state, refresh } = await setup({ adopts: true, holdings: [{ asset: 'USDT', amount: '87938.12' }, { asset: 'BTC', amount: '0.5' }] });
    expect(await reconciler.reconcile('a1', 'takeover')).toEqual([]);
    const observed = (await store.readStream('account-a1')).filter((e) => e.type === 'AccountBalancesObserved').map((e) => e.data);
    expect(observed).toEqual([{ accountId: 'a1', trigger: 'takeover', balances: [{ asset: 'BTC', total: '0.5' }, { asset: 'USDT', total: '87938.12' }], cleared: [] }]);
    await refresh();
    expect(state.balances('a1')?.get('USDT')?.toString()).toBe('87938.12');
    expect(state.balancesObserved('a1')).toBe(true);
    // nothing changed since: nothing recorded
    expect(await reconciler.reconcile('a1', 'periodic')).toEqual([]);
    expect((await store.readStream('account-a1')).filter((e) => e.type === 'AccountBalancesObserved')).toHaveLength(1);
  });

  it('given trades behind our back after the first look, then the real differences are reported and the exchange\'s balances adopted, but not while an order is live', async () => {
    const { store, exchange, reconciler, refresh, state } = await setup({ adopts: true });
    await reconciler.reconcile('a1', 'takeover');
    await refresh();
    await exchange.placeOrder('a1', { clientOrderId: 'f'.repeat(32), symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01' });
    // one of our orders is live (approved, not final): differences may be a fill on its way: neither reported nor adopted
    const id = 'c'.repeat(32);
    const intent = { clientOrderId: id, accountId: 'a1', strategyId: 's', signalId: 'sig', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', limitPrice: '80000', referencePrice: '97000', reduceOnly: false };
    await store.append({ streamId: `order-${id}`, expectedVersion: 0, metadata: { tenantId: 't1', time: 'x' }, events: [{ type: 'OrderApproved', data: intent }] });
    await refresh();
    expect(await reconciler.reconcile('a1', 'periodic')).toEqual([]);
    await store.append({ streamId: `order-${id}`, expectedVersion: 1, metadata: { tenantId: 't1', time: 'x' }, events: [{ type: 'OrderExchangeRejected', data: { clientOrderId: id, accountId: 'a1', code: 'X', reason: 'test' } }] });
    await refresh();
    const differences = await reconciler.reconcile('a1', 'periodic');
    expect(differences.map((d) => (d.kind === 'balance' ? d.asset : d.kind))).toEqual(['BTC', 'USDT']);
    await refresh();
    expect(state.balances('a1')?.get('BTC')?.toString()).toBe('0.01');
    expect(await reconciler.reconcile('a1', 'periodic')).toEqual([]); // adopted: no difference any more
  });
});
