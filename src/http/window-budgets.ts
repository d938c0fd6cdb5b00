/**
 * Fixed one-window counters by key (per node): `take` spends one unit of a key's budget, or
 * says how long until the window ends. Keys whose window is over are forgotten as they are met.
 */
export class WindowBudgets {
  private readonly windows = new Map<string, { start: number; used: number }>();
  private lastSweep = 0;

  constructor(
    readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spends one unit: `ok` with what remains, or refused with the ms until the window ends. */
  take(key: string): { ok: true; remaining: number; resetMs: number } | { ok: false; retryAfterMs: number } {
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, used: 0 };
      this.windows.set(key, window);
    }
    const resetMs = window.start + this.windowMs - now;
    if (window.used >= this.max) return { ok: false, retryAfterMs: resetMs };
    window.used += 1;
    return { ok: true, remaining: this.max - window.used, resetMs };
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}
