/** ISO-8601 date or date-time, with a zone when it has a time. */
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const DAY_MS = 86_400_000;

export type RangeError = { readonly code: 'INVALID_TIME' | 'INVALID_RANGE'; readonly message: string };

/** A query's time as ms; a date alone is the start of that UTC day, or its last millisecond for an end. */
function timeOf(text: string, end: boolean): number | undefined {
  if (!ISO.test(text)) return undefined;
  const t = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  if (!Number.isFinite(t)) return undefined;
  return text.length === 10 && end ? t + DAY_MS - 1 : t;
}

/** Reads `from` / `to` of a query: ISO times, `from` not after `to`. */
export function readRange(from: string | undefined, to: string | undefined): { from?: number; to?: number } | RangeError {
  const f = from === undefined ? undefined : timeOf(from, false);
  const t = to === undefined ? undefined : timeOf(to, true);
  if ((from !== undefined && f === undefined) || (to !== undefined && t === undefined)) {
    return { code: 'INVALID_TIME', message: '`from` and `to` must be ISO-8601 dates or times with a zone (2026-01-31 or 2026-01-31T12:00:00Z)' };
  }
  if (f !== undefined && t !== undefined && f > t) return { code: 'INVALID_RANGE', message: '`from` must not be after `to`' };
  return { ...(f !== undefined ? { from: f } : {}), ...(t !== undefined ? { to: t } : {}) };
}

export function isRangeError(r: object): r is RangeError {
  return 'code' in r;
}
