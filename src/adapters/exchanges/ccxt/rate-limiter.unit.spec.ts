import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter, RateLimitWaitTooLong, RateLimiterDisposed, bucketFromCcxtRateLimit } from './rate-limiter.js';
import { FakeScheduler, flush } from './test-support/fake-scheduler.js';

function setup(defaultBucket?: { capacity: number; refillPerSecond: number }) {
  const scheduler = new FakeScheduler();
  const limiter = new KeyedRateLimiter({ scheduler, ...(defaultBucket ? { defaultBucket } : {}) });
  const granted: string[] = [];
  const request = (name: string, scopes: string[], options = {}) =>
    limiter.acquire(scopes, options).then(
      () => granted.push(name),
      (e: Error) => granted.push(`${name}:${e.name}`),
    );
  return { scheduler, limiter, granted, request };
}

describe('bucketFromCcxtRateLimit', () => {
  it('turns ccxt rateLimit (ms between requests) into a bucket', () => {
    expect(bucketFromCcxtRateLimit(50)).toEqual({ capacity: 20, refillPerSecond: 20 });
    expect(bucketFromCcxtRateLimit(100, 2)).toEqual({ capacity: 20, refillPerSecond: 10 });
    expect(bucketFromCcxtRateLimit(2000)).toEqual({ capacity: 1, refillPerSecond: 0.5 });
  });
});

describe('KeyedRateLimiter', () => {
  it('grants up to the capacity at once, then one per refill interval', async () => {
    const { scheduler, limiter, granted, request } = setup();
    limiter.configure('host', { capacity: 2, refillPerSecond: 10 }); // one token per 100 ms
    for (const n of ['a', 'b', 'c', 'd']) void request(n, ['host']);
    await flush();
    expect(granted).toEqual(['a', 'b']);
    await scheduler.advance(99);
    expect(granted).toEqual(['a', 'b']);
    await scheduler.advance(1);
    expect(granted).toEqual(['a', 'b', 'c']);
    await scheduler.advance(100);
    expect(granted).toEqual(['a', 'b', 'c', 'd']);
    expect(limiter.waiting).toBe(0);
    expect(scheduler.timers).toBe(0);
  });

  it('takes a token from every scope of a request: the shared host budget limits all accounts', async () => {
    const { scheduler, limiter, granted, request } = setup();
    limiter.configure('host', { capacity: 2, refillPerSecond: 1 });
    limiter.configure('acct:1', { capacity: 5, refillPerSecond: 5 });
    limiter.configure('acct:2', { capacity: 5, refillPerSecond: 5 });
    void request('1a', ['acct:1', 'host']);
    void request('2a', ['acct:2', 'host']);
    void request('1b', ['acct:1', 'host']);
    await flush();
    expect(granted).toEqual(['1a', '2a']);
    await scheduler.advance(1000);
    expect(granted).toEqual(['1a', '2a', '1b']);
  });

  it('limits one account without holding up another on the same host', async () => {
    const { scheduler, limiter, granted, request } = setup();
    limiter.configure('host', { capacity: 100, refillPerSecond: 100 });
    limiter.configure('acct:1', { capacity: 1, refillPerSecond: 1 });
    limiter.configure('acct:2', { capacity: 1, refillPerSecond: 1 });
    void request('1a', ['acct:1', 'host']);
    void request('1b', ['acct:1', 'host']); // waits on acct:1
    void request('2a', ['acct:2', 'host']); // not behind 1b: different account
    await flush();
    expect(granted).toEqual(['1a', '2a']);
    await scheduler.advance(1000);
    expect(granted).toEqual(['1a', '2a', '1b']);
  });

  it('serves waiters on a scope first-come first-served (a cheap request never overtakes)', async () => {
    const { scheduler, limiter, granted, request } = setup();
    limiter.configure('host', { capacity: 4, refillPerSecond: 1 });
    void request('big', ['host'], { cost: 4 });
    void request('big2', ['host'], { cost: 3 });
    void request('small', ['host'], { cost: 1 });
    await flush();
    expect(granted).toEqual(['big']);
    await scheduler.advance(2000);
    expect(granted).toEqual(['big']); // 2 tokens: enough for 'small', but 'big2' is first
    await scheduler.advance(1000);
    expect(granted).toEqual(['big', 'big2']);
    await scheduler.advance(1000);
    expect(granted).toEqual(['big', 'big2', 'small']);
  });

  it('caps a cost above the capacity at the capacity (it would never be granted otherwise)', async () => {
    const { limiter, granted, request } = setup();
    limiter.configure('host', { capacity: 2, refillPerSecond: 1 });
    void request('huge', ['host'], { cost: 10 });
    await flush();
    expect(granted).toEqual(['huge']);
  });

  it('penalty box: nothing to the scope until Retry-After has passed, then the bucket resumes', async () => {
    const { scheduler, limiter, granted, request } = setup();
    limiter.configure('host', { capacity: 10, refillPerSecond: 10 });
    limiter.penalize('host', 5000);
    expect(limiter.penaltyRemaining('host')).toBe(5000);
    void request('a', ['acct:1', 'host']);
    void request('b', ['acct:2', 'host']);
    await scheduler.advance(4999);
    expect(granted).toEqual([]);
    await scheduler.advance(1);
    expect(granted).toEqual(['a', 'b']);
    expect(limiter.penaltyRemaining('host')).toBe(0);
  });

  it('a penalty is extended, never shortened', async () => {
    const { scheduler, limiter } = setup();
    limiter.penalize('host', 5000);
    limiter.penalize('host', 1000);
    expect(limiter.penaltyRemaining('host')).toBe(5000);
    await scheduler.advance(1000);
    limiter.penalize('host', 10_000);
    expect(limiter.penaltyRemaining('host')).toBe(10_000);
  });

  it('a penalty applies to an unconfigured scope too', async () => {
    const { scheduler, limiter, granted, request } = setup();
    limiter.penalize('host', 300);
    void request('a', ['host']);
    await scheduler.advance(299);
    expect(granted).toEqual([]);
    await scheduler.advance(1);
    expect(granted).toEqual(['a']);
  });

  it('refuses at once when the wait would exceed maxWaitMs (penalty or queue)', async () => {
    const { scheduler, limiter, granted, request } = setup();
    limiter.penalize('host', 120_000); // a 418 ban
    await request('order', ['host'], { maxWaitMs: 10_000 });
    expect(granted).toEqual(['order:RateLimitWaitTooLong']);
    await expect(limiter.acquire(['host'], { maxWaitMs: 1000 })).rejects.toMatchObject({ waitMs: 120_000, scope: 'host' });
    expect(limiter.waiting).toBe(0);
    await scheduler.advance(120_000);
    await request('later', ['host'], { maxWaitMs: 0 });
    expect(granted).toEqual(['order:RateLimitWaitTooLong', 'later']);
  });

  it('counts the queue ahead when estimating the wait', async () => {
    const { limiter, granted, request } = setup();
    limiter.configure('host', { capacity: 1, refillPerSecond: 1 });
    void request('a', ['host']);
    void request('b', ['host']);
    void request('c', ['host']);
    await flush();
    const error = await limiter.acquire(['host'], { maxWaitMs: 2500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitWaitTooLong);
    expect((error as RateLimitWaitTooLong).waitMs).toBe(3000);
    expect(granted).toEqual(['a']);
  });

  it('rejects a waiter whose deadline a later penalty makes unreachable', async () => {
    const { scheduler, limiter, granted, request } = setup();
    limiter.configure('host', { capacity: 1, refillPerSecond: 1 });
    void request('a', ['host']);
    void request('b', ['host'], { maxWaitMs: 5000 });
    await flush();
    limiter.penalize('host', 60_000);
    await scheduler.advance(1);
    expect(granted).toEqual(['a', 'b:RateLimitWaitTooLong']);
  });

  it('uses the default bucket for scopes nobody configured', async () => {
    const { scheduler, granted, request } = setup({ capacity: 1, refillPerSecond: 2 });
    void request('a', ['x']);
    void request('b', ['x']);
    await flush();
    expect(granted).toEqual(['a']);
    await scheduler.advance(500);
    expect(granted).toEqual(['a', 'b']);
  });

  it('reconfiguring keeps the tokens, capped at the new capacity', async () => {
    const { scheduler, limiter, granted, request } = setup();
    limiter.configure('host', { capacity: 10, refillPerSecond: 1 });
    limiter.configure('host', { capacity: 1, refillPerSecond: 1 });
    void request('a', ['host']);
    void request('b', ['host']);
    await flush();
    expect(granted).toEqual(['a']);
    await scheduler.advance(1000);
    expect(granted).toEqual(['a', 'b']);
    expect(() => limiter.configure('host', { capacity: 0, refillPerSecond: 1 })).toThrow(RangeError);
  });

  it('dispose rejects the waiters and later requests', async () => {
    const { limiter, granted, request } = setup();
    limiter.configure('host', { capacity: 1, refillPerSecond: 1 });
    void request('a', ['host']);
    const b = request('b', ['host']);
    await flush();
    limiter.dispose();
    await b;
    expect(granted).toEqual(['a', 'b:RateLimiterDisposed']);
    await expect(limiter.acquire(['host'])).rejects.toBeInstanceOf(RateLimiterDisposed);
  });
});
