import { describe, expect, it } from 'vitest';
import { FaultSpecError, parseFault } from './fault-spec.js';
import { SandboxFaults } from './sandbox-faults.js';

function setup() {
  const clock = { t: 1_000_000, now() { return this.t; } };
  let drops = 0;
  const faults = new SandboxFaults(clock, () => ++drops);
  return { clock, faults, drops: () => drops };
}

describe('parseFault', () => {
  it('accepts every kind and rejects malformed faults with a reason', () => {
    expect(parseFault({ kind: 'latency', ms: 10, times: 2 })).toEqual({ kind: 'latency', ms: 10, times: 2 });
    expect(parseFault({ kind: 'http_error', status: 504, when: 'after', body: 'gateway' })).toMatchObject({ status: 504, when: 'after', body: 'gateway' });
    expect(parseFault({ kind: 'invisible', seconds: 0.5 })).toEqual({ kind: 'invisible', seconds: 0.5 });
    expect(parseFault({ kind: 'duplicate', placeOrder: true, forMs: 100 })).toEqual({ kind: 'duplicate', placeOrder: true, forMs: 100 });
    for (const bad of [
      null,
      [],
      { kind: 'meteor' },
      { kind: 'latency' },
      { kind: 'latency', ms: -1 },
      { kind: 'http_error', status: 501 },
      { kind: 'http_error', status: 500, when: 'during' },
      { kind: 'timeout', mode: 'explode' },
      { kind: 'rate_limit', retryAfterSeconds: 0 },
      { kind: 'duplicate', placeOrder: 'yes' },
      { kind: 'latency', ms: 1, times: 0 },
      { kind: 'latency', ms: 1, method: 'PATCH' },
    ]) {
      expect(() => parseFault(bad), JSON.stringify(bad)).toThrow(FaultSpecError);
    }
  });
});

describe('SandboxFaults', () => {
  it('applies a fault to the next `times` matching requests, in FIFO order, within its default scope', () => {
    const { faults } = setup();
    faults.inject({ kind: 'http_error', status: 500, times: 2 });
    faults.inject({ kind: 'http_error', status: 503 });
    expect(faults.take('http_error', 'GET', '/api/v3/order')).toBeUndefined(); // default scope: POST /api/v3/order
    expect(faults.take('http_error', 'POST', '/api/v3/order')?.status).toBe(500);
    expect(faults.take('latency', 'POST', '/api/v3/order')).toBeUndefined();
    expect(faults.take('http_error', 'POST', '/api/v3/order')?.status).toBe(500);
    expect(faults.take('http_error', 'POST', '/api/v3/order')?.status).toBe(503);
    expect(faults.take('http_error', 'POST', '/api/v3/order')).toBeUndefined();
    expect(faults.pending()).toEqual([]);
  });

  it('honours method/path, predicates, durations on the sandbox clock, removal and clear', () => {
    const { faults, clock } = setup();
    const id = faults.inject({ kind: 'latency', ms: 5, forMs: 1000, path: '/api/v3/account' });
    faults.inject({ kind: 'http_error', status: 504, when: 'after' });
    expect(faults.take('latency', 'GET', '/api/v3/time')).toBeUndefined();
    expect(faults.take('latency', 'GET', '/api/v3/account')?.ms).toBe(5);
    expect(faults.take('latency', 'GET', '/api/v3/account')?.ms).toBe(5);
    expect(faults.take('http_error', 'POST', '/api/v3/order', (f) => f.when !== 'after')).toBeUndefined();
    expect(faults.pending().map((p) => [p.id, p.remaining, p.expiresAt])).toEqual([
      [id, undefined, 1_001_000],
      ['fault-2', 1, undefined],
    ]);
    clock.t += 1000;
    expect(faults.take('latency', 'GET', '/api/v3/account')).toBeUndefined();
    expect(faults.remove('fault-2')).toBe(true);
    expect(faults.remove('fault-2')).toBe(false);
    faults.inject({ kind: 'duplicate' });
    faults.clear();
    expect(faults.pending()).toEqual([]);
  });

  it('turns requests inside a 429 back-off window into a 418 ban that ends on the clock', () => {
    const { faults, clock } = setup();
    expect(faults.banFor()).toBeUndefined();
    faults.startBackoff(2, 10);
    clock.t += 1000;
    expect(faults.banFor()).toBe(1_011_000);
    clock.t += 5000; // past the back-off, still banned
    expect(faults.banFor()).toBe(1_011_000);
    clock.t = 1_011_000;
    expect(faults.banFor()).toBeUndefined();

    faults.startBackoff(2, 10);
    clock.t += 2000; // the client waited out Retry-After
    expect(faults.banFor()).toBeUndefined();
    faults.startBackoff(2, 10);
    faults.clear();
    expect(faults.banFor()).toBeUndefined();
  });

  it('drops user-data streams through the server hook', () => {
    const { faults, drops } = setup();
    expect(faults.dropUserDataStreams()).toBe(1);
    expect(drops()).toBe(1);
  });
});

describe('market-data faults', () => {
  function marketSetup() {
    const clock = { t: 1_000_000, now() { return this.t; } };
    const open = [3, 5, 8];
    const calls: string[] = [];
    const faults = new SandboxFaults(clock, () => 0, {
      select: (choice) => (choice.connection !== undefined ? [choice.connection] : choice.count !== undefined ? open.slice(0, choice.count) : 'all'),
      drop: (choice) => {
        calls.push(`drop ${JSON.stringify(choice)}`);
        return choice.connection !== undefined ? 1 : open.length;
      },
      jump: (symbol, pct) => {
        if (symbol !== 'BTC/USDT') throw new RangeError('symbol must be a listed market');
        calls.push(`jump ${symbol} ${pct}`);
      },
    });
    return { clock, faults, calls };
  }

  it('validates the market fault kinds', () => {
    expect(parseFault({ kind: 'silence_market_streams', connection: 2, forMs: 500 })).toEqual({ kind: 'silence_market_streams', connection: 2, forMs: 500 });
    expect(parseFault({ kind: 'silence_market_streams', untilCleared: true })).toEqual({ kind: 'silence_market_streams', untilCleared: true });
    expect(parseFault({ kind: 'drop_market_streams', count: 1 })).toEqual({ kind: 'drop_market_streams', count: 1 });
    expect(parseFault({ kind: 'price_jump', symbol: 'BTC/USDT', pct: -40 })).toEqual({ kind: 'price_jump', symbol: 'BTC/USDT', pct: -40 });
    for (const bad of [
      { kind: 'silence_market_streams', connection: 0 },
      { kind: 'silence_market_streams', connection: 1, count: 1 },
      { kind: 'silence_market_streams', forMs: 10, untilCleared: true },
      { kind: 'drop_market_streams', count: 1.5 },
      { kind: 'price_jump', symbol: 'BTC/USDT', pct: -100 },
      { kind: 'price_jump', symbol: 'BTC/USDT', pct: 0 },
      { kind: 'price_jump', pct: 5 },
    ]) {
      expect(() => parseFault(bad), JSON.stringify(bad)).toThrow(FaultSpecError);
    }
  });

  it('a silence picks its connections when injected and lasts until removed, cleared or expired', () => {
    const { clock, faults } = marketSetup();
    expect(faults.silencedNow()(3)).toBe(false);
    const oldest = faults.inject({ kind: 'silence_market_streams', count: 2 });
    expect(faults.pending()).toEqual([expect.objectContaining({ id: oldest, connections: [3, 5] })]);
    expect([3, 5, 8, 9].map(faults.silencedNow())).toEqual([true, true, false, false]);
    expect(faults.remove(oldest)).toBe(true);
    expect(faults.silencedNow()(3)).toBe(false);

    faults.inject({ kind: 'silence_market_streams', forMs: 1000 });
    expect(faults.silencedNow()(99)).toBe(true); // 'all' covers later connections
    clock.t += 1000;
    expect(faults.silencedNow()(99)).toBe(false);
    faults.silenceMarketStreams({ connection: 8 });
    expect([5, 8].map(faults.silencedNow())).toEqual([false, true]);
    faults.clear();
    expect(faults.silencedNow()(8)).toBe(false);
    expect(faults.take('latency', 'GET', '/api/v3/ping')).toBeUndefined(); // silences never match requests
  });

  it('drops and price jumps act at once and leave nothing pending; an unknown symbol is a FaultSpecError', () => {
    const { faults, calls } = marketSetup();
    faults.inject({ kind: 'drop_market_streams', connection: 5 });
    expect(faults.dropMarketStreams()).toBe(3);
    faults.inject({ kind: 'price_jump', symbol: 'BTC/USDT', pct: 40 });
    expect(() => faults.inject({ kind: 'price_jump', symbol: 'NOPE', pct: 40 })).toThrow(FaultSpecError);
    expect(calls).toEqual(['drop {"kind":"drop_market_streams","connection":5}', 'drop {}', 'jump BTC/USDT 40']);
    expect(faults.pending()).toEqual([]);
  });

  it('without market streams, market faults are refused', () => {
    const { faults } = setup();
    expect(() => faults.inject({ kind: 'drop_market_streams' })).toThrow(FaultSpecError);
  });
});
