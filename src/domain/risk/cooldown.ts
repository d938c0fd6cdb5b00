import type { RiskReason } from '../events.js';
import type { RiskLimits } from './limits.js';
import { type Dec, decToString, parseDec } from '../shared/decimal.js';

/**
 * Pure: COOLDOWN while the strategy has lost `cooldownAfterLosses` trades in a row and less than
 * `cooldownMinutes` have passed since the last one ended (ADR-0019). Exits are never refused. After
 * the cooldown the next entry goes; the streak ends with the next trade that does not lose.
 */
export function checkCooldown(input: { readonly reduceOnly: boolean; readonly losses: number; readonly lastLossAt?: string; readonly now: string; readonly strategy: RiskLimits }): RiskReason[] {
  const { cooldownAfterLosses: after, cooldownMinutes: minutes } = input.strategy;
  if (input.reduceOnly || after === undefined || minutes === undefined || input.losses < after || input.lastLossAt === undefined) return [];
  const since = Date.parse(input.now) - Date.parse(input.lastLossAt);
  if (Number.isNaN(since) || since >= minutes * 60_000) return [];
  const left = Math.ceil((minutes * 60_000 - since) / 60_000);
  return [{ code: 'COOLDOWN', message: `${input.losses} losing trades in a row: the strategy cools down for ${minutes} min after the last one (about ${left} min left; exits still go)` }];
}

/**
 * Pure: STRATEGY_DAILY_LOSS_LIMIT when the strategy's loss today (realised after fees + unrealised
 * at the account's prices) has reached its `dailyLossLimit` (ADR-0019): its entries are refused for
 * the rest of the UTC day; exits still go. The account's own limit engages its kill switch instead.
 */
export function checkStrategyDailyLoss(input: { readonly reduceOnly: boolean; readonly loss: Dec; readonly strategy: RiskLimits }): RiskReason[] {
  const limit = parseDec(input.strategy.dailyLossLimit);
  if (input.reduceOnly || limit === undefined || !limit.greaterThan(0) || input.loss.lessThan(limit)) return [];
  return [{ code: 'STRATEGY_DAILY_LOSS_LIMIT', message: `the strategy lost ${decToString(input.loss.toDecimalPlaces(8))} today (realised and unrealised), at or above its daily loss limit ${decToString(limit)}: no new entries until the next UTC day (exits still go)` }];
}
