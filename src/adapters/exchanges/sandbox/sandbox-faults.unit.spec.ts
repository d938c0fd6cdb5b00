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
