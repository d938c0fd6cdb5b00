import type { Scheduler, TimerHandle } from './scheduler.js';

/** A token bucket: up to `capacity` requests at once, refilled at `refillPerSecond`. */
export interface BucketConfig {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

/**
 * A bucket from ccxt's `rateLimit` (milliseconds between two requests of weight 1):
 * refill 1000 / rateLimit per second, with `burstSeconds` worth of requests as capacity.
 */
export function bucketFromCcxtRateLimit(rateLimitMs: number, burstSeconds = 1): BucketConfig {
  const perSecond = rateLimitMs > 0 ? 1000 / rateLimitMs : 1000;
  return { capacity: Math.max(1, Math.floor(perSecond * burstSeconds)), refillPerSecond: perSecond };
}

/** Thrown by `acquire` when the permit would take longer than the caller's `maxWaitMs`. Nothing was sent. */
export class RateLimitWaitTooLong extends Error {
  constructor(
    readonly waitMs: number,
    readonly scope: string,
  ) {
    super(`rate limit: ${scope} would need a wait of ${Math.ceil(waitMs)} ms`);
    this.name = 'RateLimitWaitTooLong';
  }
}

export class RateLimiterDisposed extends Error {
  constructor() {
    super('rate limiter disposed');
    this.name = 'RateLimiterDisposed';
  }
}

export interface AcquireOptions {
  /** tokens to take from every scope (default 1; capped at a bucket's capacity) */
  readonly cost?: number;
  /** refuse at once, or as soon as it becomes clear, when the wait would exceed this */
  readonly maxWaitMs?: number;
}

export interface RateLimiterOptions {
  readonly scheduler: Scheduler;
  /** bucket of a scope nobody configured; without it such scopes are unlimited (penalties still apply) */
  readonly defaultBucket?: BucketConfig;
}

interface Bucket {
  config: BucketConfig;
  tokens: number;
  updatedAt: number;
}

interface Waiter {
  readonly scopes: readonly string[];
  readonly cost: number;
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Async permits over several scopes at once, e.g. `account:<id>` AND `host:<exchange api>`
 * (every account on one host shares the host's IP budget). Each scope is a token bucket; a
 * permit takes a token from every scope of the request at the same instant. Waiters are served
 * first-come first-served per scope: a later waiter never takes from a scope an earlier waiter is
 * waiting for, but it is not held up by scopes the earlier one already could use (an account
 * waiting on its own budget does not block the other accounts of the host).
 *
 * The penalty box: `penalize(scope, ms)` after a 429/418 (Retry-After) holds every request to
 * that scope until the time has passed.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly penalties = new Map<string, number>();
  private queue: Waiter[] = [];
  private timer: { handle: TimerHandle; at: number } | undefined;
  private disposed = false;

  constructor(private readonly options: RateLimiterOptions) {}

  /** Sets (or changes) the bucket of a scope; current tokens are kept, capped at the new capacity. */
  configure(scope: string, config: BucketConfig): void {
    if (!(config.capacity > 0) || !(config.refillPerSecond > 0)) throw new RangeError(`bad bucket for ${scope}: ${JSON.stringify(config)}`);
    const now = this.options.scheduler.now();
    const existing = this.buckets.get(scope);
    if (existing) {
      this.refill(existing, now);
      existing.config = config;
      existing.tokens = Math.min(existing.tokens, config.capacity);
    } else {
      this.buckets.set(scope, { config, tokens: config.capacity, updatedAt: now });
    }
    this.pump();
  }

  isConfigured(scope: string): boolean {
    return this.buckets.has(scope);
  }

  /** No request to `scope` until `ms` from now (extends, never shortens, a running penalty). */
  penalize(scope: string, ms: number): void {
    const until = this.options.scheduler.now() + Math.max(0, ms);
    if (until > (this.penalties.get(scope) ?? 0)) this.penalties.set(scope, until);
    this.pump();
  }

  /** ms until the scope's penalty ends (0 when none). */
  penaltyRemaining(scope: string): number {
    return Math.max(0, (this.penalties.get(scope) ?? 0) - this.options.scheduler.now());
  }

  /** Number of requests waiting for a permit. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Resolves when a permit for all `scopes` is granted (the tokens are taken then). Rejects with
   * `RateLimitWaitTooLong` when the wait would exceed `maxWaitMs`.
   */
  acquire(scopes: readonly string[], options: AcquireOptions = {}): Promise<void> {
    if (this.disposed) return Promise.reject(new RateLimiterDisposed());
    const unique = [...new Set(scopes)];
    const cost = Math.max(0, options.cost ?? 1);
    const now = this.options.scheduler.now();
    const maxWait = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
    const estimate = this.estimate(unique, cost, now);
    if (estimate.ms > maxWait) return Promise.reject(new RateLimitWaitTooLong(estimate.ms, estimate.scope));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ scopes: unique, cost, deadline: now + maxWait, resolve, reject });
      this.pump();
    });
  }

  /** Rejects every waiter; later `acquire` calls reject at once. */
  dispose(): void {
    this.disposed = true;
    if (this.timer) this.options.scheduler.clearTimer(this.timer.handle);
    this.timer = undefined;
    const waiting = this.queue;
    this.queue = [];
    for (const w of waiting) w.reject(new RateLimiterDisposed());
  }

  private bucket(scope: string): Bucket | undefined {
    let b = this.buckets.get(scope);
    if (!b && this.options.defaultBucket) {
      b = { config: this.options.defaultBucket, tokens: this.options.defaultBucket.capacity, updatedAt: this.options.scheduler.now() };
      this.buckets.set(scope, b);
    }
    return b;
  }

  private refill(b: Bucket, now: number): void {
    if (now > b.updatedAt) {
      b.tokens = Math.min(b.config.capacity, b.tokens + ((now - b.updatedAt) * b.config.refillPerSecond) / 1000);
      b.updatedAt = now;
    }
  }

  /** ms until `cost` tokens (on top of `ahead` already promised to earlier waiters) are available. */
  private waitFor(scope: string, cost: number, now: number, ahead = 0): number {
    const penalty = Math.max(0, (this.penalties.get(scope) ?? 0) - now);
    const b = this.bucket(scope);
    if (!b) return penalty;
    this.refill(b, now);
    const need = Math.min(cost, b.config.capacity) + ahead - b.tokens;
    // tolerance for float drift in the refill arithmetic
    const tokensWait = need > 1e-9 ? Math.ceil((need * 1000) / b.config.refillPerSecond) : 0;
    return Math.max(penalty, tokensWait);
  }

  /** Wait estimate for a new request, counting the cost of the waiters already queued on its scopes. */
  private estimate(scopes: readonly string[], cost: number, now: number): { ms: number; scope: string } {
    let worst = { ms: 0, scope: scopes[0] ?? '' };
    for (const scope of scopes) {
      const b = this.bucket(scope);
      const ahead = this.queue.filter((w) => w.scopes.includes(scope)).reduce((sum, w) => sum + Math.min(w.cost, b?.config.capacity ?? w.cost), 0);
      const ms = this.waitFor(scope, cost, now, b ? ahead : 0);
      if (ms > worst.ms) worst = { ms, scope };
    }
    return worst;
  }

  private pump(): void {
    if (this.disposed) return;
    const now = this.options.scheduler.now();
    const blocked = new Set<string>();
    let nextWake = Number.POSITIVE_INFINITY;
    const remaining: Waiter[] = [];
    for (const w of this.queue) {
      if (w.scopes.some((scope) => blocked.has(scope))) {
        remaining.push(w);
        continue;
      }
      let wait = 0;
      let worstScope = w.scopes[0] ?? '';
      const notReady: string[] = [];
      for (const scope of w.scopes) {
        const ms = this.waitFor(scope, w.cost, now);
        if (ms > 0) notReady.push(scope);
        if (ms > wait) {
          wait = ms;
          worstScope = scope;
        }
      }
      if (wait <= 0) {
        for (const scope of w.scopes) {
          const b = this.bucket(scope);
          if (b) b.tokens -= Math.min(w.cost, b.config.capacity);
        }
        w.resolve();
        continue;
      }
      if (now + wait > w.deadline) {
        w.reject(new RateLimitWaitTooLong(wait, worstScope));
        continue;
      }
      // later waiters may not take what this one waits for; its other scopes stay usable
      for (const scope of notReady) blocked.add(scope);
      nextWake = Math.min(nextWake, wait);
      remaining.push(w);
    }
    this.queue = remaining;
    this.arm(nextWake, now);
  }

  private arm(inMs: number, now: number): void {
    if (!Number.isFinite(inMs)) {
      if (this.timer) this.options.scheduler.clearTimer(this.timer.handle);
      this.timer = undefined;
      return;
    }
    const at = now + inMs;
    if (this.timer && this.timer.at <= at && this.timer.at > now) return; // an earlier wake-up is already set
    if (this.timer) this.options.scheduler.clearTimer(this.timer.handle);
    const handle = this.options.scheduler.setTimer(() => {
      this.timer = undefined;
      this.pump();
    }, inMs);
    this.timer = { handle, at };
  }
}
