import { Decimal as DecimalJs } from 'decimal.js';

/**
 * The one decimal type of the domain. Prices, quantities, balances and PnL are
 * always `Dec`; on the wire and in events they are canonical decimal strings.
 */
export const Dec = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -30, toExpPos: 40 });
export type Dec = InstanceType<typeof Dec>;

export const ZERO: Dec = new Dec(0);

const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a decimal from text or a JSON number; `undefined` when it is not a finite decimal. */
export function parseDec(value: unknown): Dec | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    return new Dec(String(value));
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.length === 0 || text.length > 64 || !DECIMAL_TEXT.test(text)) return undefined;
  return new Dec(text);
}

/** Canonical string form used in events and on the wire (no exponent, no trailing zeros). */
export function decToString(value: Dec): string {
  return value.toFixed();
}

/** Decimal places of amounts and prices shown by the API (issue 20): derived values such as an average price or an unrealised PnL are exact to 40 digits inside, rounded here (half even). */
export const SHOWN_PLACES = 8;

/** A derived amount as the API shows it: at most SHOWN_PLACES decimals, no trailing zeros. Text that is not a decimal is returned as it is. */
export function shownDec(text: string, places = SHOWN_PLACES): string {
  const value = parseDec(text);
  return value === undefined ? text : decToString(value.toDecimalPlaces(places, Dec.ROUND_HALF_EVEN));
}

export function dec(value: string | number): Dec {
  return new Dec(value);
}

export function minDec(a: Dec, b: Dec): Dec {
  return a.lessThan(b) ? a : b;
}
