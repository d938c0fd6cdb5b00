import { describe, expect, it } from 'vitest';
import { ExchangeMarketLists, marketListKey, type MarketListSource } from './exchange-market-lists.js';
import { MemoryKeyValueStore } from '../../../bootstrap/test-support/memory-kv.js';
import { silentLogger } from '../../../application/ports/logger.js';
import type { Market } from '../../../application/ports/exchange.js';
import type { AccountConfig } from '../../../domain/accounts/account.js';

const market = (symbol: string, status: Market['status'] = 'trading'): Market => {
  const [base, quote] = symbol.split('/') as [string, string];
  return { symbol, base, quote, tickSize: '0.00001', stepSize: '1', minQty: '1', maxQty: '9000000', minNotional: '5', status };
};
const account = (accountId: string, exchange: string): AccountConfig => ({ accountId, tenantId: 't1', name: accountId, exchange, quoteAsset: 'USDT', initialBalances: [], risk: {} });

function rig(loads: (() => Promise<Market[]>)[]) {
  let now = 1_000_000;
  const clock = { now: () => now };
  const kv = new MemoryKeyValueStore();
  let calls = 0;
  const source = (a: AccountConfig): MarketListSource =>
    a.exchange === 'paper'
      ? { kind: 'fixed', name: 'the paper exchange', markets: [market('BTC/USDT')] }
      : { kind: 'venue', key: `${a.exchange}:spot`, name: a.exchange, load: () => loads[Math.min(calls++, loads.length - 1)]!() };
  const lists = () => new ExchangeMarketLists({ sourceOf: source, kv, clock, log: silentLogger, missIntervalMs: 60_000 });
  return { kv, lists, advance: (ms: number) => (now += ms), calls: () => calls };
}

describe('ExchangeMarketLists', () => {
  it("given a venue account, when registered, then its exchange's list is loaded, shared by accounts on it, kept, and read back after a restart while the exchange is down", async () => {
    const r = rig([async () => [market('DOGE/USDT'), market('BTC/USDT'), market('LUNA/USDT', 'halted')], async () => { throw new Error('down'); }]);
    const lists = r.lists();
    const a1 = account('a1', 'binance');
    const a2 = account('a2', 'binance');
    await lists.register(a1);
    await lists.register(a2);
    await lists.settled();
    expect(lists.list(a1)?.map((m) => m.symbol)).toEqual(['DOGE/USDT', 'BTC/USDT', 'LUNA/USDT']);
    expect(lists.market(a2, 'DOGE/USDT')?.stepSize).toBe('1');
    expect(lists.market(a1, 'LUNA/USDT')?.status).toBe('halted');
    expect(r.calls()).toBe(1);
    expect(JSON.parse((await r.kv.get(marketListKey('binance:spot')))!).markets).toHaveLength(3);

    const restarted = r.lists();
    await restarted.register(a1);
    await restarted.settled(); // the exchange is down now
    expect(restarted.market(a1, 'DOGE/USDT')).toBeDefined();
    expect(restarted.venueName(a1)).toBe('binance');
  });

  it('given a miss, then the list is asked for again at most once a minute per venue, and a newly listed symbol appears', async () => {
    const r = rig([async () => [market('BTC/USDT')], async () => [market('BTC/USDT'), market('NEW/USDT')]]);
    const lists = r.lists();
    const a1 = account('a1', 'binance');
    await lists.register(a1);
    await lists.settled();
    await lists.refresh(a1); // within the minute: not asked
    expect(r.calls()).toBe(1);
    expect(lists.market(a1, 'NEW/USDT')).toBeUndefined();
    r.advance(60_000);
    await lists.refresh(a1);
    expect(r.calls()).toBe(2);
    expect(lists.market(a1, 'NEW/USDT')).toBeDefined();
  });

  it('given a failed load, then the account has no list (routing refuses with MARKETS_UNAVAILABLE) until one loads', async () => {
    const r = rig([async () => { throw new Error('unreachable'); }, async () => [market('BTC/USDT')]]);
    const lists = r.lists();
    const a1 = account('a1', 'bybit');
    await lists.register(a1);
    await lists.settled();
    expect(lists.list(a1)).toBeUndefined();
    r.advance(60_000);
    await lists.refresh(a1);
    expect(lists.list(a1)?.map((m) => m.symbol)).toEqual(['BTC/USDT']);
  });

  it('given a paper account, then its list is the paper exchange\'s own, without loading anything', async () => {
    const r = rig([async () => { throw new Error('never called'); }]);
    const lists = r.lists();
    const paper = account('p1', 'paper');
    await lists.register(paper);
    expect(lists.list(paper)?.map((m) => m.symbol)).toEqual(['BTC/USDT']);
    expect(lists.venueName(paper)).toBe('the paper exchange');
    expect(r.calls()).toBe(0);
  });

  it('given a venue whose first load fails, then it is tried again by itself, soon (its accounts cannot trade without a list)', async () => {
    const r = rig([async () => { throw new Error('429'); }, async () => [market('BTC/USDT')]]);
    const lists = r.lists();
    const a1 = account('a1', 'binance');
    await lists.register(a1);
    await lists.settled();
    expect(lists.list(a1)).toBeUndefined();
    const deadline = Date.now() + 10_000;
    while (lists.list(a1) === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lists.list(a1)?.map((m) => m.symbol)).toEqual(['BTC/USDT']);
    lists.close();
  });
});
