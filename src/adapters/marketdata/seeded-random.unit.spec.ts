import { describe, expect, it } from 'vitest';
import { SeededRandom, deriveSeed, hashString, seedToUint32 } from './seeded-random.js';

describe('SeededRandom', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const sa = Array.from({ length: 50 }, () => a.nextUint32());
    const sb = Array.from({ length: 50 }, () => b.nextUint32());
    const sc = Array.from({ length: 50 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('accepts string seeds and derives independent seeds', () => {
    expect(seedToUint32('abc')).toBe(seedToUint32('abc'));
    expect(seedToUint32('abc')).not.toBe(seedToUint32('abd'));
    expect(deriveSeed(1, 'BTC/USDT')).not.toBe(deriveSeed(1, 'ETH/USDT'));
    expect(deriveSeed(1, 'a', 'b')).not.toBe(deriveSeed(1, 'ab'));
    expect(hashString('x')).toBe(hashString('x'));
  });

  it('next() is in [0,1) with a sane mean', () => {
    const r = new SeededRandom(7);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(sum / 20_000).toBeGreaterThan(0.48);
    expect(sum / 20_000).toBeLessThan(0.52);
  });

  it('nextInt covers the inclusive range and nothing else', () => {
    const r = new SeededRandom('range');
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const v = r.nextInt(3, 9);
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(9);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
    expect(() => r.nextInt(5, 4)).toThrow(RangeError);
  });

  it('nextGaussian is roughly standard normal and bounded', () => {
    const r = new SeededRandom(99);
    let sum = 0;
    let sq = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const z = r.nextGaussian();
      expect(Math.abs(z)).toBeLessThanOrEqual(6);
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.05);
    expect(sq / n).toBeGreaterThan(0.9);
    expect(sq / n).toBeLessThan(1.1);
  });

  it('state can be saved and resumed', () => {
    const r = new SeededRandom(5);
    r.next();
    const state = r.getState();
    const expected = [r.nextUint32(), r.nextUint32()];
    const resumed = new SeededRandom(0);
    resumed.setState(state);
    expect([resumed.nextUint32(), resumed.nextUint32()]).toEqual(expected);
  });
});
