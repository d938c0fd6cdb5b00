import { describe, expect, it } from 'vitest';
import { limitPriceFor, roundToTick } from './limit-price.js';
import { dec } from '../shared/decimal.js';

const market = { symbol: 'BTC/USDT', tickSize: '0.5' };

describe('limitPriceFor', () => {
  it('market template → undefined', () => {
    expect(limitPriceFor({ type: 'market' }, 'buy', dec('100'), market, dec('99'))).toBeUndefined();
  });

  it.each([
    { side: 'buy', ref: '100', bps: '10', expected: '99.5' }, // 99.9 rounded down
    { side: 'sell', ref: '100', bps: '10', expected: '100.5' }, // 100.1 rounded up
    { side: 'buy', ref: '20000', bps: '25', expected: '19950' }, // exactly on tick
    { side: 'sell', ref: '20000', bps: '25', expected: '20050' },
    { side: 'buy', ref: '100.3', bps: '0', expected: '100' },
    { side: 'sell', ref: '100.3', bps: '0', expected: '100.5' },
    { side: 'buy', ref: '100', bps: '-50', expected: '100.5' }, // negative offset crosses the spread
  ] as const)('limit $side at $ref with $bps bps → $expected', ({ side, ref, bps, expected }) => {
    expect(limitPriceFor({ type: 'limit', offsetBps: bps }, side, dec(ref), market)?.toFixed()).toBe(expected);
  });

  it('uses the signal limit price when given, rounded passively to the tick', () => {
    expect(limitPriceFor({ type: 'limit', offsetBps: '100' }, 'buy', dec('100'), market, dec('97.3'))?.toFixed()).toBe('97');
    expect(limitPriceFor({ type: 'limit', offsetBps: '100' }, 'sell', dec('100'), market, dec('103.2'))?.toFixed()).toBe('103.5');
    expect(limitPriceFor({ type: 'limit', offsetBps: '100' }, 'sell', dec('100'), market, dec('103'))?.toFixed()).toBe('103');
  });

  it('throws on an invalid offset (validated configuration)', () => {
    expect(() => limitPriceFor({ type: 'limit', offsetBps: 'abc' }, 'buy', dec('100'), market)).toThrow(/offsetBps/);
  });
});

describe('roundToTick', () => {
  it('leaves the price alone with a zero tick', () => {
    expect(roundToTick(dec('1.23456'), 'buy', dec(0)).toFixed()).toBe('1.23456');
  });
  it('handles small ticks exactly', () => {
    expect(roundToTick(dec('0.123456'), 'buy', dec('0.0001')).toFixed()).toBe('0.1234');
    expect(roundToTick(dec('0.123456'), 'sell', dec('0.0001')).toFixed()).toBe('0.1235');
  });
});
