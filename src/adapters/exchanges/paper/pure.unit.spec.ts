import { describe, expect, it } from 'vitest';
import type { PlaceOrderRequest } from '../../../application/ports/exchange.js';
import { Dec, decToString } from '../../../domain/shared/decimal.js';
import { bpsRate, buyCost, feeFor, slippedPrice } from './fill-pricing.js';
import { ceilToStep, floorToStep, isMultipleOf, isRejection, marketSpec, validateStatic } from './filters.js';
import { PAPER_MARKETS, findMarket } from './markets.js';
import { crosses, isMarketable, partialFillQuantity } from './matching.js';

const btc = marketSpec(findMarket(PAPER_MARKETS, 'BTC/USDT')!);
const d = (x: string | number) => new Dec(x);
const s = (x: Dec) => decToString(x);

function req(over: Partial<PlaceOrderRequest>): PlaceOrderRequest {
  return { clientOrderId: '0123456789abcdef0123456789abcdef', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.001', ...over };
}

describe('markets', () => {
  it('lists BTC, ETH, SOL spot markets with Binance-like filters', () => {
    expect(PAPER_MARKETS.map((m) => m.symbol)).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    expect(findMarket(PAPER_MARKETS, 'BTC/USDT')).toMatchObject({ base: 'BTC', quote: 'USDT', tickSize: '0.01', stepSize: '0.00001', minNotional: '5' });
    for (const m of PAPER_MARKETS) expect(() => marketSpec(m)).not.toThrow();
  });
});

describe('filters', () => {
  it('step arithmetic is exact', () => {
    expect(isMultipleOf(d('0.00003'), d('0.00001'))).toBe(true);
    expect(isMultipleOf(d('0.000035'), d('0.00001'))).toBe(false);
    expect(s(floorToStep(d('1.23456789'), d('0.001')))).toBe('1.234');
    expect(s(ceilToStep(d('1.2341'), d('0.001')))).toBe('1.235');
    expect(s(ceilToStep(d('1.234'), d('0.001')))).toBe('1.234');
  });

  it('LOT_SIZE: multiple of step and within [minQty, maxQty]', () => {
    expect(validateStatic(btc, req({ quantity: '0.000015' }))).toMatchObject({ code: 'LOT_SIZE' });
    expect(validateStatic(btc, req({ quantity: '9000.00001' }))).toMatchObject({ code: 'LOT_SIZE' });
    expect(validateStatic(btc, req({ quantity: '0.00001' }))).toEqual({ quantity: d('0.00001') });
    expect(validateStatic(btc, req({ quantity: '9000' }))).toEqual({ quantity: d('9000') });
  });

  it('PRICE_FILTER: limit price on the tick grid and positive', () => {
    expect(validateStatic(btc, req({ type: 'limit', limitPrice: '96000.005' }))).toMatchObject({ code: 'PRICE_FILTER' });
    expect(validateStatic(btc, req({ type: 'limit', limitPrice: '0' }))).toMatchObject({ code: 'PRICE_FILTER' });
    const ok = validateStatic(btc, req({ type: 'limit', limitPrice: '96000.01' }));
    expect(isRejection(ok)).toBe(false);
  });

  it('malformed requests are INVALID_ORDER', () => {
    expect(validateStatic(btc, req({ quantity: 'abc' }))).toMatchObject({ code: 'INVALID_ORDER' });
    expect(validateStatic(btc, req({ quantity: '-1' }))).toMatchObject({ code: 'INVALID_ORDER' });
    expect(validateStatic(btc, req({ type: 'limit' }))).toMatchObject({ code: 'INVALID_ORDER' });
    expect(validateStatic(btc, req({ clientOrderId: '' }))).toMatchObject({ code: 'INVALID_ORDER' });
    expect(validateStatic(btc, req({ clientOrderId: 'x'.repeat(37) }))).toMatchObject({ code: 'INVALID_ORDER' });
    expect(validateStatic(btc, req({ side: 'hold' as never }))).toMatchObject({ code: 'INVALID_ORDER' });
  });
});

describe('fill pricing', () => {
  it('slippage moves against the taker and rounds against the taker', () => {
    const rate = bpsRate(5);
    expect(s(slippedPrice('buy', d('97000'), rate, btc.tick))).toBe('97048.5');
    expect(s(slippedPrice('sell', d('97000'), rate, btc.tick))).toBe('96951.5');
    expect(s(slippedPrice('buy', d('97000.01'), rate, btc.tick))).toBe('97048.52'); // 97048.510005 -> up
    expect(s(slippedPrice('sell', d('97000.01'), rate, btc.tick))).toBe('96951.5'); // 96951.509995 -> down
    expect(s(slippedPrice('sell', d('0.01'), bpsRate(5000), btc.tick))).toBe('0.01');
  });

  it('fees are exact decimals in the quote asset', () => {
    expect(s(feeFor(d('0.01'), d('97048.5'), bpsRate(10)))).toBe('0.970485');
    expect(s(buyCost(d('0.01'), d('97048.5'), bpsRate(10)))).toBe('971.455485');
    expect(s(bpsRate(2))).toBe('0.0002');
    expect(() => bpsRate(-1)).toThrow(RangeError);
  });
});

describe('matching', () => {
  it('marketable / crossing rules', () => {
    expect(isMarketable('buy', d(100), d(100))).toBe(true);
    expect(isMarketable('buy', d(100), d('100.01'))).toBe(false);
    expect(isMarketable('sell', d(100), d(100))).toBe(true);
    expect(isMarketable('sell', d(100), d('99.99'))).toBe(false);
    expect(crosses('buy', d(100), d(90))).toBe(true);
  });

  it('partial fill sizes: floored to step, at least minQty, small remainders fill whole', () => {
    const step = d('0.00001');
    const min = d('0.00001');
    expect(s(partialFillQuantity(d('1'), 3000, step, min))).toBe('0.3');
    expect(s(partialFillQuantity(d('1'), 10_000, step, min))).toBe('1');
    expect(s(partialFillQuantity(d('0.00003'), 3000, step, min))).toBe('0.00001');
    // leftover would be below minQty -> everything
    expect(s(partialFillQuantity(d('0.00001'), 3000, step, min))).toBe('0.00001');
    expect(s(partialFillQuantity(d('0.000019'), 9999, d('0.000001'), min))).toBe('0.000019');
    expect(s(partialFillQuantity(d('0'), 5000, step, min))).toBe('0');
    expect(() => partialFillQuantity(d('1'), 0, step, min)).toThrow(RangeError);
  });
});
