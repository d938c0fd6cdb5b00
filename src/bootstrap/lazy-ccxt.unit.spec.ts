import { describe, expect, it } from 'vitest';
import type { OrderUpdate } from '../application/ports/exchange.js';
import type { CcxtExchangeGateway } from '../adapters/exchanges/ccxt/index.js';
import { LazyCcxtGateway } from './lazy-ccxt.js';

function fakeGateway() {
  const calls: string[] = [];
  let emit: (u: OrderUpdate) => void = () => undefined;
  let emitState: (a: string, s: string) => void = () => undefined;
  const g = {
    registerAccount: (a: { accountId: string; exchangeId: string }) => {
      if (a.exchangeId === 'nope') throw new Error('unknown ccxt exchange nope');
      calls.push(`register ${a.accountId}`);
    },
    markets: () => [{ symbol: 'BTC/USDT' }],
    placeOrder: async (accountId: string) => (calls.push(`place ${accountId}`), { kind: 'unknown', reason: 'fake' }),
    fetchBalances: async (accountId: string) => (calls.push(`balances ${accountId}`), []),
    onOrderUpdate: (l: (u: OrderUpdate) => void) => ((emit = l), () => undefined),
    onMonitorStateChange: (l: (a: string, s: string) => void) => ((emitState = l), () => undefined),
    close: async () => void calls.push('close'),
  };
  return { g: g as unknown as CcxtExchangeGateway, calls, emit: (u: OrderUpdate) => emit(u), emitState: (a: string, s: string) => emitState(a, s) };
}

describe('LazyCcxtGateway', () => {
  it('loads nothing until an account needs it; calls wait for the registration; listeners added early hear the gateway', async () => {
    const fake = fakeGateway();
    let made = 0;
    const lazy = new LazyCcxtGateway(async () => (made++, fake.g));
    const updates: string[] = [];
    const states: string[] = [];
    lazy.onOrderUpdate((u) => updates.push(u.accountId));
    lazy.onMonitorStateChange((a, s) => states.push(`${a}:${s}`));
    expect(made).toBe(0);
    expect(lazy.loaded).toBeUndefined();
    expect(lazy.markets()).toEqual([]);
    const registering = lazy.register({ accountId: 'b1', exchangeId: 'binance', marketType: 'spot' });
    const placed = lazy.placeOrder('b1', { clientOrderId: 'c', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '1' });
    await registering;
    expect(await placed).toEqual({ kind: 'unknown', reason: 'fake' });
    await lazy.fetchBalances('b1');
    expect(fake.calls).toEqual(['register b1', 'place b1', 'balances b1']);
    expect(made).toBe(1);
    fake.emit({ accountId: 'b1' } as OrderUpdate);
    fake.emitState('b1', 'streaming');
    expect(updates).toEqual(['b1']);
    expect(states).toEqual(['b1:streaming']);
    await lazy.close();
    expect(fake.calls.at(-1)).toBe('close');
  });

  it('refuses an order of an account that is not registered (nothing sent), and reads of it throw', async () => {
    const lazy = new LazyCcxtGateway(async () => fakeGateway().g);
    expect(await lazy.placeOrder('x', { clientOrderId: 'c', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '1' })).toMatchObject({ kind: 'rejected', code: 'ACCOUNT_NOT_TRADABLE' });
    await expect(lazy.fetchOpenOrders('x')).rejects.toThrow(/not set up/);
    await expect(lazy.register({ accountId: 'y', exchangeId: 'nope', marketType: 'spot' })).rejects.toThrow(/unknown ccxt exchange/);
    expect(await lazy.placeOrder('y', { clientOrderId: 'c', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '1' })).toMatchObject({ kind: 'rejected', code: 'ACCOUNT_NOT_TRADABLE' });
  });
});
