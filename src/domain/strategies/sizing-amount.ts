import type { SizingRule } from './strategy.js';
import { assertNever } from '../shared/decider.js';
import { parseDec } from '../shared/decimal.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';

/** The amount of a sizing rule that must be a decimal > 0 (its quantity, amount, multiplier or percent). */
export function sizingAmount(sizing: SizingRule): string {
  switch (sizing.kind) {
    case 'fixed_quantity':
      return sizing.quantity;
    case 'quote_amount':
      return sizing.amount;
    case 'signal_quantity':
    case 'target_position':
      return sizing.multiplier;
    case 'percent_of_equity':
    case 'percent_of_balance':
    case 'percent_of_position':
      return sizing.percent;
    case 'risk':
      return sizing.riskPercent;
    default:
      return assertNever(sizing);
  }
}

const inPercentRange = (text: string | undefined, max: number, inclusive: boolean): boolean => {
  if (text === undefined) return true;
  const value = parseDec(text);
  return value !== undefined && value.greaterThan(0) && (inclusive ? value.lessThanOrEqualTo(max) : value.lessThan(max));
};

/** Percents of a sizing rule: above 0 and at most 100 (a stop distance below 100 %): INVALID_PERCENT otherwise. */
export function checkSizingPercents(sizing: SizingRule, accountId: string): Result<void, DomainError> {
  const bad = (what: string) => err<DomainError>({ code: 'INVALID_PERCENT', message: `the ${what} of account ${accountId}'s sizing must be above 0 and at most 100` });
  switch (sizing.kind) {
    case 'percent_of_equity':
    case 'percent_of_balance':
    case 'percent_of_position':
      return inPercentRange(sizing.percent, 100, true) ? ok(undefined) : bad('percent');
    case 'risk':
      if (!inPercentRange(sizing.riskPercent, 100, true)) return bad('risk percent');
      return inPercentRange(sizing.stopPercent, 100, false) ? ok(undefined) : bad('stop percent (below 100)');
    case 'fixed_quantity':
    case 'quote_amount':
    case 'signal_quantity':
    case 'target_position':
      return ok(undefined);
    default:
      return assertNever(sizing);
  }
}
