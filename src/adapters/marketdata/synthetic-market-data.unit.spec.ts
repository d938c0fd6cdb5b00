import { describe, expect, it } from 'vitest';
import type { Quote } from '../../application/ports/market-data.js';
import type { PriceTick } from '../../application/ports/price-feed.js';
import { priceFeedOf } from './price-feed-of.js';
import { SyntheticMarketData } from './synthetic-market-data.js';
import { SyntheticPriceFeed } from './synthetic-price-feed.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');

describe('SyntheticMarketData', () => {
  it('quotes the synthetic feed with source "synthetic" and the tick time as receivedAt', async () => {
    let now = T0;
    const feed = new SyntheticPriceFeed({ clock: { now: () => now }, seed: 1 });
    const errors: unknown[] = [];
    const md = new SyntheticMarketData({ feed, clock: { now: () => now }, onListenerError: (e) => errors.push(e) });
    expect(md.quote('BTC/USDT')).toEqual({ symbol: 'BTC/USDT', price: '97000', source: 'synthetic', receivedAt: T0, exchangeTime: T0 });
    expect(md.quote('NOPE/USDT')).toBeUndefined();
    const quotes: Quote[] = [];
    md.onQuote(() => {
      throw new Error('listener bug');
    });
    const off = md.onQuote((q) => quotes.push(q));
    md.follow('s', ['BTC/USDT']);
    now = T0 + 250;
    feed.setPrice('BTC/USDT', '98000');
    expect(quotes).toEqual([{ symbol: 'BTC/USDT', price: '98000', source: 'synthetic', receivedAt: T0 + 250, exchangeTime: T0 + 250 }]);
    expect(errors.length).toBe(1);
    expect(md.status()).toEqual({ venue: 'synthetic', connections: [{ id: 'synthetic', state: 'streaming', lastMessageAt: T0 + 250 }] });
    off();
    await md.close();
    feed.setPrice('BTC/USDT', '99000');
    expect(quotes.length).toBe(1);
    expect(md.status().connections[0]?.state).toBe('down');
  });
});

describe('priceFeedOf', () => {
  it('gives a market-data source the PriceFeed shape: latest, ticks, symbols quoted', async () => {
    let now = T0;
    const feed = new SyntheticPriceFeed({ clock: { now: () => now }, seed: 1 });
    const md = new SyntheticMarketData({ feed, clock: { now: () => now } });
    const prices = priceFeedOf(md, { now: () => now }, ['BTC/USDT']);
    expect(prices.symbols()).toEqual(['BTC/USDT']);
    expect(prices.latest('ETH/USDT')).toEqual({ symbol: 'ETH/USDT', price: '3400', time: '2025-01-01T00:00:00.000Z' });
    const ticks: PriceTick[] = [];
    const off = prices.subscribe((t) => ticks.push(t));
    now = T0 + 1000;
    feed.setPrice('SOL/USDT', '200');
    expect(ticks).toEqual([{ symbol: 'SOL/USDT', price: '200', time: '2025-01-01T00:00:01.000Z' }]);
    expect(prices.symbols()).toEqual(['BTC/USDT', 'SOL/USDT']);
    off();
    prices.close();
    feed.setPrice('ETH/USDT', '3500');
    expect(ticks.length).toBe(1);
    expect(prices.symbols()).toEqual(['BTC/USDT', 'SOL/USDT']);
    await md.close();
  });
});
