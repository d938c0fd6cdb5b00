/** Port: an exchange account we can trade on (paper simulator or a real exchange). */

export type OrderSide = 'buy' | 'sell';
export type { OrderType } from '../../domain/events.js';
import type { OrderType } from '../../domain/events.js';
import type { NativeTrigger } from '../../domain/orders/native-triggers.js';

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
  /** issue 17: the conditional orders the exchange holds natively on this market (absent: every stop and take-profit type, and trailing by percent); PATRIOT holds the rest */
  readonly nativeTriggers?: readonly NativeTrigger[];
  /** issue 17: the trailing percents the exchange accepts, inclusive (outside it PATRIOT holds the trail) */
  readonly trailingPercentRange?: { readonly min: string; readonly max: string };
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
  /** trigger price of a stop / take-profit order (issue 17) */
  readonly stopPrice?: string;
  /** a trailing stop: the distance the stop follows the best price at, in percent (issue 17) */
  readonly trailingPercent?: string;
  /** a trailing stop: the distance the stop follows the best price at, in price (issue 17; only where the exchange trails by price) */
  readonly trailingDistance?: string;
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
  /** trigger price of a stop / take-profit order (issue 17); for a trailing stop, its current trigger */
  readonly stopPrice?: string;
  readonly trailingPercent?: string;
  readonly trailingDistance?: string;
  readonly filledQuantity: string;
  readonly status: ExchangeOrderStatus;
  readonly fills: readonly ExchangeFill[];
  /** the exchange's id of the one-cancels-other list the order is a leg of (issue 17), when it is one */
  readonly orderListId?: string;
}

export type PlaceOrderResult =
  /** `adjustments`: notes on what was changed to fit the exchange's rules (rounding to its step or tick) */
  | { readonly kind: 'accepted'; readonly order: ExchangeOrder; readonly adjustments?: readonly string[] }
  /** Definitive: the exchange refused it and no order exists. */
  | { readonly kind: 'rejected'; readonly code: string; readonly reason: string }
  /** Timeout, 5xx, connection loss: the order may or may not exist. */
  | { readonly kind: 'unknown'; readonly reason: string }
  /**
   * Definitive: nothing was placed (rate limited, the exchange not reachable before the request
   * left), and the same request may be made again, not before `retryAfterMs` when given.
   */
  | { readonly kind: 'not_placed'; readonly code: string; readonly reason: string; readonly retryAfterMs?: number };

/**
 * A one-cancels-other order list (issue 17; Binance spot's `POST /api/v3/orderList/oco`): a
 * take-profit limit leg that rests as maker and a stop leg, both for the same quantity and side,
 * placed as one. Any fill of one leg expires the other at once; cancelling either leg cancels both.
 * The exchange holds the funds once for the list (the base of a sell, the quote of a buy).
 * Prices must straddle the market: a sell's limit above the last price and its stop below it; a
 * buy's limit below and its stop above. Otherwise the list is refused (`OCO_PRICES_WRONG_SIDE`).
 */
export interface PlaceOrderListRequest {
  /** deterministic like a clientOrderId; unique among the account's lists */
  readonly listClientOrderId: string;
  readonly symbol: string;
  /** both legs' side: a sell closes a long, a buy closes a short */
  readonly side: OrderSide;
  readonly quantity: string;
  /** the take-profit: a maker-only limit order */
  readonly limitLeg: { readonly clientOrderId: string; readonly price: string };
  /** the stop-loss: stop-market, or stop-limit when `limitPrice` is given */
  readonly stopLeg: { readonly clientOrderId: string; readonly stopPrice: string; readonly limitPrice?: string };
}

export type PlaceOrderListResult =
  | { readonly kind: 'accepted'; readonly limitLeg: ExchangeOrder; readonly stopLeg: ExchangeOrder; readonly adjustments?: readonly string[] }
  /** Definitive: neither leg exists (e.g. `OCO_PRICES_WRONG_SIDE`, `INSUFFICIENT_BALANCE`, `DUPLICATE_CLIENT_ORDER_ID`). */
  | { readonly kind: 'rejected'; readonly code: string; readonly reason: string }
  /** Timeout, 5xx, connection loss: the list may or may not exist (each leg can be looked up by its clientOrderId). */
  | { readonly kind: 'unknown'; readonly reason: string }
  | { readonly kind: 'not_placed'; readonly code: string; readonly reason: string; readonly retryAfterMs?: number };

/** What is known of an order whose outcome was lost, to look for it everywhere the exchange could show it. */
export interface OrderSearch {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** the quantity asked (the gateway applies the same rounding as when it sent it) */
  readonly quantity: string;
  readonly limitPrice?: string;
  /** epoch ms, no later than the moment the order could first have left (the gateway looks from a little before it) */
  readonly sentFrom: number;
  /**
   * Only the order query: inside the exchange's visibility window absence is not concluded
   * anyway, so the costlier sources (order history, trades) wait until it has passed.
   */
  readonly quick?: boolean;
}

export type OrderSearchResult =
  /** `source`: where it was seen (e.g. 'order query', 'order list', 'trades') */
  | { readonly kind: 'found'; readonly order: ExchangeOrder; readonly source: string }
  /** every source was asked, and answered, and none shows the order or a fill that could be it */
  | { readonly kind: 'absent'; readonly sources: readonly string[] }
  /** absence cannot be established: a source failed (named in `unread`), or a fill that could be this order cannot be told apart */
  | { readonly kind: 'inconclusive'; readonly unread: readonly string[]; readonly reason: string };

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
   * Looks for an order everywhere the exchange could show it (its order query, the account's
   * orders and trades since `sentFrom`), for an order whose answer was lost. `absent` only when
   * every source answered and none shows it; a failed source is `inconclusive`. Gateways without
   * it are asked `fetchOrder` alone (the paper exchange is consistent at once). Never throws for
   * an exchange failure (that is `inconclusive`).
   */
  searchOrder?(accountId: string, clientOrderId: string, search: OrderSearch): Promise<OrderSearchResult>;
  /**
   * Whether a placement request with this clientOrderId ever reached the exchange: `false` only
   * when the exchange proves it never did (the paper exchange counts every request it receives),
   * `undefined` when it cannot tell (a real exchange keeps no trace of a refused request).
   */
  placementReceived?(accountId: string, clientOrderId: string): Promise<boolean | undefined>;
  /**
   * Whether the account's exchange has native one-cancels-other lists (issue 17): brackets then
   * pair each take-profit with its share of the stop in a list instead of PATRIOT cancelling the
   * sibling. Absent or false: PATRIOT manages the pair.
   */
  placesOrderLists?(accountId: string): boolean;
  /** Places a one-cancels-other list (only where `placesOrderLists` says so). */
  placeOrderList?(accountId: string, request: PlaceOrderListRequest): Promise<PlaceOrderListResult>;
  /** Cancels an order; where it is a leg of a one-cancels-other list, the exchange cancels the whole list. */
  cancelOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null>;
  fetchOpenOrders(accountId: string): Promise<ExchangeOrder[]>;
  fetchBalances(accountId: string): Promise<Balance[]>;
  /** Pushes order updates (fills, cancels) like an exchange's user-data stream. */
  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void;
}
