import { describe, expect, it } from 'vitest';
import type { ExchangeGateway, Market, OrderUpdate } from '../../application/ports/exchange.js';
import { AccountRoutedExchange } from './account-router.js';

const market = (symbol: string, tickSize = '0.01'): Market => ({ symbol, base: symbol.split('/')[0]!, quote: 'USDT', tickSize, stepSize: '0.001', minQty: '0.001', maxQty: '100', minNotional: '5' });

function fake(name: string, markets: Market[]) {
  const calls: string[] = [];
  const listeners = new Set<(u: OrderUpdate) => void>();
  const gateway: ExchangeGateway = {
    markets: () => markets,
    placeOrder: async (accountId) => (calls.push(`place ${accountId}`), { kind: 'rejected', code: name, reason: name }),
    fetchOrder: async (accountId, id, symbol) => (calls.push(`fetch ${accountId} ${id} ${symbol}`), null),
    cancelOrder: async (accountId) => (calls.push(`cancel ${accountId}`), null),
    fetchOpenOrders: async (accountId) => (calls.push(`open ${accountId}`), []),
    fetchBalances: async (accountId) => (calls.push(`balances ${accountId}`), []),
    onOrderUpdate: (l) => (listeners.add(l), () => void listeners.delete(l)),
  };
  return { gateway, calls, listeners };
}

describe('AccountRoutedExchange', () => {
  const paper = fake('paper', [market('BTC/USDT'), market('ETH/USDT')]);
  const binance = fake('binance', [market('BTC/USDT', '0.1'), market('SOL/USDT')]);
  const routed = new AccountRoutedExchange([paper.gateway, binance.gateway], (id) => {
    if (id.startsWith('p')) return paper.gateway;
    if (id.startsWith('b')) return binance.gateway;
    throw new Error(`account ${id} is not tradable`);
  });

  it('sends each account\'s calls to its exchange', async () => {
    expect(await routed.placeOrder('b1', { clientOrderId: 'c', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '1' })).toMatchObject({ code: 'binance' });
    await routed.fetchOrder('p1', 'c', 'BTC/USDT');
    await routed.fetchOpenOrders('b1');
    await routed.fetchBalances('p1');
    await routed.cancelOrder('p1', 'c');
    expect(binance.calls).toEqual(['place b1', 'open b1']);
    expect(paper.calls).toEqual(['fetch p1 c BTC/USDT', 'balances p1', 'cancel p1']);
  });

  it('refuses an order for an account no exchange serves, definitively (nothing was sent)', async () => {
    expect(await routed.placeOrder('x1', { clientOrderId: 'c', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '1' })).toEqual({
      kind: 'rejected', code: 'ACCOUNT_NOT_TRADABLE', reason: 'account x1 is not tradable',
    });
    await expect(routed.fetchOrder('x1', 'c')).rejects.toThrow(/not tradable/);
  });

  it('lists the union of markets (first gateway wins a symbol) and forwards updates from every gateway', () => {
    expect(routed.markets().map((m) => `${m.symbol}:${m.tickSize}`)).toEqual(['BTC/USDT:0.01', 'ETH/USDT:0.01', 'SOL/USDT:0.01']);
    const seen: string[] = [];
    const off = routed.onOrderUpdate((u) => seen.push(u.accountId));
    for (const l of paper.listeners) l({ accountId: 'p1' } as OrderUpdate);
    for (const l of binance.listeners) l({ accountId: 'b1' } as OrderUpdate);
    off();
    expect(paper.listeners.size + binance.listeners.size).toBe(0);
    expect(seen).toEqual(['p1', 'b1']);
  });
});
