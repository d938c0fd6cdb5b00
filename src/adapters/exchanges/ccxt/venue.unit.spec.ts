import { describe, expect, it } from 'vitest';
import { profileFor } from './exchange-profiles.js';
import { FakeExchange, SPOT_MARKETS, SWAP_MARKETS } from './test-support/fake-exchange.js';
import { Venue, ccxtConfigFor, hostKeyOf, venueKeyOf } from './venue.js';

describe('venue keys', () => {
  it('one host per exchange and market type; overridden URLs are another host', () => {
    expect(hostKeyOf({ exchangeId: 'binance', marketType: 'spot' })).toBe('binance:spot');
    const sandbox = hostKeyOf({ exchangeId: 'binance', marketType: 'spot', urls: { public: 'http://127.0.0.1:1/api/v3' } });
    expect(sandbox).toMatch(/^binance:spot@[0-9a-f]{8}$/);
    expect(hostKeyOf({ exchangeId: 'binance', marketType: 'spot', urls: { public: 'http://127.0.0.1:1/api/v3' } })).toBe(sandbox);
    expect(hostKeyOf({ exchangeId: 'binance', marketType: 'spot', urls: { public: 'http://127.0.0.1:2/api/v3' } })).not.toBe(sandbox);
  });
  it('extra options make another venue (other markets) on the same host, independent of key order', () => {
    const a = venueKeyOf({ exchangeId: 'okx', marketType: 'swap', options: { a: 1, b: { c: 2, d: 3 } } });
    const b = venueKeyOf({ exchangeId: 'okx', marketType: 'swap', options: { b: { d: 3, c: 2 }, a: 1 } });
    expect(a).toBe(b);
    expect(a.startsWith('okx:swap+')).toBe(true);
  });
});

describe('ccxtConfigFor', () => {
  it('per exchange: only the market type loaded, defaultType, Binance open orders without symbol, OKX base sizing', () => {
    expect(ccxtConfigFor({ exchangeId: 'binance', marketType: 'swap' }).options).toMatchObject({ defaultType: 'swap', fetchMarkets: { types: ['linear'] }, warnOnFetchOpenOrdersWithoutSymbol: false });
    expect(ccxtConfigFor({ exchangeId: 'bybit', marketType: 'spot' }).options).toMatchObject({ defaultType: 'spot', fetchMarkets: { types: ['spot'] } });
    expect(ccxtConfigFor({ exchangeId: 'okx', marketType: 'spot' }).options).toMatchObject({ fetchMarkets: { types: ['spot'] }, tgtCcy: 'base_ccy' });
    expect(ccxtConfigFor({ exchangeId: 'kraken', marketType: 'spot' }).options).toEqual({ defaultType: 'spot', adjustForTimeDifference: true, fetchCurrencies: false });
  });
  it('account options win over the adapter defaults; no keys for the market loader', () => {
    const config = ccxtConfigFor({ exchangeId: 'binance', marketType: 'spot', options: { adjustForTimeDifference: false } });
    expect(config.options.adjustForTimeDifference).toBe(false);
    expect(config).not.toHaveProperty('apiKey');
    expect(ccxtConfigFor({ exchangeId: 'okx', marketType: 'spot' }, { apiKey: 'k', secret: 's', password: 'p' })).toMatchObject({ apiKey: 'k', secret: 's', password: 'p' });
  });
});

describe('Venue', () => {
  it('loads once (concurrent callers share the load), retries after a failure, closes its loader', async () => {
    const loaders: FakeExchange[] = [];
    let fail = true;
    const venue = new Venue({ exchangeId: 'okx', marketType: 'swap' }, () => {
      const f = new FakeExchange('okx', ccxtConfigFor({ exchangeId: 'okx', marketType: 'swap' }), { ...SPOT_MARKETS, ...SWAP_MARKETS });
      if (fail) f.script('loadMarkets', new Error('boom'));
      fail = false;
      loaders.push(f);
      return f;
    });
    await expect(venue.load(async () => undefined)).rejects.toThrow('boom');
    expect(venue.loaded).toBe(false);
    await Promise.all([venue.load(async () => undefined), venue.load(async () => undefined)]);
    expect(loaders).toHaveLength(2);
    expect(loaders.every((l) => l.closed)).toBe(true);
    expect(venue.timeDifference).toBe(42);
    // only the venue's market type resolves, under either spelling
    expect(venue.resolve('BTC/USDT')?.symbol).toBe('BTC/USDT:USDT');
    expect(venue.resolve('BTC/USDT:USDT')?.symbol).toBe('BTC/USDT:USDT');
    expect(venue.resolve('ETH/USDT')).toBeUndefined();
    expect(venue.portMarkets().map((m) => m.symbol)).toEqual(['BTC/USDT']);
  });
});

describe('profiles', () => {
  it('Bybit looks up by orderLinkId without the unified fetchOrder', async () => {
    const fake = new FakeExchange('bybit', ccxtConfigFor({ exchangeId: 'bybit', marketType: 'spot' }));
    fake.script('fetchOpenOrders', [{ id: '1', clientOrderId: 'other' }, { id: '2', clientOrderId: 'mine' }]);
    expect(await profileFor('bybit').fetchByClientOrderId(fake, 'mine', 'BTC/USDT')).toMatchObject({ id: '2' });
    expect(fake.callsOf('fetchCanceledAndClosedOrders')).toEqual([]);
  });
  it('cancels by the native Bybit field and the unified one elsewhere', async () => {
    const fake = new FakeExchange('bybit', ccxtConfigFor({ exchangeId: 'bybit', marketType: 'spot' }));
    fake.script('cancelOrder', { id: '1' }, { id: '1' });
    await profileFor('bybit').cancelByClientOrderId(fake, 'mine', 'BTC/USDT');
    await profileFor('okx').cancelByClientOrderId(fake, 'mine', 'BTC/USDT');
    expect(fake.callsOf('cancelOrder')).toEqual([
      [undefined, 'BTC/USDT', { orderLinkId: 'mine' }],
      [undefined, 'BTC/USDT', { clientOrderId: 'mine' }],
    ]);
  });
  it('reduceOnly goes to derivatives only', () => {
    expect(profileFor('binance').createParams('c', 'spot', true)).toEqual({ clientOrderId: 'c' });
    expect(profileFor('binance').createParams('c', 'swap', true)).toEqual({ clientOrderId: 'c', reduceOnly: true });
  });
});
