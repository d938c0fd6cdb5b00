import { MARKET_FAULT_KINDS, isMarketDataFaultKind, parseMarketFault, type MarketDataFault } from './market-fault-spec.js';

/**
 * Faults the sandbox can inject, as plain JSON-able objects (the admin endpoint takes the same).
 *
 * Each fault applies to the next `times` matching requests (default 1), or, with `forMs`, to every
 * matching request for that long (sandbox clock); with both, whichever ends first. `method` and
 * `path` narrow which requests match (defaults per kind below; `path` is exact, e.g.
 * "/api/v3/order").
 */
export interface FaultScope {
  readonly times?: number;
  readonly forMs?: number;
  readonly method?: string;
  readonly path?: string;
}

export type HttpErrorStatus = 500 | 502 | 503 | 504;

/** Faults of the REST API, matched against requests. */
export type HttpFault =
  /** Delays the response by `ms` (the request is processed after the delay). Default scope: every API request. */
  | ({ readonly kind: 'latency'; readonly ms: number } & FaultScope)
  /**
   * The request is processed (an order is placed and committed), then no response comes: the
   * socket stays silent until the client gives up ('hang', default) or is destroyed ('destroy').
   * Default scope: POST /api/v3/order.
   */
  | ({ readonly kind: 'timeout'; readonly mode?: 'hang' | 'destroy' } & FaultScope)
  /**
   * A 5xx answer, 'before' the request is processed (nothing happens) or 'after' it (the order
   * exists). Body 'binance' is Binance's JSON (500: -1006, 502 and 503: -1001, 504: -1007);
   * 'gateway' a proxy's HTML page. Default body: 'gateway' for 502 and 503, else 'binance'.
   * Default scope: POST /api/v3/order.
   */
  | ({ readonly kind: 'http_error'; readonly status: HttpErrorStatus; readonly when?: 'before' | 'after'; readonly body?: 'binance' | 'gateway' } & FaultScope)
  /**
   * 429 (-1003) with Retry-After; any request during that back-off window gets 418 with
   * Retry-After and bans for `banSeconds` from then. Default scope: every API request.
   */
  | ({ readonly kind: 'rate_limit'; readonly retryAfterSeconds?: number; readonly banSeconds?: number } & FaultScope)
  /**
   * The next placements answer -2010 "Duplicate order sent."; with `placeOrder: true` the order is
   * placed (and exists) first, otherwise nothing is placed.
   */
  | ({ readonly kind: 'duplicate'; readonly placeOrder?: boolean } & FaultScope)
  /**
   * The next placed orders stay invisible for `seconds` to GET order (-2013), openOrders and
   * allOrders — Binance's order queries read a database that can lag the matching engine by a
   * minute — while their trades show in myTrades (read from the engine's memory first). With
   * `everywhere`, their trades are hidden too.
   */
  | ({ readonly kind: 'invisible'; readonly seconds: number; readonly everywhere?: boolean } & FaultScope);

/** Every injectable fault: the REST API's and the market streams' (market-fault-spec.ts). */
export type SandboxFault = HttpFault | MarketDataFault;

export type FaultKind = HttpFault['kind'];

const KINDS: readonly FaultKind[] = ['latency', 'timeout', 'http_error', 'rate_limit', 'duplicate', 'invisible'];
const ORDER_SCOPE = { method: 'POST', path: '/api/v3/order' } as const;

/** The requests a fault matches when it names none. */
export function defaultScope(kind: FaultKind): { readonly method?: string; readonly path?: string } {
  return kind === 'latency' || kind === 'rate_limit' ? {} : ORDER_SCOPE;
}

export class FaultSpecError extends Error {}

/** Validates a fault from JSON (or from code); throws FaultSpecError with what is wrong. */
export function parseFault(input: unknown): SandboxFault {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FaultSpecError('a fault must be an object');
  const raw = input as Record<string, unknown>;
  if (isMarketDataFaultKind(raw.kind)) return parseMarketFault(raw, (message) => new FaultSpecError(message));
  const kind = raw.kind as FaultKind;
  if (!KINDS.includes(kind)) throw new FaultSpecError(`kind must be one of ${[...KINDS, ...MARKET_FAULT_KINDS].join(', ')}`);
  const scope = {
    ...optionalCount(raw, 'times', 1, 1_000_000),
    ...optionalCount(raw, 'forMs', 1, 86_400_000),
    ...optionalText(raw, 'method', /^(GET|POST|PUT|DELETE)$/),
    ...optionalText(raw, 'path', /^\/[\w/.-]{0,200}$/),
  };
  switch (kind) {
    case 'latency':
      return { kind, ms: requiredCount(raw, 'ms', 0, 600_000), ...scope };
    case 'timeout':
      return { kind, ...optionalText(raw, 'mode', /^(hang|destroy)$/), ...scope } as SandboxFault;
    case 'http_error': {
      const status = raw.status;
      if (status !== 500 && status !== 502 && status !== 503 && status !== 504) throw new FaultSpecError('status must be 500, 502, 503 or 504');
      return { kind, status, ...optionalText(raw, 'when', /^(before|after)$/), ...optionalText(raw, 'body', /^(binance|gateway)$/), ...scope } as SandboxFault;
    }
    case 'rate_limit':
      return {
        kind,
        ...optionalCount(raw, 'retryAfterSeconds', 1, 86_400),
        ...optionalCount(raw, 'banSeconds', 1, 86_400),
        ...scope,
      };
    case 'duplicate':
      if (raw.placeOrder !== undefined && typeof raw.placeOrder !== 'boolean') throw new FaultSpecError('placeOrder must be a boolean');
      return { kind, ...(raw.placeOrder !== undefined ? { placeOrder: raw.placeOrder } : {}), ...scope };
    case 'invisible':
      if (raw.everywhere !== undefined && typeof raw.everywhere !== 'boolean') throw new FaultSpecError('everywhere must be a boolean');
      return { kind, seconds: requiredCount(raw, 'seconds', 0, 86_400, true), ...(raw.everywhere !== undefined ? { everywhere: raw.everywhere } : {}), ...scope };
  }
}

function requiredCount(raw: Record<string, unknown>, key: string, min: number, max: number, fractional = false): number {
  const value = raw[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (!fractional && !Number.isInteger(value))) {
    throw new FaultSpecError(`${key} must be ${fractional ? 'a number' : 'an integer'} in [${min}, ${max}]`);
  }
  return value;
}

function optionalCount(raw: Record<string, unknown>, key: string, min: number, max: number): Record<string, number> {
  return raw[key] === undefined ? {} : { [key]: requiredCount(raw, key, min, max) };
}

function optionalText(raw: Record<string, unknown>, key: string, pattern: RegExp): Record<string, string> {
  const value = raw[key];
  if (value === undefined) return {};
  if (typeof value !== 'string' || !pattern.test(value)) throw new FaultSpecError(`${key} must match ${pattern.source}`);
  return { [key]: value };
}
