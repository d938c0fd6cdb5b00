import type { RiskReason } from '../events.js';
import type { RiskLimits } from './limits.js';

/** The UTC day (YYYY-MM-DD) of an ISO-8601 time; undefined when it is not a time. */
export function utcDay(iso: string): string | undefined {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().slice(0, 10);
}

export interface TradesToday {
  /** orders that opened or added to a position today, approved for the account / for the strategy */
  readonly account: number;
  readonly strategy: number;
}

/**
 * Pure: MAX_TRADES_PER_DAY when one more trade today would exceed the account's or the strategy's
 * `maxTradesPerDay`. Orders that only reduce a position (reduce-only) are never refused by it: a
 * trader at the limit can still get out.
 */
export function checkTradesPerDay(input: { readonly reduceOnly: boolean; readonly today: TradesToday; readonly account: RiskLimits; readonly strategy: RiskLimits }): RiskReason[] {
  if (input.reduceOnly) return [];
  const reasons: RiskReason[] = [];
  const over = (limit: number | undefined, count: number) => limit !== undefined && count + 1 > limit;
  if (over(input.account.maxTradesPerDay, input.today.account)) {
    reasons.push({ code: 'MAX_TRADES_PER_DAY', message: `${input.today.account} trades today already; one more exceeds the account limit ${input.account.maxTradesPerDay} (exits still go)` });
  }
  if (over(input.strategy.maxTradesPerDay, input.today.strategy)) {
    reasons.push({ code: 'MAX_TRADES_PER_DAY', message: `${input.today.strategy} trades today already; one more exceeds the strategy limit ${input.strategy.maxTradesPerDay} (exits still go)` });
  }
  return reasons;
}
