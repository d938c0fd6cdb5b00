import { RejectCode } from './reject-codes.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * What a call told about the exchange's health: `failure` (no answer: unknown outcome, rate
 * limited), `success` (the exchange answered, even with a refusal), `neutral` (says nothing about
 * the exchange: clock skew, bad credentials of one account).
 */
export type BreakerOutcome = 'success' | 'failure' | 'neutral';

export interface BreakerSnapshot {
  readonly key: string;
  readonly state: BreakerState;
  readonly consecutiveFailures: number;
  /** when the breaker last opened (ms since the epoch) */
  readonly openedAt?: number;
  /** while open: when a probe will be let through */
  readonly probeAt?: number;
  /** the failure that opened it last */
  readonly lastFailure?: string;
}

export interface BreakerStateChange {
  readonly key: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  readonly at: number;
  readonly reason: string;
}

export interface CircuitBreakerOptions {
  /** consecutive failures that open the breaker (default 5) */
  readonly failureThreshold?: number;
  /** how long it stays open before letting one probe through (default 30 s) */
  readonly coolDownMs?: number;
  readonly now: () => number;
}

export type BreakerPermit =
  | {
      readonly ok: true;
      /** reports the outcome of the call; only the first report counts */
      readonly done: (outcome: BreakerOutcome, detail?: string) => void;
    }
  | { readonly ok: false; readonly code: typeof RejectCode.CIRCUIT_OPEN; readonly reason: string; readonly retryInMs: number };

/**
 * A circuit breaker for one exchange: `failureThreshold` consecutive failures open it; while
 * open, `tryAcquire` refuses at once with CIRCUIT_OPEN (nothing is sent, so the refusal is
 * definitive); after `coolDownMs` it is half-open and lets ONE request through (others are still
 * refused); that probe's success closes it, its failure opens it for another cool-down.
 *
 * The open → half-open move is noticed lazily (no timer): at the next `tryAcquire` or `snapshot`.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt: number | undefined;
  private lastFailure: string | undefined;
  private probeInFlight = false;
  /** permits from an earlier generation (before the last state change) report nothing */
  private generation = 0;
  private readonly listeners = new Set<(change: BreakerStateChange) => void>();
  private readonly threshold: number;
  private readonly coolDownMs: number;

  constructor(
    readonly key: string,
    private readonly options: CircuitBreakerOptions,
  ) {
    this.threshold = Math.max(1, options.failureThreshold ?? 5);
    this.coolDownMs = Math.max(0, options.coolDownMs ?? 30_000);
  }

  get state(): BreakerState {
    this.tick();
    return this.current;
  }

  snapshot(): BreakerSnapshot {
    this.tick();
    return {
      key: this.key,
      state: this.current,
      consecutiveFailures: this.failures,
      ...(this.openedAt !== undefined ? { openedAt: this.openedAt } : {}),
      ...(this.current === 'open' && this.openedAt !== undefined ? { probeAt: this.openedAt + this.coolDownMs } : {}),
      ...(this.lastFailure !== undefined ? { lastFailure: this.lastFailure } : {}),
    };
  }

  onStateChange(listener: (change: BreakerStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks to send a request that the breaker guards (new orders). */
  tryAcquire(): BreakerPermit {
    this.tick();
    switch (this.current) {
      case 'closed':
        return this.permit(false);
      case 'open': {
        const retryInMs = Math.max(0, (this.openedAt ?? 0) + this.coolDownMs - this.options.now());
        return this.refuse(`circuit breaker for ${this.key} is open after ${this.failures} consecutive failures (last: ${this.lastFailure ?? '?'}); next probe in ${retryInMs} ms`, retryInMs);
      }
      case 'half_open':
        if (this.probeInFlight) return this.refuse(`circuit breaker for ${this.key} is half-open and already probing`, 0);
        this.probeInFlight = true;
        return this.permit(true);
    }
  }

  /** Reports the outcome of a call that was not gated (look-ups): counts only while closed. */
  record(outcome: BreakerOutcome, detail?: string): void {
    this.tick();
    if (this.current === 'closed') this.apply(outcome, detail);
  }

  /** Closes the breaker by hand (e.g. from an admin action). */
  reset(reason = 'reset'): void {
    this.probeInFlight = false;
    this.failures = 0;
    this.transition('closed', reason);
  }

  private permit(probe: boolean): BreakerPermit {
    const generation = this.generation;
    let reported = false;
    return {
      ok: true,
      done: (outcome, detail) => {
        if (reported) return;
        reported = true;
        if (probe) this.probeInFlight = false;
        if (generation !== this.generation) return;
        this.apply(outcome, detail);
      },
    };
  }

  private refuse(reason: string, retryInMs: number): BreakerPermit {
    return { ok: false, code: RejectCode.CIRCUIT_OPEN, reason, retryInMs };
  }

  private apply(outcome: BreakerOutcome, detail: string | undefined): void {
    switch (outcome) {
      case 'neutral':
        return;
      case 'success':
        this.failures = 0;
        if (this.current !== 'closed') this.transition('closed', `probe succeeded${detail ? `: ${detail}` : ''}`);
        return;
      case 'failure':
        this.failures += 1;
        this.lastFailure = detail ?? 'failure';
        if (this.current === 'half_open') {
          this.open(`probe failed: ${this.lastFailure}`);
        } else if (this.current === 'closed' && this.failures >= this.threshold) {
          this.open(`${this.failures} consecutive failures, last: ${this.lastFailure}`);
        }
        return;
    }
  }

  private open(reason: string): void {
    this.openedAt = this.options.now();
    this.transition('open', reason);
  }

  /** open → half_open once the cool-down has passed. */
  private tick(): void {
    if (this.current === 'open' && this.openedAt !== undefined && this.options.now() >= this.openedAt + this.coolDownMs) {
      this.probeInFlight = false;
      this.transition('half_open', 'cool-down over');
    }
  }

  private transition(to: BreakerState, reason: string): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.generation += 1;
    const change: BreakerStateChange = { key: this.key, from, to, at: this.options.now(), reason };
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // a listener's failure must not break the breaker
      }
    }
  }
}

/** One breaker per key (per exchange), created on first use with shared options and listeners. */
export class CircuitBreakers {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly listeners = new Set<(change: BreakerStateChange) => void>();

  constructor(private readonly options: CircuitBreakerOptions) {}

  get(key: string): CircuitBreaker {
    let breaker = this.breakers.get(key);
    if (!breaker) {
      breaker = new CircuitBreaker(key, this.options);
      breaker.onStateChange((change) => {
        for (const listener of [...this.listeners]) listener(change);
      });
      this.breakers.set(key, breaker);
    }
    return breaker;
  }

  snapshots(): BreakerSnapshot[] {
    return [...this.breakers.values()].map((b) => b.snapshot());
  }

  /** Listens to every breaker's changes, present and future. */
  onStateChange(listener: (change: BreakerStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
