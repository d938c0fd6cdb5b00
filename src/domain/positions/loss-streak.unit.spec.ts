import { describe, expect, it } from 'vitest';
import { NO_STREAK, applyStreakFill, type LossStreak, type StreakFill } from './loss-streak.js';
import { checkCooldown, checkStrategyDailyLoss } from '../risk/cooldown.js';
import { dayLoss } from './loss-streak.js';
import { Dec, ZERO } from '../shared/decimal.js';

const fill = (side: 'buy' | 'sell', quantity: string, price: string, filledAt = '2026-03-01T10:00:00.000Z', fee = '0'): StreakFill =>
  ({ accountId: 'a', symbol: 'BTC/USDT', side, quantity: new Dec(quantity), price: new Dec(price), feeInQuote: new Dec(fee), filledAt });
const run = (fills: StreakFill[]): LossStreak => fills.reduce(applyStreakFill, NO_STREAK);

describe('loss streak', () => {
  it('counts round trips that lost, ends the streak with one that did not', () => {
    const two = run([fill('buy', '1', '100'), fill('sell', '1', '99', 't1'), fill('buy', '1', '100'), fill('sell', '0.5', '98'), fill('sell', '0.5', '99', 't2')]);
    expect([two.losses, two.lastLossAt]).toEqual([2, 't2']);
    expect(run([...[fill('buy', '1', '100'), fill('sell', '1', '99')], fill('buy', '1', '100'), fill('sell', '1', '101')]).losses).toBe(0);
  });
  it('fees turn a flat round trip into a loss; a flip ends one trade and opens the next', () => {
    expect(run([fill('buy', '1', '100', 'x', '0.1'), fill('sell', '1', '100', 'y', '0.1')]).losses).toBe(1);
    const flipped = run([fill('sell', '1', '100'), fill('buy', '2', '101', 'flip')]); // short lost 1, now long 1 at 101
    expect(flipped.losses).toBe(1);
    expect(run([fill('sell', '1', '100'), fill('buy', '2', '101'), fill('sell', '1', '103')]).losses).toBe(0);
    expect(flipped.open.get('a\nBTC/USDT')?.pnl).toEqual(ZERO);
  });
});

describe('checkCooldown', () => {
  const strategy = { cooldownAfterLosses: 2, cooldownMinutes: 60 };
  it('refuses entries within the cooldown after N losses; never exits; goes again after it', () => {
    const at = (losses: number, now: string, reduceOnly = false) => checkCooldown({ reduceOnly, losses, lastLossAt: '2026-03-01T10:00:00.000Z', now, strategy }).map((r) => r.code);
    expect(at(1, '2026-03-01T10:10:00.000Z')).toEqual([]);
    expect(at(2, '2026-03-01T10:10:00.000Z')).toEqual(['COOLDOWN']);
    expect(at(2, '2026-03-01T10:10:00.000Z', true)).toEqual([]);
    expect(at(3, '2026-03-01T11:00:00.000Z')).toEqual([]);
    expect(checkCooldown({ reduceOnly: false, losses: 9, lastLossAt: '2026-03-01T10:00:00.000Z', now: '2026-03-01T10:01:00.000Z', strategy: {} })).toEqual([]);
  });
});

describe("a strategy's daily loss", () => {
  it('is that day\'s realised PnL after fees plus the unrealised PnL of its open positions, negated', () => {
    const streak = run([
      fill('buy', '1', '100', '2026-03-01T10:00:00.000Z', '1'), fill('sell', '1', '90', '2026-03-01T11:00:00.000Z', '1'), // -10 - 2 fees
      fill('buy', '2', '50', '2026-03-01T12:00:00.000Z'), // open long 2 at 50
    ]);
    expect(dayLoss(streak, '2026-03-01', () => new Dec('45')).toFixed()).toBe('22'); // 12 + 2 × 5
    expect(dayLoss(streak, '2026-03-02', () => new Dec('45')).toFixed()).toBe('10'); // only the open position's
    expect(dayLoss(streak, '2026-03-01', () => undefined).toFixed()).toBe('12');
  });
  it('refuses entries at the limit, never exits', () => {
    const at = (loss: string, reduceOnly = false) => checkStrategyDailyLoss({ reduceOnly, loss: new Dec(loss), strategy: { dailyLossLimit: '20' } }).map((r) => r.code);
    expect(at('19.99')).toEqual([]);
    expect(at('20')).toEqual(['STRATEGY_DAILY_LOSS_LIMIT']);
    expect(at('50', true)).toEqual([]);
  });
});
