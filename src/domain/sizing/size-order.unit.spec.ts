import { describe, expect, it } from 'vitest';
import { sizeOrder, roundDownToStep, type MarketRules } from './size-order.js';
import type { NormalizedSignal } from '../signals/signal.js';
import type { SizingRule } from '../strategies/strategy.js';
import { dec } from '../shared/decimal.js';

const market: MarketRules = { symbol: 'BTC/USDT', tickSize: '0.01', stepSize: '0.001', minQty: '0.001', maxQty: '100', minNotional: '10' };
const signal = (over: Partial<NormalizedSignal> = {}): NormalizedSignal => ({ action: 'buy', ticker: 'BINANCE:BTCUSDT', symbol: 'BTC/USDT', ...over });
const fixed = (quantity: string): SizingRule => ({ kind: 'fixed_quantity', quantity });
const quote = (amount: string): SizingRule => ({ kind: 'quote_amount', amount });
const fromSignal = (multiplier: string): SizingRule => ({ kind: 'signal_quantity', multiplier });

describe('sizeOrder: quantities', () => {
  it.each([
    { name: 'fixed quantity', sig: signal(), sizing: fixed('0.5'), price: '100', side: 'buy', qty: '0.5' },
    { name: 'fixed quantity rounded down to step', sig: signal({ action: 'sell' }), sizing: fixed('0.12345'), price: '100', side: 'sell', qty: '0.123' },
    { name: 'quote amount / price', sig: signal(), sizing: quote('1000'), price: '200', side: 'buy', qty: '5' },
    { name: 'quote amount rounded down (100/3 = 33.33..)', sig: signal(), sizing: quote('100'), price: '3', side: 'buy', qty: '33.333' },
    { name: 'quote amount never rounds up (99.9999/100)', sig: signal(), sizing: quote('99.9999'), price: '100', side: 'buy', qty: '0.999' },
    { name: 'signal quantity × multiplier', sig: signal({ quantity: '0.3' }), sizing: fromSignal('2'), price: '100', side: 'buy', qty: '0.6' },
    { name: 'signal quantity × fractional multiplier, rounded', sig: signal({ quantity: '0.3333' }), sizing: fromSignal('0.5'), price: '100', side: 'buy', qty: '0.166' },
  ])('$name', ({ sig, sizing, price, side, qty }) => {
    const result = sizeOrder({ signal: sig, sizing, referencePrice: dec(price), market, position: dec(0) });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.side).toBe(side);
    expect(result.value.quantity.toFixed()).toBe(qty);
    expect(result.value.reduceOnly).toBe(false);
  });

  it.each([
    { name: 'close a long sells it all', position: '0.75', side: 'sell', qty: '0.75' },
    { name: 'close a short buys it back', position: '-2', side: 'buy', qty: '2' },
    { name: 'close leaves sub-step dust', position: '0.0015', side: 'sell', qty: '0.001' },
    { name: 'close is exempt from min notional (0.001 × 100 = 0.1 < 10)', position: '0.001', side: 'sell', qty: '0.001' },
  ])('$name', ({ position, side, qty }) => {
    const result = sizeOrder({ signal: signal({ action: 'close' }), sizing: fixed('1'), referencePrice: dec('100'), market, position: dec(position) });
    expect(result).toMatchObject({ ok: true, value: { side, reduceOnly: true } });
    if (result.ok) expect(result.value.quantity.toFixed()).toBe(qty);
  });

  it('ignores the sizing rule on close', () => {
    const result = sizeOrder({ signal: signal({ action: 'close' }), sizing: fromSignal('2'), referencePrice: dec('100'), market, position: dec('1') });
    expect(result.ok && result.value.quantity.toFixed()).toBe('1');
  });
});

describe('sizeOrder: errors', () => {
  it.each([
    {
      name: 'flat position on close',
      sig: signal({ action: 'close' }), sizing: fixed('1'), price: '100', position: '0',
      code: 'NOTHING_TO_CLOSE', message: 'no open position in BTC/USDT to close',
    },
    {
      name: 'signal_quantity without an alert quantity',
      sig: signal(), sizing: fromSignal('1.5'), price: '100', position: '0',
      code: 'MISSING_SIGNAL_QUANTITY', message: 'the alert carries no quantity, but sizing is signal_quantity (multiplier 1.5)',
    },
    {
      name: 'unparseable alert quantity',
      sig: signal({ quantity: 'lots' }), sizing: fromSignal('1'), price: '100', position: '0',
      code: 'INVALID_SIGNAL_QUANTITY', message: 'the alert quantity lots is not a positive decimal',
    },
    {
      name: 'rounds down to zero',
      sig: signal(), sizing: fixed('0.0009'), price: '100000', position: '0',
      code: 'BELOW_MIN_QUANTITY', message: 'order quantity 0.0009 rounds down to 0 at step 0.001 for BTC/USDT',
    },
    {
      name: 'below min quantity after rounding',
      sig: signal(), sizing: quote('50'), price: '20000', position: '0',
      code: 'BELOW_MIN_QUANTITY', message: 'order quantity 0.002 (0.0025 rounded down to step 0.001) is below the minimum quantity 0.005 for BTC/USDT',
      marketOver: { minQty: '0.005' },
    },
    {
      name: 'above max quantity',
      sig: signal(), sizing: fixed('150'), price: '1', position: '0',
      code: 'ABOVE_MAX_QUANTITY', message: 'order quantity 150 is above the maximum quantity 100 for BTC/USDT',
    },
    {
      name: 'above max quantity after rounding',
      sig: signal(), sizing: fixed('100.0019'), price: '1', position: '0',
      code: 'ABOVE_MAX_QUANTITY', message: 'order quantity 100.001 (100.0019 rounded down to step 0.001) is above the maximum quantity 100 for BTC/USDT',
    },
    {
      name: 'below min notional',
      sig: signal({ action: 'sell' }), sizing: fixed('0.0456'), price: '200', position: '0',
      code: 'BELOW_MIN_NOTIONAL', message: 'order notional 9 (0.045 × 200) is below the minimum notional 10 for BTC/USDT',
    },
    {
      name: 'quote amount with a zero reference price',
      sig: signal(), sizing: quote('100'), price: '0', position: '0',
      code: 'INVALID_REFERENCE_PRICE', message: 'reference price 0 must be positive to size a quote amount',
    },
    {
      name: 'invalid fixed quantity',
      sig: signal(), sizing: fixed('-1'), price: '100', position: '0',
      code: 'INVALID_SIZING', message: 'fixed quantity -1 is not a positive decimal',
    },
  ])('$name → $code', ({ sig, sizing, price, position, code, message, marketOver }) => {
    const result = sizeOrder({ signal: sig, sizing, referencePrice: dec(price), market: { ...market, ...marketOver }, position: dec(position) });
    expect(result).toEqual({ ok: false, error: { code, message } });
  });

  it('exactly at the limits is allowed (min qty, max qty, min notional)', () => {
    expect(sizeOrder({ signal: signal(), sizing: fixed('0.001'), referencePrice: dec('10000'), market, position: dec(0) }).ok).toBe(true);
    expect(sizeOrder({ signal: signal(), sizing: fixed('100'), referencePrice: dec('1'), market, position: dec(0) }).ok).toBe(true);
    expect(sizeOrder({ signal: signal(), sizing: fixed('0.05'), referencePrice: dec('200'), market, position: dec(0) }).ok).toBe(true);
  });

  it('a maxQty of 0 means no maximum', () => {
    const result = sizeOrder({ signal: signal(), sizing: fixed('1000000'), referencePrice: dec('1'), market: { ...market, maxQty: '0' }, position: dec(0) });
    expect(result.ok).toBe(true);
  });

  it('rejects markets with unparseable rules', () => {
    const result = sizeOrder({ signal: signal(), sizing: fixed('1'), referencePrice: dec('1'), market: { ...market, stepSize: 'x' }, position: dec(0) });
    expect(result.ok || result.error.code).toBe('INVALID_MARKET');
  });
});

describe('roundDownToStep', () => {
  it.each([
    ['1.23456', '0.01', '1.23'],
    ['1.239999', '0.001', '1.239'],
    ['7', '5', '5'],
    ['0.3', '0.1', '0.3'],
    ['1.5', '0', '1.5'],
  ])('%s at step %s → %s', (q, step, expected) => {
    expect(roundDownToStep(dec(q), dec(step)).toFixed()).toBe(expected);
  });
});
