/**
 * Time and timers for the ccxt adapter's stateful parts (rate limiter, circuit breaker, order
 * monitor), injectable so tests drive time by hand instead of waiting on the wall clock.
 */
export interface Scheduler {
  /** milliseconds since the epoch */
  now(): number;
  /** runs `fn` once after `ms`; the handle cancels it */
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: unknown;
}

/** The real clock and Node timers; timers are unref'd so they never keep the process alive. */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { id: t };
  },
  clearTimer(handle) {
    clearTimeout(handle.id as NodeJS.Timeout);
  },
};

/** Resolves after `ms` on the scheduler's timers (or at once for ms <= 0). */
export function sleep(scheduler: Scheduler, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => scheduler.setTimer(resolve, ms));
}
