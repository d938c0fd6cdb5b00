import type { ConditionalOrderType } from '../events.js';
import type { Dec } from '../shared/decimal.js';
import { parseDec } from '../shared/decimal.js';

/** A conditional order as an exchange may hold it natively (issue 17). */
export type NativeTrigger = ConditionalOrderType | 'trailing_percent' | 'trailing_distance';

/** What one market of an exchange holds natively; the rest PATRIOT holds (ADR-0018, "native or managed"). */
export interface NativeTriggerSupport {
  /** the kinds the exchange holds on this market (absent: every stop and take-profit type, and trailing by percent) */
  readonly nativeTriggers?: readonly NativeTrigger[];
  /** the trailing percents the exchange accepts (Binance: 0.1 to 20 %), inclusive */
  readonly trailingPercentRange?: { readonly min: string; readonly max: string };
}

export function triggerKind(order: { readonly type: ConditionalOrderType; readonly trailingPercent?: Dec; readonly trailingDistance?: Dec }): NativeTrigger {
  if (order.trailingPercent !== undefined) return 'trailing_percent';
  if (order.trailingDistance !== undefined) return 'trailing_distance';
  return order.type;
}

const LEGACY: readonly NativeTrigger[] = ['stop_market', 'stop_limit', 'take_profit', 'take_profit_limit', 'trailing_percent'];

/**
 * Whether the exchange holds this conditional order itself (else PATRIOT holds its trigger on the
 * exchange's price and sends a market / limit order when it is crossed). `trailsByDistance`: the
 * venue's answer for a trailing distance when the market does not list its kinds.
 */
export function heldNatively(
  order: { readonly type: ConditionalOrderType; readonly trailingPercent?: Dec; readonly trailingDistance?: Dec },
  market: NativeTriggerSupport,
  trailsByDistance: boolean,
): boolean {
  const kind = triggerKind(order);
  const kinds = market.nativeTriggers ?? (trailsByDistance ? [...LEGACY, 'trailing_distance'] : LEGACY);
  if (!kinds.includes(kind)) return false;
  if (kind === 'trailing_percent' && order.trailingPercent && market.trailingPercentRange) {
    const min = parseDec(market.trailingPercentRange.min);
    const max = parseDec(market.trailingPercentRange.max);
    if ((min && order.trailingPercent.lessThan(min)) || (max && order.trailingPercent.greaterThan(max))) return false;
  }
  return true;
}
