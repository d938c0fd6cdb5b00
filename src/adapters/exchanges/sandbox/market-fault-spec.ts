/**
 * Faults of the public market-data streams, as plain JSON-able objects (what POST /sandbox/faults
 * and `sandbox.faults.inject` take, beside the HTTP faults of fault-spec.ts):
 *
 *   {"kind":"silence_market_streams"}                 every market-data connection, open or opened later,
 *                                                     stays open and gets nothing (no data, no replies)
 *   {"kind":"silence_market_streams","connection":2}  only the 2nd market-data connection opened
 *   {"kind":"silence_market_streams","count":1}       the oldest open connection (the `count` oldest)
 *       ... optionally "forMs": 5000 (sandbox clock; default: until cleared, "untilCleared": true)
 *   {"kind":"drop_market_streams"}                    cuts market-data connections now (same selectors);
 *                                                     clients see the socket close (code 1006)
 *   {"kind":"price_jump","symbol":"BTC/USDT","pct":-40}  one sudden move of the price, now
 *
 * A silence is a pending fault (listed, removed by DELETE /sandbox/faults[/{id}], which ends it);
 * a drop and a price jump act at once and leave nothing pending.
 */
export interface ConnectionChoice {
  /** the n-th market-data connection opened since the start (1-based) */
  readonly connection?: number;
  /** the `count` oldest open market-data connections */
  readonly count?: number;
}

export type MarketDataFault =
  | ({ readonly kind: 'silence_market_streams'; readonly forMs?: number; readonly untilCleared?: boolean } & ConnectionChoice)
  | ({ readonly kind: 'drop_market_streams' } & ConnectionChoice)
  | { readonly kind: 'price_jump'; readonly symbol: string; readonly pct: number };

export type MarketDataFaultKind = MarketDataFault['kind'];

export const MARKET_FAULT_KINDS: readonly MarketDataFaultKind[] = ['silence_market_streams', 'drop_market_streams', 'price_jump'];

export function isMarketDataFaultKind(kind: unknown): kind is MarketDataFaultKind {
  return MARKET_FAULT_KINDS.includes(kind as MarketDataFaultKind);
}

/** Validates a market-data fault; `fail` builds the caller's error type. */
export function parseMarketFault(raw: Record<string, unknown>, fail: (message: string) => Error): MarketDataFault {
  const int = (key: string, min: number, max: number): Record<string, number> => {
    const value = raw[key];
    if (value === undefined) return {};
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw fail(`${key} must be an integer in [${min}, ${max}]`);
    return { [key]: value };
  };
  const choice = (): ConnectionChoice => {
    const picked = { ...int('connection', 1, 1_000_000_000), ...int('count', 1, 1_000_000) };
    if (picked.connection !== undefined && picked.count !== undefined) throw fail('give connection or count, not both');
    return picked;
  };
  switch (raw.kind as MarketDataFaultKind) {
    case 'silence_market_streams': {
      const until = raw.untilCleared;
      if (until !== undefined && typeof until !== 'boolean') throw fail('untilCleared must be a boolean');
      const duration = int('forMs', 1, 86_400_000);
      if (until === true && duration.forMs !== undefined) throw fail('give forMs or untilCleared, not both');
      return { kind: 'silence_market_streams', ...choice(), ...duration, ...(until !== undefined ? { untilCleared: until } : {}) };
    }
    case 'drop_market_streams':
      return { kind: 'drop_market_streams', ...choice() };
    case 'price_jump': {
      const { symbol, pct } = raw;
      if (typeof symbol !== 'string' || symbol.length === 0 || symbol.length > 40) throw fail('symbol must be a listed symbol ("BTC/USDT" or "BTCUSDT")');
      if (typeof pct !== 'number' || !Number.isFinite(pct) || pct <= -100 || pct > 10_000 || pct === 0) throw fail('pct must be a non-zero number in (-100, 10000]');
      return { kind: 'price_jump', symbol, pct };
    }
    default:
      throw fail(`kind must be one of ${MARKET_FAULT_KINDS.join(', ')}`);
  }
}
