/**
 * Stable codes of definitive refusals reported by the ccxt adapter (`PlaceOrderResult.rejected`).
 * Where a code means the same as the paper exchange's (LOT_SIZE, PRICE_FILTER, MIN_NOTIONAL,
 * INSUFFICIENT_BALANCE, UNKNOWN_SYMBOL, INVALID_ORDER) it is spelled the same.
 */
export const RejectCode = {
  /** malformed or unsupported order (bad parameter, unsupported type) */
  INVALID_ORDER: 'INVALID_ORDER',
  /** quantity is not a multiple of the step, or rounds down to zero */
  LOT_SIZE: 'LOT_SIZE',
  MIN_QTY: 'MIN_QTY',
  MAX_QTY: 'MAX_QTY',
  /** price off the tick or outside the allowed band */
  PRICE_FILTER: 'PRICE_FILTER',
  MIN_NOTIONAL: 'MIN_NOTIONAL',
  MAX_NOTIONAL: 'MAX_NOTIONAL',
  INSUFFICIENT_BALANCE: 'INSUFFICIENT_BALANCE',
  UNKNOWN_SYMBOL: 'UNKNOWN_SYMBOL',
  MARKET_CLOSED: 'MARKET_CLOSED',
  /** a one-cancels-other list whose prices do not straddle the market (issue 17) */
  OCO_PRICES_WRONG_SIDE: 'OCO_PRICES_WRONG_SIDE',
  /** a maker-only order would have taken */
  WOULD_MATCH: 'WOULD_MATCH',
  /** e.g. a reduce-only order that reduces nothing */
  NOT_FILLABLE: 'NOT_FILLABLE',
  MAX_NUM_ORDERS: 'MAX_NUM_ORDERS',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  /** the exchange refused the order for a reason without a more specific code */
  EXCHANGE_REJECTED: 'EXCHANGE_REJECTED',
  /** credentials refused (bad key, signature, IP, permissions); the account is disabled */
  AUTH: 'AUTH',
  /** the circuit breaker of the exchange is open: nothing was sent */
  CIRCUIT_OPEN: 'CIRCUIT_OPEN',
  /** the local rate limiter would have to wait longer than allowed: nothing was sent */
  RATE_LIMITED: 'RATE_LIMITED',
  /** the exchange could not be reached before the request left (markets not loaded, client not set up): nothing was sent */
  EXCHANGE_UNAVAILABLE: 'EXCHANGE_UNAVAILABLE',
  /** the request was refused twice for clock skew (nothing reached the matching engine) */
  CLOCK_SKEW: 'CLOCK_SKEW',
  /** the account is not registered with the gateway */
  UNKNOWN_ACCOUNT: 'UNKNOWN_ACCOUNT',
} as const;
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];
