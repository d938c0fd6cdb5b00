import type { SizingRule } from './strategy.js';
import { assertNever } from '../shared/decider.js';

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
    default:
      return assertNever(sizing);
  }
}
