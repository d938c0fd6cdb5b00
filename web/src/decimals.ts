/** Decimal strings for show, without binary floats: rounding half even to a number of places, and a market's places. */

function parse(value: string): { digits: bigint; scale: number } | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return undefined;
  const [, sign, whole, frac = ''] = match;
  const digits = BigInt(`${whole}${frac}`);
  return { digits: sign === '-' ? -digits : digits, scale: frac.length };
}

/** `value` rounded half even to exactly `places` decimals, thousands grouped (`-1,234.50`); text that is not a decimal as it is. */
export function fixed(value: string, places: number): string {
  const parsed = parse(value);
  if (!parsed) return value;
  let { digits } = parsed;
  if (parsed.scale > places) {
    const unit = 10n ** BigInt(parsed.scale - places);
    const negative = digits < 0n;
    const abs = negative ? -digits : digits;
    let q = abs / unit;
    const r = abs % unit;
    if (r * 2n > unit || (r * 2n === unit && q % 2n === 1n)) q += 1n;
    digits = negative ? -q : q;
  } else {
    digits *= 10n ** BigInt(places - parsed.scale);
  }
  const negative = digits < 0n;
  const text = (negative ? -digits : digits).toString().padStart(places + 1, '0');
  const whole = text.slice(0, text.length - places).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = places > 0 ? `.${text.slice(-places)}` : '';
  return `${negative && /[1-9]/.test(text) ? '-' : ''}${whole}${frac}`;
}

/** The decimal places of a tick or step (`0.01` → 2, `0.5` → 1, `1` → 0). */
export function placesOf(step: string | undefined, fallback: number): number {
  if (step === undefined || parse(step) === undefined) return fallback;
  return (step.split('.')[1] ?? '').replace(/0+$/, '').length;
}

/** A ratio (0..1 as a decimal string) as a percent with `places` decimals. */
export function percent(ratio: string, places = 1): string {
  const parsed = parse(ratio);
  if (!parsed) return ratio;
  const shifted = parsed.scale >= 2 ? `${parsed.digits < 0n ? '-' : ''}${insertPoint((parsed.digits < 0n ? -parsed.digits : parsed.digits).toString(), parsed.scale - 2)}` : (parsed.digits * 10n ** BigInt(2 - parsed.scale)).toString();
  return `${fixed(shifted, places)} %`;
}

function insertPoint(digits: string, scale: number): string {
  if (scale === 0) return digits;
  const padded = digits.padStart(scale + 1, '0');
  return `${padded.slice(0, padded.length - scale)}.${padded.slice(-scale)}`;
}

/** Places shown when a market's tick or step is not known: up to 8, trailing zeros trimmed (never cut). */
export const FALLBACK_PLACES = 8;

/** `value` rounded half even to at most `places` decimals, trailing zeros trimmed (`1.50000` → `1.5`). */
export function upTo(value: string, places: number): string {
  const text = fixed(value, places);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** The places of a market's tick or step; undefined when it is not known or 0 ("no increment" is not a precision). */
export function stepPlaces(step: string | undefined): number | undefined {
  return step !== undefined && parse(step) !== undefined && /[1-9]/.test(step) ? placesOf(step, FALLBACK_PLACES) : undefined;
}

/** A price at its market's tick (`0.03505` at tick 0.00001); the tick unknown: up to 8 places, trimmed. */
export function priceText(value: string, tick: string | undefined): string {
  const places = stepPlaces(tick);
  return places === undefined ? upTo(value, FALLBACK_PLACES) : fixed(value, places);
}

/** A quantity at its market's step (`0.0100` at step 0.0001); the step unknown: up to 8 places, trimmed. */
export const quantityText = priceText;

/** Fiat and stablecoins: money in them is shown at 2 decimals; any other asset (BTC, ETH, BNB…) at 8. */
const CENTS = new Set(['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'USDT', 'USDC', 'FDUSD', 'BUSD', 'TUSD', 'DAI', 'USDP', 'USDE', 'EURC', 'EURI']);

/** The scale money in `currency` is shown at: 2 for fiat and stablecoins (and when unknown), 8 for any other asset. */
export function moneyPlaces(currency: string | undefined): number {
  return currency === undefined || currency === '' || CENTS.has(currency.toUpperCase()) ? 2 : 8;
}

/** Money (PnL, fees, equity) at its currency's fixed scale, followed by the currency when one is known. */
export function moneyText(value: string, currency?: string): string {
  const shown = fixed(value, moneyPlaces(currency));
  return currency ? `${shown} ${currency}` : shown;
}

/** The currency a market's prices and PnL are in: a swap's settle asset, else the quote (`BTC/USDT:USDT` → USDT). */
export function quoteOf(symbol: string): string | undefined {
  const [pair = '', settle] = symbol.split(':');
  return settle || pair.split('/')[1] || undefined;
}
