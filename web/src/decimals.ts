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
