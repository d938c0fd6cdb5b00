import { describe, expect, it } from 'vitest';
import { LocalBudgets } from './local-budgets.js';

describe('LocalBudgets (one node)', () => {
  it('spends a key\'s budget in its window, refuses beyond it with the time to wait, and starts again after', () => {
    let now = 1_000;
    const budgets = new LocalBudgets(() => now);
    expect(budgets.take('a', 2, 60_000)).toEqual({ ok: true, remaining: 1, resetMs: 60_000 });
    now += 10_000;
    expect(budgets.take('a', 2, 60_000)).toEqual({ ok: true, remaining: 0, resetMs: 50_000 });
    expect(budgets.take('a', 2, 60_000)).toEqual({ ok: false, retryAfterMs: 50_000 });
    expect(budgets.take('b', 2, 60_000).ok).toBe(true); // keys apart
    now += 50_000;
    expect(budgets.take('a', 2, 60_000).ok).toBe(true);
  });

  it('keeps at most `limit` keys: the oldest windows are forgotten first', () => {
    const now = 1_000;
    const budgets = new LocalBudgets(() => now, 3);
    for (const key of ['k1', 'k2', 'k3']) expect(budgets.take(key, 1, 60_000).ok).toBe(true);
    expect(budgets.take('k3', 1, 60_000).ok).toBe(false);
    expect(budgets.take('k4', 1, 60_000).ok).toBe(true); // k1 forgotten to make room
    expect(budgets.take('k1', 1, 60_000).ok).toBe(true);
    expect(budgets.take('k4', 1, 60_000).ok).toBe(false);
  });
});
