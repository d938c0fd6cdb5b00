import { NetworkError } from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { OrderUpdate } from '../../../application/ports/exchange.js';
import { CcxtExchangeGateway } from './ccxt-gateway.js';
import { FakeExchange } from './test-support/fake-exchange.js';
import { FakeScheduler, flush } from './test-support/fake-scheduler.js';
import { API_KEY, CID, SECRET, limitBuy } from './test-support/gateway-harness.js';

describe('CcxtExchangeGateway: order monitoring', () => {
  function monitored() {
    const scheduler = new FakeScheduler();
    const rest: FakeExchange[] = [];
    const pros: FakeExchange[] = [];
    const watchers: { resolve: (orders: unknown[]) => void; reject: (e: Error) => void }[] = [];
    const gateway = new CcxtExchangeGateway({
      credentials: async () => ({ apiKey: API_KEY, secret: SECRET }),
      scheduler,
      notFoundGraceMs: 0,
      monitor: { pollIntervalMs: 5000, stableAfterMs: 3000, backoff: { initialMs: 1000 }, random: () => 0.5 },
      createExchange: (id, config) => {
        const fake = new FakeExchange(id, config);
        rest.push(fake);
        return fake;
      },
      createProExchange: (id, config) => {
        const pro = new FakeExchange(id, config);
        for (let i = 0; i < 10; i++) pro.script('watchOrders', () => new Promise((resolve, reject) => watchers.push({ resolve, reject })));
        pros.push(pro);
        return pro;
      },
    });
    gateway.registerAccount({ accountId: 'acc1', exchangeId: 'binance', marketType: 'spot' });
    const updates: OrderUpdate[] = [];
    gateway.onOrderUpdate((u) => updates.push(u));
    return { scheduler, rest, pros, watchers, gateway, updates };
  }

  it('streams watchOrders updates to onOrderUpdate listeners, one per new fill', async () => {
    const { gateway, pros, watchers, updates } = monitored();
    gateway.startMonitoring('acc1');
    await flush();
    expect(pros).toHaveLength(1);
    expect(pros[0]!.config.apiKey).toBe(API_KEY);
    expect(pros[0]!.callsOf('setMarkets')).toHaveLength(1);
    watchers.shift()!.resolve([
      {
        id: '1',
        clientOrderId: CID,
        symbol: 'BTC/USDT',
        type: 'limit',
        side: 'buy',
        status: 'closed',
        amount: 0.002,
        price: 43000,
        filled: 0.002,
        trades: [
          { id: 'a', amount: 0.001, price: 43000, takerOrMaker: 'maker', fee: { cost: 0, currency: 'BTC' } },
          { id: 'b', amount: 0.001, price: 43000, takerOrMaker: 'maker', fee: { cost: 0, currency: 'BTC' } },
        ],
      },
    ]);
    await flush();
    expect(updates.map((u) => [u.accountId, u.order.status, u.fill?.tradeId, u.fill?.liquidity])).toEqual([
      ['acc1', 'filled', 'a', 'maker'],
      ['acc1', 'filled', 'b', 'maker'],
    ]);
    expect(gateway.monitorState('acc1')).toBe('streaming');
    await gateway.stopMonitoring('acc1');
    expect(pros[0]!.closed).toBe(true);
    expect(pros[0]!.apiKey).toBe('');
    expect(gateway.monitorState('acc1')).toBeUndefined();
  });

  it('when the socket fails, polls the REST API: open orders, then the orders it placed that left the open list', async () => {
    const { gateway, rest, watchers, updates } = monitored();
    const states: string[] = [];
    gateway.onMonitorStateChange((_id, s) => states.push(s));
    gateway.startMonitoring('acc1');
    await flush();
    expect((await gateway.placeOrder('acc1', limitBuy())).kind).toBe('accepted');
    const ex = rest.find((r) => r.config.apiKey !== undefined)!;
    ex.script('fetchOpenOrders', []);
    ex.script('fetchOrder', { id: 'ex-1', clientOrderId: CID, symbol: 'BTC/USDT', type: 'limit', side: 'buy', status: 'closed', amount: 0.001, price: 43000.01, filled: 0.001, trades: [{ id: 'z', amount: 0.001, price: 43000.01 }] });
    watchers.shift()!.reject(new NetworkError('binance ws closed'));
    await flush();
    expect(states).toEqual(['polling']);
    expect(ex.callsOf('fetchOpenOrders')).toHaveLength(1);
    expect(ex.callsOf('fetchOrder')).toEqual([[undefined, 'BTC/USDT', { clientOrderId: CID }]]);
    expect(updates.map((u) => [u.order.clientOrderId, u.order.status, u.fill?.tradeId])).toEqual([[CID, 'filled', 'z']]);
    await gateway.close();
  });
});
