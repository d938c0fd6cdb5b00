import type { Budgets, Taken } from '../ports/budgets.js';

/**
 * Budgets counted by this node alone, in memory: a fixed window per key starting at its first
 * use. The whole story on a single node (SQLite), and what several nodes fall back to while
 * their shared ledger does not answer. Keys whose window is over are forgotten as they are met.
 */
export class LocalBudgets implements Budgets {
  private readonly windows = new Map<string, { start: number; used: number; windowMs: number }>();
  private lastSweep = 0;

  /** `limit`: keys kept at most (many client addresses in a minute); beyond it the oldest windows are forgotten first */
  constructor(private readonly now: () => number = Date.now, private readonly limit = 100_000) {}

  take(key: string, max: number, windowMs: number): Taken {
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || now - window.start >= window.windowMs || window.windowMs !== windowMs) {
      window = { start: now, used: 0, windowMs };
      this.windows.set(key, window);
    }
    const resetMs = window.start + windowMs - now;
    if (window.used >= max) return { ok: false, retryAfterMs: resetMs };
    window.used += 1;
    return { ok: true, remaining: max - window.used, resetMs };
  }

  private sweep(now: number): void {
    if (this.windows.size >= this.limit) {
      for (const [key, window] of this.windows) if (now - window.start >= window.windowMs) this.windows.delete(key);
      for (const key of this.windows.keys()) {
        if (this.windows.size < this.limit) break;
        this.windows.delete(key);
      }
    }
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (now - window.start >= window.windowMs) this.windows.delete(key);
  }
}
