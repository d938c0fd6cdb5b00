import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { alertTarget, targetOrder, type TargetInput } from './target-position.js';
import { sizeOrder, type MarketRules } from './size-order.js';
import type { NormalizedSignal } from '../signals/signal.js';
import { Dec, dec } from '../shared/decimal.js';

const signal = (over: Partial<NormalizedSignal> = {}): NormalizedSignal => ({ action: 'buy', ticker: 'BYBIT:BTCUSDT.P', symbol: 'BTC/USDT:USDT', ...over });
const order = (over: Partial<TargetInput> & { target?: string; mp?: 'long' | 'short' | 'flat' }) => targetOrder({
  signal: signal({ ...(over.target !== undefined ? { targetPosition: over.target } : {}), ...(over.mp ? { marketPosition: over.mp } : {}) }),
  multiplier: '1', position: dec(0), step: dec('0.001'), symbol: 'BTC/USDT:USDT', derivative: true, ...over,
});
const shown = (r: ReturnType<typeof targetOrder>) => (r.ok ? [r.value.side, r.value.quantity.toFixed(), r.value.reduceOnly] : r.error.code);

describe('alertTarget', () => {
  it.each([
    [{ targetPosition: '0.02' }, '0.02'],
    [{ targetPosition: '-0.02' }, '-0.02'],
    [{ targetPosition: '0.02', marketPosition: 'short' as const }, '-0.02'],
    [{ targetPosition: '-0.02', marketPosition: 'long' as const }, '0.02'],
    [{ targetPosition: '0.02', marketPosition: 'flat' as const }, '0'],
    [{ marketPosition: 'flat' as const }, '0'],
  ])('%j -> %s', (s, out) => expect(alertTarget(s)?.toFixed()).toBe(out));
  it('a side without a size is not a target', () => expect(alertTarget({ marketPosition: 'long' })).toBeUndefined());
});

describe('targetOrder', () => {
  it.each([
    { name: 'flip from short 0.01 to long 0.02 buys 0.03 in one order (not reduce-only)', position: '-0.01', target: '0.02', out: ['buy', '0.03', false] },
    { name: 'flip from long to short sells through zero', position: '0.02', target: '-0.01', out: ['sell', '0.03', false] },
    { name: 'flat closes, reduce-only', position: '0.02', target: '0', out: ['sell', '0.02', true] },
    { name: 'market_position flat closes a short', position: '-0.5', mp: 'flat' as const, out: ['buy', '0.5', true] },
    { name: 'a smaller long reduces', position: '0.05', target: '0.02', out: ['sell', '0.03', true] },
    { name: 'a larger long adds', position: '0.01', target: '0.02', out: ['buy', '0.01', false] },
    { name: 'already at target', position: '0.02', target: '0.02', out: 'ALREADY_AT_TARGET' },
    { name: 'at target after rounding to the step', position: '0.02', target: '0.0204', out: 'ALREADY_AT_TARGET' },
    { name: 'no target in the alert', position: '0', out: 'MISSING_TARGET_POSITION' },
    { name: 'the multiplier scales the target', position: '0', target: '2', multiplier: '0.01', out: ['buy', '0.02', false] },
  ])('$name', ({ position, target, mp, out, multiplier }) => {
    expect(shown(order({ position: dec(position), ...(target !== undefined ? { target } : {}), ...(mp ? { mp } : {}), ...(multiplier ? { multiplier } : {}) }))).toEqual(out);
  });

  it('a spot market cannot go short: a negative target is refused, a flat one still closes the long', () => {
    expect(shown(order({ position: dec('0.02'), target: '-0.01', derivative: false }))).toBe('SPOT_CANNOT_SHORT');
    expect(shown(order({ position: dec('0.02'), target: '0', derivative: false }))).toEqual(['sell', '0.02', true]);
  });

  it('property: the order brings the position to the target at the step, never past it', () => {
    const steps = ['1', '0.1', '0.001', '0.00001', '5'].map((s) => new Dec(s));
    fc.assert(fc.property(
      fc.constantFrom(...steps), fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: 0, max: 9 }), fc.boolean(),
      (step, positionUnits, targetMilli, dust, onGrid) => {
        const position = step.times(positionUnits).plus(onGrid ? 0 : step.times(dust).dividedBy(10));
        const target = new Dec(targetMilli).dividedBy(1000).times(step.times(7));
        const atStep = target.dividedBy(step).truncated().times(step); // toward zero: never more exposure than asked
        const result = targetOrder({ signal: signal({ targetPosition: target.toFixed() }), multiplier: '1', position, step, symbol: 'X/USDT:USDT', derivative: true });
        if (!result.ok) {
          expect(result.error.code).toBe('ALREADY_AT_TARGET');
          expect(atStep.minus(position).abs().lessThan(step)).toBe(true);
          return;
        }
        const after = result.value.side === 'buy' ? position.plus(result.value.quantity) : position.minus(result.value.quantity);
        // on the step
        expect(result.value.quantity.dividedBy(step).isInteger()).toBe(true);
        // never overshoots: the position after lies between the position before and the target at the step
        const lo = Dec.min(position, atStep);
        const hi = Dec.max(position, atStep);
        expect(after.greaterThanOrEqualTo(lo) && after.lessThanOrEqualTo(hi)).toBe(true);
        // from a position on the grid, it lands exactly on the target rounded toward zero
        if (onGrid || dust === 0) expect(after.equals(atStep)).toBe(true);
        expect(after.minus(atStep).abs().lessThan(step)).toBe(true);
        // reduce-only exactly when it does not cross or grow
        const reduces = !position.isZero() && after.abs().lessThan(position.abs()) && (after.isZero() || after.isNegative() === position.isNegative());
        expect(result.value.reduceOnly).toBe(reduces);
      },
    ), { numRuns: 500 });
  });
});

describe('sizeOrder with target_position sizing', () => {
  const futures: MarketRules = { symbol: 'BTC/USDT:USDT', tickSize: '0.1', stepSize: '0.001', minQty: '0.001', maxQty: '100', minNotional: '5' };
  it('sizes the flip and checks the market limits on it', () => {
    const r = sizeOrder({ signal: signal({ targetPosition: '0.02' }), sizing: { kind: 'target_position', multiplier: '1' }, referencePrice: dec('100000'), market: futures, position: dec('-0.01') });
    expect(r.ok && [r.value.side, r.value.quantity.toFixed(), r.value.reduceOnly]).toEqual(['buy', '0.03', false]);
    const spot = sizeOrder({ signal: signal({ targetPosition: '-0.02', symbol: 'BTC/USDT' }), sizing: { kind: 'target_position', multiplier: '1' }, referencePrice: dec('100000'), market: { ...futures, symbol: 'BTC/USDT' }, position: dec('0') });
    expect(spot).toMatchObject({ ok: false, error: { code: 'SPOT_CANNOT_SHORT' } });
  });
  it('a close alert stays a side-aware close under target sizing', () => {
    const r = sizeOrder({ signal: signal({ action: 'close', closeSide: 'short' }), sizing: { kind: 'target_position', multiplier: '1' }, referencePrice: dec('100000'), market: futures, position: dec('0.02') });
    expect(r).toMatchObject({ ok: false, error: { code: 'NO_SHORT_TO_CLOSE' } });
  });
});
