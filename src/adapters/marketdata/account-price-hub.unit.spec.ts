import { describe, expect, it } from 'vitest';
import { AccountPriceHub } from './account-price-hub.js';
import { silentLogger } from '../../application/ports/logger.js';
import type { MarketDataSource, Quote } from '../../application/ports/market-data.js';
import type { AccountConfig } from '../../domain/accounts/account.js';

class FakeSource implements MarketDataSource {
  readonly quotes = new Map<string, Quote>();
  followed: readonly string[] = [];
  private readonly listeners = new Set<(q: Quote) => void>();
  closed = false;
  constructor(private readonly venue: string) {}
  quote(symbol: string) { return this.quotes.get(symbol); }
  follow(_owner: string, symbols: readonly string[]) { this.followed = symbols; }
  onQuote(listener: (q: Quote) => void) { this.listeners.add(listener); return () => this.listeners.delete(listener); }
  status() { return { venue: this.venue, connections: [] }; }
  async close() { this.closed = true; }
  emit(q: Quote) { this.quotes.set(q.symbol, q); for (const l of this.listeners) l(q); }
}

const account = (accountId: string, exchange: string): AccountConfig => ({ accountId, tenantId: 't1', name: accountId, exchange, quoteAsset: 'USDT', initialBalances: [], risk: {} });

function rig() {
  let now = 10_000;
  const sources = new Map<string, FakeSource>();
  const hub = new AccountPriceHub({
    venueOf: (a) => ({ key: a.exchange, open: () => { const s = new FakeSource(a.exchange); sources.set(a.exchange, s); return s; } }),
    clock: { now: () => now }, log: silentLogger,
  });
  return { hub, sources, advance: (ms: number) => (now += ms), now: () => now };
}

describe('AccountPriceHub', () => {
  it("given accounts on two exchanges, then each sees its own exchange's price with its age, and accounts on one exchange share a source", () => {
    const r = rig();
    const a = account('a', 'binance');
    const b = account('b', 'bybit');
    const a2 = account('a2', 'binance');
    r.hub.follow('routing', a, ['BTC/USDT']);
    r.hub.follow('routing', b, ['BTC/USDT']);
    r.hub.follow('positions', a2, ['ETH/USDT']);
    expect([...r.sources.keys()]).toEqual(['binance', 'bybit']);
    expect(r.sources.get('binance')!.followed).toEqual(['BTC/USDT', 'ETH/USDT']);
    r.sources.get('binance')!.emit({ symbol: 'BTC/USDT', price: '97000', source: 'binance:ws-a', receivedAt: r.now() });
    r.sources.get('bybit')!.emit({ symbol: 'BTC/USDT', price: '96950', source: 'bybit:ws-b', receivedAt: r.now() });
    r.advance(1200);
    expect(r.hub.quote(a, 'BTC/USDT')).toMatchObject({ price: '97000', source: 'binance:ws-a', ageMs: 1200 });
    expect(r.hub.quote(b, 'BTC/USDT')).toMatchObject({ price: '96950', ageMs: 1200 });
    r.hub.follow('positions', a2, []);
    expect(r.sources.get('binance')!.followed).toEqual(['BTC/USDT']);
  });

  it('given no fresh price, when ensured, then it waits for the first fresh quote; without one it gives up after the timeout', async () => {
    const r = rig();
    const a = account('a', 'binance');
    const waiting = r.hub.ensure('routing', a, ['DOGE/USDT'], 5000, 60_000);
    expect(r.sources.get('binance')!.followed).toEqual(['DOGE/USDT']);
    r.sources.get('binance')!.emit({ symbol: 'DOGE/USDT', price: '0.4', source: 'binance:ws-a', receivedAt: r.now() });
    await waiting;
    expect(r.hub.quote(a, 'DOGE/USDT')?.price).toBe('0.4');
    r.advance(10_000); // stale now, and nothing arrives
    await r.hub.ensure('routing', a, ['DOGE/USDT'], 5000, 20);
    expect(r.hub.quote(a, 'DOGE/USDT')?.ageMs).toBe(10_000);
  });

  it('closes every source it opened', async () => {
    const r = rig();
    r.hub.follow('x', account('a', 'binance'), ['BTC/USDT']);
    await r.hub.close();
    expect(r.sources.get('binance')!.closed).toBe(true);
  });
});
