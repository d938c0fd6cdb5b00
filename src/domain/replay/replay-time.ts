const ISO_ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const PLAIN = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const EPOCH = /^\d{9,13}$/;

/**
 * A time of an alert or a candle, as epoch milliseconds: ISO-8601 with a zone, "YYYY-MM-DD HH:MM[:SS]"
 * (no zone: read as UTC, as TradingView exports it when the chart is set to UTC), a date (midnight UTC),
 * or epoch seconds (up to 11 digits) / milliseconds. Undefined when it is none of these or not a real date.
 */
export function parseReplayTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? (value < 1e11 ? value * 1000 : value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (EPOCH.test(text)) return parseReplayTime(Number(text));
  if (ISO_ZONED.test(text)) return finite(Date.parse(text));
  if (DATE_ONLY.test(text)) return finite(Date.parse(`${text}T00:00:00Z`));
  const m = PLAIN.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m;
  const at = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), Number((ms ?? '0').padEnd(3, '0')));
  // Date.UTC rolls 2024-02-31 over to March: refuse what is not a real date
  const check = new Date(at);
  return check.getUTCDate() === Number(d) && check.getUTCMonth() === Number(mo) - 1 ? at : undefined;
}

const finite = (n: number): number | undefined => (Number.isFinite(n) ? n : undefined);

export const isoOf = (at: number): string => new Date(at).toISOString();
