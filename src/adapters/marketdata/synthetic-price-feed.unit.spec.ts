import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PriceTick } from '../../application/ports/price-feed.js';
import { Dec } from '../../domain/shared/decimal.js';
import { PAPER_MARKETS } from '../exchanges/paper/markets.js';
import { SyntheticPriceFeed } from './synthetic-price-feed.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const fixedClock = { now: () => T0 };

function run(seed: number, steps: number): string[] {
  const feed = new SyntheticPriceFeed({ clock: fixedClock, seed });
  const out: string[] = [];
  feed.subscribe((t) => out.push(`${t.symbol}=${t.price}`));
  for (let i = 0; i < steps; i++) feed.step();
  return out;
}

describe('SyntheticPriceFeed', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('has realistic initial prices immediately after construction', () => {
    const feed = new SyntheticPriceFeed({ clock: fixedClock, seed: 1 });
    expect(feed.symbols()).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    expect(feed.latest('BTC/USDT')).toEqual({ symbol: 'BTC/USDT', price: '97000', time: '2025-01-01T00:00:00.000Z' });
    expect(feed.latest('ETH/USDT')?.price).toBe('3400');
    expect(feed.latest('SOL/USDT')?.price).toBe('190');
    expect(feed.latest('DOGE/USDT')).toBeUndefined();
  });

  it('is deterministic per seed', () => {
    const a = run(11, 200);
    expect(a).toHaveLength(600);
    expect(run(11, 200)).toEqual(a);
    expect(run(12, 200)).not.toEqual(a);
  });

  it('a symbol path does not depend on which other markets are listed', () => {
    const all = new SyntheticPriceFeed({ clock: fixedClock, seed: 3 });
    const solo = new SyntheticPriceFeed({ clock: fixedClock, seed: 3, markets: PAPER_MARKETS.filter((m) => m.symbol === 'ETH/USDT') });
    for (let i = 0; i < 50; i++) {
      all.step();
      solo.step();
    }
    expect(solo.latest('ETH/USDT')).toEqual(all.latest('ETH/USDT'));
  });

  it('emits decimal strings on the tick grid with modest moves and the clock time', () => {
    let now = T0;
    const feed = new SyntheticPriceFeed({ clock: { now: () => now }, seed: 5 });
    const ticks: PriceTick[] = [];
    feed.subscribe((t) => ticks.push(t));
    const prev = new Map<string, Dec>();
    for (const s of feed.symbols()) prev.set(s, new Dec(feed.latest(s)!.price));
    for (let i = 0; i < 500; i++) {
      now += 250;
      feed.step();
    }
    expect(ticks).toHaveLength(1500);
    for (const t of ticks) {
      expect(t.price).toMatch(/^\d+(\.\d{1,2})?$/);
      const p = new Dec(t.price);
      expect(p.modulo('0.01').isZero()).toBe(true);
      const move = p.minus(prev.get(t.symbol)!).abs().dividedBy(prev.get(t.symbol)!);
      expect(move.lessThan('0.002')).toBe(true); // < 20 bps per tick
      prev.set(t.symbol, p);
    }
    expect(ticks.at(-1)!.time).toBe(new Date(T0 + 500 * 250).toISOString());
    // the walk moves
    expect(new Set(ticks.filter((t) => t.symbol === 'BTC/USDT').map((t) => t.price)).size).toBeGreaterThan(100);
    // and stays in a plausible band after 500 ticks
    const btc = new Dec(feed.latest('BTC/USDT')!.price);
    expect(btc.greaterThan(90_000) && btc.lessThan(104_000)).toBe(true);
  });

  it('setPrice forces a tick-rounded price and emits it synchronously', () => {
    const feed = new SyntheticPriceFeed({ clock: fixedClock, seed: 1 });
    const ticks: PriceTick[] = [];
    const off = feed.subscribe((t) => ticks.push(t));
    const tick = feed.setPrice('BTC/USDT', '95000.123');
    expect(tick.price).toBe('95000.12');
    expect(ticks).toEqual([tick]);
    expect(feed.latest('BTC/USDT')).toEqual(tick);
    feed.step();
    expect(new Dec(feed.latest('BTC/USDT')!.price).minus(95000).abs().lessThan(100)).toBe(true);
    off();
    feed.step();
    expect(ticks).toHaveLength(4);
    expect(() => feed.setPrice('NOPE/USDT', '1')).toThrow(/unknown symbol/);
    expect(() => feed.setPrice('BTC/USDT', '0')).toThrow();
    expect(() => feed.setPrice('BTC/USDT', 'abc')).toThrow();
  });

  it('a throwing subscriber does not stop the others', () => {
    const errors: unknown[] = [];
    const feed = new SyntheticPriceFeed({ clock: fixedClock, seed: 1, onListenerError: (e) => errors.push(e) });
    const seen: string[] = [];
    feed.subscribe(() => {
      throw new Error('boom');
    });
    feed.subscribe((t) => seen.push(t.symbol));
    feed.step();
    expect(seen).toHaveLength(3);
    expect(errors).toHaveLength(3);
  });

  it('start() ticks on an unref-ed timer, stop() stops it', () => {
    vi.useFakeTimers();
    const feed = new SyntheticPriceFeed({ clock: fixedClock, seed: 1, intervalMs: 100 });
    let n = 0;
    feed.subscribe(() => n++);
    feed.start();
    feed.start(); // idempotent
    expect(feed.running).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(n).toBe(30);
    feed.stop();
    vi.advanceTimersByTime(1000);
    expect(n).toBe(30);
    expect(feed.running).toBe(false);
  });

  it('honours custom start prices and volatility', () => {
    const flat = new SyntheticPriceFeed({ clock: fixedClock, seed: 1, startPrices: { 'BTC/USDT': '50000.005' }, volatilityBps: 0 });
    expect(flat.latest('BTC/USDT')!.price).toBe('50000.01');
    for (let i = 0; i < 10; i++) flat.step();
    expect(flat.latest('BTC/USDT')!.price).toBe('50000.01');
    expect(() => new SyntheticPriceFeed({ clock: fixedClock, startPrices: { 'BTC/USDT': '-1' } })).toThrow();
  });
});
