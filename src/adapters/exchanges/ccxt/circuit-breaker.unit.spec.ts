import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitBreakers, type BreakerPermit, type BreakerStateChange } from './circuit-breaker.js';

function setup(failureThreshold = 3, coolDownMs = 10_000) {
  let now = 1_000;
  const breaker = new CircuitBreaker('binance', { failureThreshold, coolDownMs, now: () => now });
  const changes: BreakerStateChange[] = [];
  breaker.onStateChange((c) => changes.push(c));
  const advance = (ms: number) => {
    now += ms;
  };
  return { breaker, changes, advance };
}

function ok(permit: BreakerPermit) {
  if (!permit.ok) throw new Error(`refused: ${permit.reason}`);
  return permit;
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold; a success resets the count', () => {
    const { breaker } = setup(3);
    ok(breaker.tryAcquire()).done('failure', 'timeout');
    ok(breaker.tryAcquire()).done('failure', 'timeout');
    ok(breaker.tryAcquire()).done('success');
    ok(breaker.tryAcquire()).done('failure', 'timeout');
    ok(breaker.tryAcquire()).done('failure', 'timeout');
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
  });

  it('opens after N consecutive failures and refuses at once with CIRCUIT_OPEN', () => {
    const { breaker, changes } = setup(3, 10_000);
    for (let i = 0; i < 3; i++) ok(breaker.tryAcquire()).done('failure', '503 Service Unavailable');
    expect(breaker.state).toBe('open');
    expect(changes).toEqual([{ key: 'binance', from: 'closed', to: 'open', at: 1_000, reason: '3 consecutive failures, last: 503 Service Unavailable' }]);
    const refused = breaker.tryAcquire();
    expect(refused).toMatchObject({ ok: false, code: 'CIRCUIT_OPEN', retryInMs: 10_000 });
    expect(!refused.ok && refused.reason).toContain('503 Service Unavailable');
    expect(breaker.snapshot()).toMatchObject({ state: 'open', openedAt: 1_000, probeAt: 11_000, lastFailure: '503 Service Unavailable' });
  });

  it('neutral outcomes (clock, auth) neither count nor reset', () => {
    const { breaker } = setup(2);
    ok(breaker.tryAcquire()).done('failure');
    ok(breaker.tryAcquire()).done('neutral');
    expect(breaker.snapshot().consecutiveFailures).toBe(1);
    ok(breaker.tryAcquire()).done('failure');
    expect(breaker.state).toBe('open');
  });

  it('after the cool-down lets exactly one probe through; its success closes it', () => {
    const { breaker, changes, advance } = setup(1, 10_000);
    ok(breaker.tryAcquire()).done('failure');
    advance(9_999);
    expect(breaker.tryAcquire()).toMatchObject({ ok: false, retryInMs: 1 });
    advance(1);
    expect(breaker.state).toBe('half_open');
    const probe = ok(breaker.tryAcquire());
    expect(breaker.tryAcquire()).toMatchObject({ ok: false, code: 'CIRCUIT_OPEN', retryInMs: 0 });
    probe.done('success');
    expect(breaker.state).toBe('closed');
    expect(changes.map((c) => `${c.from}>${c.to}`)).toEqual(['closed>open', 'open>half_open', 'half_open>closed']);
    ok(breaker.tryAcquire());
    ok(breaker.tryAcquire());
  });

  it('a failed probe opens it for another cool-down', () => {
    const { breaker, advance } = setup(1, 10_000);
    ok(breaker.tryAcquire()).done('failure');
    advance(10_000);
    ok(breaker.tryAcquire()).done('failure', 'timeout again');
    expect(breaker.snapshot()).toMatchObject({ state: 'open', openedAt: 11_000, probeAt: 21_000 });
    advance(9_999);
    expect(breaker.tryAcquire().ok).toBe(false);
  });

  it('a neutral probe leaves it half-open and lets the next probe through', () => {
    const { breaker, advance } = setup(1, 10_000);
    ok(breaker.tryAcquire()).done('failure');
    advance(10_000);
    ok(breaker.tryAcquire()).done('neutral');
    expect(breaker.state).toBe('half_open');
    ok(breaker.tryAcquire()).done('success');
    expect(breaker.state).toBe('closed');
  });

  it('reports a permit only once, and ignores permits from before the last state change', () => {
    const { breaker } = setup(2, 10_000);
    const slow = ok(breaker.tryAcquire());
    const a = ok(breaker.tryAcquire());
    a.done('failure');
    a.done('failure');
    expect(breaker.snapshot().consecutiveFailures).toBe(1);
    ok(breaker.tryAcquire()).done('failure');
    expect(breaker.state).toBe('open');
    slow.done('success'); // sent before it opened: says nothing about now
    expect(breaker.state).toBe('open');
  });

  it('record() counts un-gated calls only while closed', () => {
    const { breaker, advance } = setup(2, 10_000);
    breaker.record('failure', 'lookup timeout');
    breaker.record('failure', 'lookup timeout');
    expect(breaker.state).toBe('open');
    breaker.record('success');
    expect(breaker.state).toBe('open');
    advance(10_000);
    breaker.record('success');
    expect(breaker.state).toBe('half_open');
  });

  it('reset() closes it by hand; listener errors do not break it', () => {
    const { breaker } = setup(1);
    breaker.onStateChange(() => {
      throw new Error('listener bug');
    });
    ok(breaker.tryAcquire()).done('failure');
    expect(breaker.state).toBe('open');
    breaker.reset('operator');
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('an unsubscribed listener hears nothing', () => {
    const { breaker } = setup(1);
    const heard: string[] = [];
    const off = breaker.onStateChange((c) => heard.push(c.to));
    off();
    ok(breaker.tryAcquire()).done('failure');
    expect(heard).toEqual([]);
  });
});

describe('CircuitBreakers', () => {
  it('keeps one breaker per exchange and forwards every change to its listeners', () => {
    const now = 0;
    const breakers = new CircuitBreakers({ failureThreshold: 1, now: () => now });
    const heard: string[] = [];
    breakers.onStateChange((c) => heard.push(`${c.key}:${c.to}`));
    expect(breakers.get('binance')).toBe(breakers.get('binance'));
    ok(breakers.get('bybit').tryAcquire()).done('failure');
    expect(heard).toEqual(['bybit:open']);
    expect(breakers.snapshots().map((s) => [s.key, s.state])).toEqual([
      ['binance', 'closed'],
      ['bybit', 'open'],
    ]);
  });
});
