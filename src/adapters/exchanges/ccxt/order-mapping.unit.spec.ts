import { describe, expect, it } from 'vitest';
import type { CcxtMarketLike } from './ccxt-types.js';
import { OrderMappingError, mapBalances, mapOrder, mapTrade, portSymbolOf, toPortMarket } from './order-mapping.js';
import { PrecisionMode } from './order-validation.js';
import { SPOT_MARKETS, SWAP_MARKETS } from './test-support/fake-exchange.js';

const btc = SPOT_MARKETS['BTC/USDT']!;
const swap = SWAP_MARKETS['BTC/USDT:USDT']!;
const now = () => Date.UTC(2024, 0, 2);
const ctx = { market: btc, symbol: 'BTC/USDT', now };
const ids = { clientOrderId: 'c1', exchangeOrderId: 'e1', side: 'buy' as const };

describe('mapTrade', () => {
  it('turns ccxt numbers into decimal strings and sums fees of the first currency', () => {
    const fill = mapTrade(
      { id: 't1', order: 'e1', amount: 1e-7, price: 43000.1, takerOrMaker: 'maker', fees: [{ cost: 0.1, currency: 'BNB' }, { cost: 0.2, currency: 'BNB' }, { cost: 5, currency: 'USDT' }], timestamp: Date.UTC(2024, 0, 1) },
      ids,
      ctx,
    );
    expect(fill).toEqual({
      tradeId: 't1',
      clientOrderId: 'c1',
      exchangeOrderId: 'e1',
      symbol: 'BTC/USDT',
      side: 'buy',
      quantity: '0.0000001',
      price: '43000.1',
      fee: '0.3',
      feeCurrency: 'BNB',
      liquidity: 'maker',
      time: '2024-01-01T00:00:00.000Z',
    });
  });
  it('accepts strings (number = String mode), defaults: taker, no fee in the quote, now', () => {
    expect(mapTrade({ id: 't2', amount: '0.5', price: '100' }, ids, ctx)).toMatchObject({ quantity: '0.5', fee: '0', feeCurrency: 'USDT', liquidity: 'taker', time: '2024-01-02T00:00:00.000Z' });
  });
  it('drops trades that cannot be recorded idempotently or are not fills', () => {
    expect(mapTrade({ amount: 1, price: 1 }, ids, ctx)).toBeUndefined();
    expect(mapTrade({ id: 'x', amount: 0, price: 1 }, ids, ctx)).toBeUndefined();
    expect(mapTrade({ id: 'x', amount: 1 }, ids, ctx)).toBeUndefined();
  });
  it('converts contracts to base units', () => {
    expect(mapTrade({ id: 't', amount: 5, price: 43000 }, ids, { market: swap, symbol: 'BTC/USDT', now })?.quantity).toBe('0.05');
  });
});

describe('mapOrder', () => {
  const base = { id: 'e1', clientOrderId: 'c1', symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.002, price: 43000, filled: 0 };
  it.each([
    ['open', 0, 'open'],
    ['open', 0.001, 'partially_filled'],
    ['closed', 0.002, 'filled'],
    ['canceled', 0.001, 'cancelled'],
    ['expired', 0, 'expired'],
    ['rejected', 0, 'rejected'],
    [undefined, 0, 'open'],
    [undefined, 0.001, 'partially_filled'],
    [undefined, 0.002, 'filled'],
  ])('ccxt status %s with filled %s → %s', (status, filled, expected) => {
    expect(mapOrder({ ...base, status, filled }, ctx).status).toBe(expected);
  });
  it('de-duplicates fills by trade id and uses the sum of fills when ccxt reports no filled amount', () => {
    const order = mapOrder({ ...base, filled: undefined, status: 'open', trades: [{ id: 'a', amount: 0.001, price: 43000 }, { id: 'a', amount: 0.001, price: 43000 }] }, ctx);
    expect(order.fills).toHaveLength(1);
    expect(order.filledQuantity).toBe('0.001');
  });
  it('omits the limit price of a market order and maps exotic types', () => {
    expect(mapOrder({ ...base, type: 'market', price: 43001.5 }, ctx)).not.toHaveProperty('limitPrice');
    expect(mapOrder({ ...base, type: 'LIMIT_MAKER' }, ctx).type).toBe('limit');
  });
  it('fills gaps from the fallback, and refuses what cannot be guessed', () => {
    expect(mapOrder({ id: 'e9' }, { ...ctx, fallback: { clientOrderId: 'c9', side: 'sell', type: 'market', quantity: '0.5' } })).toMatchObject({
      clientOrderId: 'c9',
      side: 'sell',
      type: 'market',
      quantity: '0.5',
      status: 'open',
    });
    expect(() => mapOrder({ clientOrderId: 'c1', side: 'buy' }, ctx)).toThrow(OrderMappingError);
    expect(() => mapOrder({ id: 'e1', side: 'buy' }, ctx)).toThrow(/clientOrderId/);
    expect(() => mapOrder({ id: 'e1', clientOrderId: 'c1' }, ctx)).toThrow(/side/);
  });
});

describe('mapBalances', () => {
  it('reads per-asset entries, skips the summary dicts and empty assets, derives missing totals', () => {
    expect(
      mapBalances({
        info: { raw: true },
        timestamp: 1,
        datetime: 'x',
        free: { BTC: 1 },
        used: {},
        total: {},
        BTC: { free: 1, used: 0.5, total: 1.5 },
        ETH: { free: '2', used: '1' },
        XRP: { free: 0, used: 0, total: 0 },
        DOGE: { total: 10 },
      }),
    ).toEqual([
      { asset: 'BTC', total: '1.5', available: '1' },
      { asset: 'DOGE', total: '10', available: '10' },
      { asset: 'ETH', total: '3', available: '2' },
    ]);
  });
});

describe('port markets', () => {
  it('reports spot markets in base units with 0 for "no limit"', () => {
    const m: CcxtMarketLike = { symbol: 'X/Y', base: 'X', quote: 'Y', precision: { amount: 2, price: 4 }, limits: {} };
    expect(toPortMarket(m, PrecisionMode.DECIMAL_PLACES)).toEqual({ symbol: 'X/Y', base: 'X', quote: 'Y', tickSize: '0.0001', stepSize: '0.01', minQty: '0.01', maxQty: '0', minNotional: '0' });
  });
  it('reports linear swaps under the spot-style symbol, in base units', () => {
    expect(portSymbolOf(swap)).toBe('BTC/USDT');
    expect(toPortMarket(swap, PrecisionMode.TICK_SIZE)).toMatchObject({ symbol: 'BTC/USDT', stepSize: '0.0001', minQty: '0.0001', maxQty: '100', tickSize: '0.1' });
  });
});
