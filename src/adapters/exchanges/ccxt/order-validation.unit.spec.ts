import { describe, expect, it } from 'vitest';
import { Dec } from '../../../domain/shared/decimal.js';
import type { CcxtMarketLike } from './ccxt-types.js';
import { PrecisionMode, incrementAt, toCcxtNumber, validateOrder, type OrderToValidate } from './order-validation.js';

/** As ccxt parses Binance's BTCUSDT (TICK_SIZE; numbers). */
const binanceBtc: CcxtMarketLike = {
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  spot: true,
  contract: false,
  active: true,
  precision: { amount: 0.00001, price: 0.01 },
  limits: {
    amount: { min: 0.00001, max: 9000 },
    price: { min: 0.01, max: 1000000 },
    cost: { min: 5, max: 9000000 },
    market: { min: 0, max: 120.5 },
  },
};

/** DECIMAL_PLACES market (e.g. Kraken): amount 8 dp, price 1 dp, strings as with number = String. */
const decimalPlaces: CcxtMarketLike = {
  symbol: 'BTC/EUR',
  base: 'BTC',
  quote: 'EUR',
  spot: true,
  precision: { amount: '8', price: '1' },
  limits: { amount: { min: '0.0001' }, cost: { min: '0.5' } },
};

/** OKX linear swap: contract size 0.01 BTC, 1 contract step with lot 0.01 (DECIMAL? no: TICK_SIZE). */
const okxSwap: CcxtMarketLike = {
  symbol: 'BTC/USDT:USDT',
  base: 'BTC',
  quote: 'USDT',
  settle: 'USDT',
  swap: true,
  contract: true,
  linear: true,
  inverse: false,
  contractSize: 0.01,
  precision: { amount: 0.01, price: 0.1 },
  limits: { amount: { min: 0.01, max: 10000 }, price: {}, cost: {} },
};

const buy = (quantity: string, extra: Partial<OrderToValidate> = {}): OrderToValidate => ({ side: 'buy', type: 'market', quantity, ...extra });
const limitOrder = (side: 'buy' | 'sell', quantity: string, limitPrice: string): OrderToValidate => ({ side, type: 'limit', quantity, limitPrice });
const TICK = PrecisionMode.TICK_SIZE;

describe('validateOrder: quantity (TICK_SIZE, Binance)', () => {
  it('passes a quantity on the step unchanged', () => {
    expect(validateOrder(binanceBtc, TICK, buy('0.00123'))).toEqual({ ok: true, amount: '0.00123', quantity: '0.00123', adjustments: [] });
  });
  it('rounds DOWN to the step and says so', () => {
    const result = validateOrder(binanceBtc, TICK, buy('0.001239'));
    expect(result).toMatchObject({ ok: true, amount: '0.00123', quantity: '0.00123' });
    expect(result.ok && result.adjustments[0]).toBe('quantity 0.001239 rounded down to 0.00123 (step 0.00001)');
  });
  it('refuses zero, negative and garbage with INVALID_ORDER', () => {
    for (const q of ['0', '-1', 'abc', '', 'NaN', '1e400x']) expect(validateOrder(binanceBtc, TICK, buy(q)), q).toMatchObject({ ok: false, code: 'INVALID_ORDER' });
  });
  it('refuses a quantity below one step with LOT_SIZE', () => {
    expect(validateOrder(binanceBtc, TICK, buy('0.000009'))).toMatchObject({ ok: false, code: 'LOT_SIZE' });
  });
  it('refuses below the minimum with MIN_QTY (after rounding) and above the maximum with MAX_QTY (never clamps)', () => {
    const m = { ...binanceBtc, limits: { ...binanceBtc.limits, amount: { min: 0.001, max: 9000 } } };
    expect(validateOrder(m, TICK, buy('0.00099'))).toMatchObject({ ok: false, code: 'MIN_QTY' });
    expect(validateOrder(m, TICK, buy('0.001'))).toMatchObject({ ok: true, amount: '0.001' });
    expect(validateOrder(m, TICK, limitOrder('buy', '9000', '100'))).toMatchObject({ ok: true });
    expect(validateOrder(m, TICK, { ...limitOrder('buy', '9000.00001', '100') })).toMatchObject({ ok: false, code: 'MAX_QTY' });
  });
  it('applies MARKET_LOT_SIZE (limits.market) to market orders only; 0 means no limit', () => {
    expect(validateOrder(binanceBtc, TICK, buy('121'))).toMatchObject({ ok: false, code: 'MAX_QTY' });
    expect(validateOrder(binanceBtc, TICK, limitOrder('buy', '121', '100'))).toMatchObject({ ok: true });
  });
  it('works with tiny steps in exponent form (1e-8)', () => {
    const m = { ...binanceBtc, precision: { amount: 1e-8, price: 1e-8 }, limits: {} };
    expect(validateOrder(m, TICK, limitOrder('buy', '0.123456789', '0.000000015'))).toMatchObject({ ok: true, amount: '0.12345678', price: '0.00000001' });
  });
  it('refuses an inactive market and inverse contracts', () => {
    expect(validateOrder({ ...binanceBtc, active: false }, TICK, buy('1'))).toMatchObject({ ok: false, code: 'MARKET_CLOSED' });
    expect(validateOrder({ ...okxSwap, linear: false, inverse: true }, TICK, buy('1'))).toMatchObject({ ok: false, code: 'NOT_SUPPORTED' });
  });
});

describe('validateOrder: limit price', () => {
  it('keeps a price on the tick', () => {
    expect(validateOrder(binanceBtc, TICK, limitOrder('buy', '0.001', '43000.01'))).toMatchObject({ ok: true, price: '43000.01', adjustments: [] });
  });
  it('rounds an off-tick price toward the passive side: buys down, sells up', () => {
    expect(validateOrder(binanceBtc, TICK, limitOrder('buy', '0.001', '43000.019'))).toMatchObject({ ok: true, price: '43000.01' });
    expect(validateOrder(binanceBtc, TICK, limitOrder('sell', '0.001', '43000.011'))).toMatchObject({ ok: true, price: '43000.02' });
  });
  it('refuses an off-tick price with PRICE_FILTER when asked to', () => {
    expect(validateOrder(binanceBtc, TICK, limitOrder('buy', '0.001', '43000.019'), { limitPriceRounding: 'reject' })).toMatchObject({ ok: false, code: 'PRICE_FILTER' });
  });
  it('refuses a buy price below one tick (rounds to zero) and a price outside the band', () => {
    const noMin = { ...binanceBtc, limits: { ...binanceBtc.limits, price: {} } };
    expect(validateOrder(noMin, TICK, limitOrder('buy', '1', '0.001'))).toMatchObject({ ok: false, code: 'PRICE_FILTER' });
    expect(validateOrder(binanceBtc, TICK, limitOrder('sell', '0.001', '1000000.01'))).toMatchObject({ ok: false, code: 'PRICE_FILTER' });
    expect(validateOrder(binanceBtc, TICK, limitOrder('buy', '1', '0'))).toMatchObject({ ok: false, code: 'PRICE_FILTER' });
  });
  it('needs a decimal limit price', () => {
    expect(validateOrder(binanceBtc, TICK, { side: 'buy', type: 'limit', quantity: '1' })).toMatchObject({ ok: false, code: 'INVALID_ORDER' });
    expect(validateOrder(binanceBtc, TICK, limitOrder('buy', '1', 'abc'))).toMatchObject({ ok: false, code: 'INVALID_ORDER' });
  });
  it('ignores a limit price on a market order', () => {
    expect(validateOrder(binanceBtc, TICK, buy('0.001', { limitPrice: '1.234567' }))).not.toHaveProperty('price');
  });
});

describe('validateOrder: notional', () => {
  it('passes exactly the minimum notional, refuses one step below', () => {
    // 0.0001 × 50000 = 5 USDT exactly
    expect(validateOrder(binanceBtc, TICK, limitOrder('buy', '0.0001', '50000'))).toMatchObject({ ok: true });
    const below = validateOrder(binanceBtc, TICK, limitOrder('buy', '0.0001', '49999.99'));
    expect(below).toMatchObject({ ok: false, code: 'MIN_NOTIONAL' });
    expect(!below.ok && below.reason).toContain('below the minimum 5 USDT');
  });
  it('checks the notional after rounding the quantity down', () => {
    // 0.000109 → 0.0001; × 50000 = 5 passes; 0.000099 → 0.00009 × 50000 = 4.5 fails
    expect(validateOrder(binanceBtc, TICK, limitOrder('buy', '0.000109', '50000'))).toMatchObject({ ok: true, amount: '0.0001' });
    expect(validateOrder(binanceBtc, TICK, limitOrder('buy', '0.000099', '50000'))).toMatchObject({ ok: false, code: 'MIN_NOTIONAL' });
  });
  it('checks a market order against the reference price, and names it', () => {
    const result = validateOrder(binanceBtc, TICK, buy('0.0001'), { referencePrice: '40000' });
    expect(result).toMatchObject({ ok: false, code: 'MIN_NOTIONAL' });
    expect(!result.ok && result.reason).toContain('reference price 40000');
    expect(validateOrder(binanceBtc, TICK, buy('0.0001'), { referencePrice: '50000' })).toMatchObject({ ok: true });
  });
  it('skips the notional check of a market order without a reference price', () => {
    expect(validateOrder(binanceBtc, TICK, buy('0.0001'))).toMatchObject({ ok: true });
  });
  it('refuses above the maximum notional', () => {
    expect(validateOrder(binanceBtc, TICK, limitOrder('buy', '100', '100000'))).toMatchObject({ ok: false, code: 'MAX_NOTIONAL' });
  });
});

describe('validateOrder: DECIMAL_PLACES', () => {
  const DP = PrecisionMode.DECIMAL_PLACES;
  it('uses 10^-p as the step and tick', () => {
    expect(validateOrder(decimalPlaces, DP, limitOrder('sell', '0.123456789', '43000.05'))).toMatchObject({
      ok: true,
      amount: '0.12345678',
      price: '43000.1',
    });
  });
  it('applies string limits (number = String mode)', () => {
    expect(validateOrder(decimalPlaces, DP, buy('0.00009999'))).toMatchObject({ ok: false, code: 'MIN_QTY' });
    expect(validateOrder(decimalPlaces, DP, limitOrder('buy', '0.0001', '4999.9'))).toMatchObject({ ok: false, code: 'MIN_NOTIONAL' });
    expect(validateOrder(decimalPlaces, DP, limitOrder('buy', '0.0001', '5000'))).toMatchObject({ ok: true });
  });
});

describe('validateOrder: linear contracts', () => {
  it('converts base quantity to contracts and back', () => {
    // 0.0537 BTC / 0.01 = 5.37 contracts, step 0.01 → 5.37 contracts = 0.0537 BTC
    expect(validateOrder(okxSwap, TICK, buy('0.0537'))).toMatchObject({ ok: true, amount: '5.37', quantity: '0.0537' });
    // 0.05371 → 5.371 → 5.37 contracts
    expect(validateOrder(okxSwap, TICK, buy('0.05371'))).toMatchObject({ ok: true, amount: '5.37', quantity: '0.0537' });
  });
  it('refuses below one contract step', () => {
    expect(validateOrder(okxSwap, TICK, buy('0.00009'))).toMatchObject({ ok: false, code: 'LOT_SIZE' });
  });
});

describe('incrementAt', () => {
  it('handles the three precision modes', () => {
    expect(incrementAt(0.5, PrecisionMode.TICK_SIZE, new Dec(3))?.toString()).toBe('0.5');
    expect(incrementAt(2, PrecisionMode.DECIMAL_PLACES, new Dec(3))?.toString()).toBe('0.01');
    expect(incrementAt(-1, PrecisionMode.DECIMAL_PLACES, new Dec(3))?.toString()).toBe('10');
    expect(incrementAt(3, PrecisionMode.SIGNIFICANT_DIGITS, new Dec('12345'))?.toString()).toBe('100');
    expect(incrementAt(3, PrecisionMode.SIGNIFICANT_DIGITS, new Dec('0.012345'))?.toString()).toBe('0.0001');
    expect(incrementAt(undefined, PrecisionMode.TICK_SIZE, new Dec(3))).toBeUndefined();
    expect(incrementAt(0, PrecisionMode.TICK_SIZE, new Dec(3))).toBeUndefined();
  });
  it('rounds a SIGNIFICANT_DIGITS amount down', () => {
    const m: CcxtMarketLike = { symbol: 'X/Y', base: 'X', quote: 'Y', precision: { amount: 3, price: 5 }, limits: {} };
    expect(validateOrder(m, PrecisionMode.SIGNIFICANT_DIGITS, buy('12399'))).toMatchObject({ ok: true, amount: '12300' });
  });
});

describe('toCcxtNumber', () => {
  it('maps decimal strings of up to 15 significant digits to the double that prints the same', () => {
    expect(toCcxtNumber('0.1')).toBe(0.1);
    expect(toCcxtNumber('0.00000001')).toBe(1e-8);
    expect(toCcxtNumber('43000.01')).toBe(43000.01);
    expect(toCcxtNumber('123456789.012345')).toBe(123456789.012345);
  });
  it('refuses what a double cannot carry exactly', () => {
    expect(toCcxtNumber('1234567890.1234567')).toBeUndefined();
    expect(toCcxtNumber('abc')).toBeUndefined();
  });
});
