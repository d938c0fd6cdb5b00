import type { LoginThrottle } from '../ports/budgets.js';

/**
 * Failed logins per key (a username, a client address), with exponential back-off: after
 * `allowed` failures, each further attempt must wait base × 2^(failures − allowed), at most `maxMs`.
 * A key is forgotten `forgetMs` after its last failure; a successful login clears a username's.
 * Counted per node, in memory.
 */
export class LoginBackoff {
  private readonly failures = new Map<string, { count: number; last: number; until: number }>();
  private lastSweep = 0;

  constructor(
    private readonly allowed: number,
    private readonly now: () => number = Date.now,
    private readonly baseMs = 1000,
    private readonly maxMs = 15 * 60_000,
    private readonly forgetMs = 15 * 60_000,
  ) {}

  /** undefined: may try now; else the ms to wait. */
  waitMs(key: string): number | undefined {
    const entry = this.entry(key);
    if (!entry || entry.until <= this.now()) return undefined;
    return entry.until - this.now();
  }

  failed(key: string): void {
    const now = this.now();
    const entry = this.entry(key) ?? { count: 0, last: now, until: 0 };
    entry.count++;
    entry.last = now;
    if (entry.count >= this.allowed) entry.until = now + Math.min(this.maxMs, this.baseMs * 2 ** Math.min(30, entry.count - this.allowed));
    this.failures.set(key, entry);
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  private entry(key: string): { count: number; last: number; until: number } | undefined {
    const now = this.now();
    if (now - this.lastSweep > this.forgetMs) {
      this.lastSweep = now;
      for (const [k, e] of this.failures) if (now - e.last > this.forgetMs && e.until <= now) this.failures.delete(k);
    }
    const entry = this.failures.get(key);
    if (entry && now - entry.last > this.forgetMs && entry.until <= now) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }
}

/** The in-memory back-off as a LoginThrottle: a single node's (SQLite) whole story. */
export function localLoginThrottle(backoff: LoginBackoff): LoginThrottle {
  return {
    waitMs: async (key) => backoff.waitMs(key),
    failed: async (key) => backoff.failed(key),
    succeeded: async (key) => backoff.succeeded(key),
  };
}
