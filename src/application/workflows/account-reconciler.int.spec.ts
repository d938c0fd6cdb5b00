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

async function setup() {
  const store = await SqliteEventStore.open({ path: ':memory:' });
  const feed = new SyntheticPriceFeed({ clock, seed: 3 });
  feed.setPrice('BTC/USDT', '97000');
  const exchange = new PaperExchange({ path: ':memory:', feed, clock, seed: 3 });
  const balances = [{ asset: 'USDT', amount: '10000' }];
  exchange.openAccount('a1', balances);
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
  });
  closers.push(async () => {
    await exchange.close();
    await store.close();
  });
  return { store, exchange, reconciler, lookedUp };
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
});
