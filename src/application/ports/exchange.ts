/** Port: an exchange account we can trade on (paper simulator or a real exchange). */

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit';

export interface Market {
  /** Unified symbol, e.g. "BTC/USDT". */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Price increment, decimal string. */
  readonly tickSize: string;
  /** Quantity increment, decimal string. */
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly minNotional: string;
  /** 'halted' when the exchange lists it but does not trade it now; absent means trading */
  readonly status?: MarketStatus;
  /** the exchange's own symbol when it differs (ccxt's, e.g. "BTC/USDT:USDT" for a perpetual) */
  readonly exchangeSymbol?: string;
}

export type MarketStatus = 'trading' | 'halted';

export interface PlaceOrderRequest {
  /** Deterministic, 32 lowercase hex chars. The exchange keeps it unique per account. */
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: string;
  readonly limitPrice?: string;
  readonly reduceOnly?: boolean;
}

export type ExchangeOrderStatus = 'open' | 'partially_filled' | 'filled' | 'cancelled' | 'expired' | 'rejected';

export interface ExchangeFill {
  /** Unique per account on the exchange. */
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly exchangeOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
  readonly feeCurrency: string;
  readonly liquidity: 'maker' | 'taker';
  /** ISO-8601 */
  readonly time: string;
}

export interface ExchangeOrder {
  readonly clientOrderId: string;
  readonly exchangeOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: string;
  readonly limitPrice?: string;
  readonly filledQuantity: string;
  readonly status: ExchangeOrderStatus;
  readonly fills: readonly ExchangeFill[];
}

export type PlaceOrderResult =
  | { readonly kind: 'accepted'; readonly order: ExchangeOrder }
  /** Definitive: the exchange refused it and no order exists. */
  | { readonly kind: 'rejected'; readonly code: string; readonly reason: string }
  /** Timeout, 5xx, connection loss: the order may or may not exist. */
  | { readonly kind: 'unknown'; readonly reason: string }
  /**
   * Definitive: nothing was placed (rate limited, the exchange not reachable before the request
   * left), and the same request may be made again, not before `retryAfterMs` when given.
   */
  | { readonly kind: 'not_placed'; readonly code: string; readonly reason: string; readonly retryAfterMs?: number };

export interface Balance {
  readonly asset: string;
  readonly total: string;
  readonly available: string;
}

export interface OrderUpdate {
  readonly accountId: string;
  readonly order: ExchangeOrder;
  /** The fill that caused this update, if any. */
  readonly fill?: ExchangeFill;
}

export interface ExchangeGateway {
  /** Markets this exchange lists (loaded at start). */
  markets(): readonly Market[];
  placeOrder(accountId: string, request: PlaceOrderRequest): Promise<PlaceOrderResult>;
  /**
   * `null` means the exchange definitively has no order with this clientOrderId; a failed or
   * inconclusive look-up throws. `symbol` is the order's (some exchanges need it to look up).
   */
  fetchOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null>;
  /**
   * Whether a placement request with this clientOrderId ever reached the exchange: `false` only
   * when the exchange proves it never did (the paper exchange counts every request it receives),
   * `undefined` when it cannot tell (a real exchange keeps no trace of a refused request).
   */
  placementReceived?(accountId: string, clientOrderId: string): Promise<boolean | undefined>;
  cancelOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null>;
  fetchOpenOrders(accountId: string): Promise<ExchangeOrder[]>;
  fetchBalances(accountId: string): Promise<Balance[]>;
  /** Pushes order updates (fills, cancels) like an exchange's user-data stream. */
  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void;
}
