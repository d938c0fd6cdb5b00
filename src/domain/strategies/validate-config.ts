import type { RiskLimits } from '../risk/limits.js';
import type { StrategyConfig } from './strategy.js';
import { checkSizingPercents, sizingAmount } from './sizing-amount.js';
import { parseDec } from '../shared/decimal.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';

const positive = (text: string | undefined): boolean => {
  if (text === undefined) return true;
  const value = parseDec(text);
  return value !== undefined && value.greaterThan(0);
};

/** Risk limits whose amounts are decimals > 0. */
export function validateRiskLimits(risk: RiskLimits): Result<RiskLimits, DomainError> {
  if (!positive(risk.maxOrderNotional)) return err({ code: 'INVALID_LIMIT', message: 'maxOrderNotional must be greater than 0' });
  if (!positive(risk.maxPositionNotional)) return err({ code: 'INVALID_LIMIT', message: 'maxPositionNotional must be greater than 0' });
  if (risk.maxTradesPerDay !== undefined && (!Number.isInteger(risk.maxTradesPerDay) || risk.maxTradesPerDay < 1)) return err({ code: 'INVALID_LIMIT', message: 'maxTradesPerDay must be a whole number >= 1' });
  if (!positive(risk.dailyLossLimit)) return err({ code: 'INVALID_LIMIT', message: 'dailyLossLimit must be greater than 0' });
  const drawdown = risk.maxDrawdownPercent === undefined ? undefined : parseDec(risk.maxDrawdownPercent);
  if (drawdown !== undefined && !(drawdown.greaterThan(0) && drawdown.lessThan(100))) return err({ code: 'INVALID_PERCENT', message: 'maxDrawdownPercent must be above 0 and below 100' });
  if (risk.maxDrawdownPercent !== undefined && drawdown === undefined) return err({ code: 'INVALID_PERCENT', message: 'maxDrawdownPercent must be above 0 and below 100' });
  if (risk.allowedSymbols && new Set(risk.allowedSymbols).size !== risk.allowedSymbols.length) return err({ code: 'INVALID_LIMIT', message: 'allowedSymbols lists a symbol twice' });
  return ok(risk);
}

/** A strategy configuration that can be recorded: sizes > 0, each account once, sane limits. */
export function validateStrategyConfig(config: StrategyConfig): Result<StrategyConfig, DomainError> {
  if (config.name.trim() === '') return err({ code: 'INVALID_NAME', message: 'the strategy needs a name' });
  if (config.accounts.length === 0) return err({ code: 'NO_ACCOUNTS', message: 'a strategy needs at least one account' });
  const seen = new Set<string>();
  for (const link of config.accounts) {
    if (seen.has(link.accountId)) return err({ code: 'DUPLICATE_ACCOUNT', message: `account ${link.accountId} is listed twice` });
    seen.add(link.accountId);
    const sizing = link.sizing;
    const amount = sizingAmount(sizing);
    if (!positive(amount)) return err({ code: 'INVALID_SIZING', message: `the sizing of account ${link.accountId} must be greater than 0` });
    const percents = checkSizingPercents(sizing, link.accountId);
    if (!percents.ok) return percents;
    if (link.orderTemplate.type === 'limit' && parseDec(link.orderTemplate.offsetBps) === undefined) {
      return err({ code: 'INVALID_ORDER_TEMPLATE', message: 'offsetBps must be a decimal number' });
    }
  }
  if (!Number.isInteger(config.maxSignalAgeSeconds) || config.maxSignalAgeSeconds < 0) return err({ code: 'INVALID_MAX_SIGNAL_AGE', message: 'maxSignalAgeSeconds must be a whole number >= 0' });
  if ((config.risk.cooldownAfterLosses === undefined) !== (config.risk.cooldownMinutes === undefined)) {
    return err({ code: 'INVALID_LIMIT', message: 'cooldownAfterLosses and cooldownMinutes go together' });
  }
  if (config.risk.maxDrawdownPercent !== undefined) {
    return err({ code: 'ACCOUNT_LIMIT_ONLY', message: 'maxDrawdownPercent is set on an account (it engages its kill switch), not on a strategy' });
  }
  const risk = validateRiskLimits(config.risk);
  return risk.ok ? ok(config) : risk;
}
