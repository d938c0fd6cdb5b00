/**
 * Every event PATRIOT records, as one discriminated union. Decimals are canonical
 * decimal strings; times are ISO-8601 strings decided by the application's Clock.
 *
 * Streams:
 *   user-<userId>           UserRegistered, then UserDisabled, UserEnabled, UserRoleChanged, UserPasswordReset, UserApiKeyRevoked (an admin's changes)
 *   account-<accountId>     AccountOpened, KillSwitchEngaged, KillSwitchReleased, KillSwitchActionsRequested, KillSwitchActionsDone, AccountReconciled, AccountBalancesObserved, AccountCredentialsChanged, AccountFuturesSettingsChanged
 *   system-<tenantId>       GlobalKillSwitchEngaged, GlobalKillSwitchReleased (all of that tenant's accounts)
 *   strategy-<strategyId>   StrategyConfigured, then StrategyPaused, StrategyResumed, StrategyDeleted (ADR-0019)
 *   signal-<signalId>       SignalReceived | SignalRejected, then SignalProcessed
 *   repeats-<signalId>      AlertRepeated, each time the same alert came again
 *   order-<clientOrderId>   OrderApproved | OrderRejected, then exchange outcomes and fills (and OrderCancelRequested)
 */
import type { StrategyConfig } from './strategies/strategy.js';
import type { AccountConfig } from './accounts/account.js';
import type { FuturesSettings } from './accounts/futures-settings.js';
import type { NormalizedSignal } from './signals/signal.js';
import type { BracketPlan } from './orders/bracket.js';

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | ConditionalOrderType;
/**
 * Issue 17: orders that wait on the exchange for their trigger (`stopPrice`), then execute as a
 * market order or rest as a limit order. Stop: triggers when the price moves against the side
 * (a sell at or below the stop, a buy at or above); take-profit: the other way. As Binance's
 * STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT.
 */
export type ConditionalOrderType = 'stop_market' | 'stop_limit' | 'take_profit' | 'take_profit_limit';

export interface RiskReason {
  /** stable code, e.g. MAX_ORDER_NOTIONAL, KILL_SWITCH, SYMBOL_NOT_ALLOWED */
  readonly code: string;
  readonly message: string;
}

export interface OrderIntent {
  readonly clientOrderId: string;
  readonly accountId: string;
  readonly strategyId: string;
  readonly signalId: string;
  /** unified symbol, e.g. BTC/USDT */
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: string;
  readonly limitPrice?: string;
  /** the trigger price of a stop or take-profit order (issue 17) */
  readonly stopPrice?: string;
  /** a trailing stop (issue 17): the stop follows the best price at this distance, in percent (`stopPrice` is its first trigger) */
  readonly trailingPercent?: string;
  /** issue 17: a trailing stop's distance in price (quote currency); the exchange must trail by price natively */
  readonly trailingDistance?: string;
  /** price used for sizing and risk (the account's own exchange price at decision time) */
  readonly referencePrice: string;
  /** where that price came from (e.g. "binance:ws-a", "synthetic") and how old it was, in ms */
  readonly priceSource?: string;
  readonly priceAgeMs?: number;
  /** what was asked for before rounding to the market's step and tick, when rounding changed it (never silent) */
  readonly requestedQuantity?: string;
  readonly requestedLimitPrice?: string;
  readonly reduceOnly: boolean;
  /** issue 17: an entry with take-profit legs and a stop-loss, managed as a bracket */
  readonly bracket?: BracketPlan;
  /** issue 17: a child of a bracket: its entry, and which leg it is */
  readonly parent?: { readonly clientOrderId: string; readonly role: 'take_profit' | 'stop' | 'exit'; readonly index: number; readonly generation?: number };
  /**
   * issue 17: a leg of a one-cancels-other list the exchange holds natively (Binance spot order
   * lists): both legs leave in one request, and the exchange ends the sibling when one fills.
   */
  readonly orderList?: { readonly listClientOrderId: string; readonly leg: 'limit' | 'stop'; readonly siblingClientOrderId: string };
  /**
   * issue 17: PATRIOT holds the trigger (the account's exchange cannot hold this conditional order
   * natively): the order is armed, never sent, until the account's exchange price crosses its
   * trigger (OrderTriggered); it then leaves as a market order, or a limit order for the *_limit
   * types, with the same clientOrderId.
   */
  readonly managed?: true;
}

export type UserRole = 'admin' | 'trader' | 'viewer';

export type PatriotEvent =
  | { readonly type: 'UserRegistered'; readonly data: { readonly userId: string; readonly tenantId: string; readonly name: string; readonly role: UserRole } }
  /** An admin stopped every credential of the user (tokens, API keys, live streams) at once. */
  | { readonly type: 'UserDisabled'; readonly data: { readonly userId: string; readonly by: string } }
  | { readonly type: 'UserEnabled'; readonly data: { readonly userId: string; readonly by: string } }
  | { readonly type: 'UserRoleChanged'; readonly data: { readonly userId: string; readonly role: UserRole; readonly previousRole: UserRole; readonly by: string } }
  /** An admin set a new password: the user's sessions end (the password itself is never recorded). */
  | { readonly type: 'UserPasswordReset'; readonly data: { readonly userId: string; readonly by: string } }
  | { readonly type: 'UserApiKeyRevoked'; readonly data: { readonly userId: string; readonly keyId: string; readonly by: string } }
  | { readonly type: 'AccountOpened'; readonly data: AccountConfig }
  | { readonly type: 'KillSwitchEngaged'; readonly data: { readonly accountId: string; readonly reason: string } }
  | { readonly type: 'KillSwitchReleased'; readonly data: { readonly accountId: string } }
  /**
   * With the kill switch (issue 17): cancel the account's open orders, and flatten (close every
   * strategy's position once no order is open). Done by the routing leader, then KillSwitchActionsDone.
   */
  | { readonly type: 'KillSwitchActionsRequested'; readonly data: { readonly accountId: string; readonly requestId: string; readonly cancelOrders: boolean; readonly flatten: boolean; readonly by: string } }
  /** What the kill switch's actions recorded: the cancel requests and the close signals (one per strategy and symbol). */
  | {
      readonly type: 'KillSwitchActionsDone';
      readonly data: {
        readonly accountId: string;
        readonly requestId: string;
        readonly cancelled: readonly string[];
        readonly closes: readonly { readonly strategyId: string; readonly symbol: string; readonly signalId: string }[];
      };
    }
  | { readonly type: 'GlobalKillSwitchEngaged'; readonly data: { readonly reason: string } }
  | { readonly type: 'GlobalKillSwitchReleased'; readonly data: Record<string, never> }
  | { readonly type: 'StrategyConfigured'; readonly data: StrategyConfig }
  | {
      readonly type: 'SignalReceived';
      readonly data: {
        readonly signalId: string;
        readonly strategyId: string;
        readonly idempotencyKey: string;
        readonly receivedAt: string;
        /** sha256 of the raw body (the body itself may hold the secret and is not stored) */
        readonly bodySha256: string;
        readonly format: string;
        readonly signal: NormalizedSignal;
        /** only this account of the strategy (a close asked through the API or the dashboard); absent: all of them */
        readonly accountId?: string;
      };
    }
  | {
      /** An authenticated alert that could not be accepted; kept as an audit record. */
      readonly type: 'SignalRejected';
      readonly data: {
        readonly signalId: string;
        readonly strategyId: string;
        readonly idempotencyKey: string;
        readonly receivedAt: string;
        readonly bodySha256: string;
        readonly code: string;
        readonly message: string;
        /** what was received, as far as it could be read (issue 20): a few fields, cut short, never one that may hold a secret */
        readonly received?: Readonly<Record<string, string>>;
      };
    }
  | {
      /** The same alert again (same id, or same body): answered as the original, recorded so the trader sees the repeat. */
      readonly type: 'AlertRepeated';
      readonly data: { readonly signalId: string; readonly receivedAt: string; readonly bodySha256: string };
    }
  | {
      readonly type: 'SignalProcessed';
      readonly data: {
        readonly signalId: string;
        readonly orders: readonly { readonly accountId: string; readonly clientOrderId: string; readonly outcome: 'approved' | 'rejected' }[];
        /** accounts the signal produced no order for (e.g. already at target position), with why */
        readonly skipped: readonly { readonly accountId: string; readonly code: string; readonly message: string }[];
        /** a `cancel` alert: the open orders it asked to cancel (absent for other alerts) */
        readonly cancels?: readonly { readonly accountId: string; readonly clientOrderId: string }[];
      };
    }
  | { readonly type: 'OrderApproved'; readonly data: OrderIntent }
  | { readonly type: 'OrderRejected'; readonly data: OrderIntent & { readonly reasons: readonly RiskReason[] } }
  | {
      readonly type: 'OrderAccepted';
      readonly data: {
        readonly clientOrderId: string;
        readonly accountId: string;
        readonly exchangeOrderId: string;
        /** the quantity the exchange holds, when it differs from the intent's (rounded to the exchange's step); absent in older events */
        readonly sentQuantity?: string;
        /** the limit price the exchange holds, when it differs from the intent's (rounded to the exchange's tick) */
        readonly sentPrice?: string;
        /** what was changed to fit the exchange's rules, in words */
        readonly adjustments?: readonly string[];
      };
    }
  | {
      readonly type: 'OrderExchangeRejected';
      readonly data: { readonly clientOrderId: string; readonly accountId: string; readonly code: string; readonly reason: string };
    }
  | { readonly type: 'OrderStatusUnknown'; readonly data: { readonly clientOrderId: string; readonly accountId: string; readonly reason: string } }
  /** A limit order held back: the account is at the exchange's open-order cap. Nothing was sent. */
  | {
      readonly type: 'OrderParked';
      readonly data: { readonly clientOrderId: string; readonly accountId: string; readonly openOrders: number; readonly cap: number };
    }
  /**
   * The account was compared with its exchange (at start-up, on taking it over, after a
   * reconnect) and they differ. An observation for the user: nothing is changed by it; orders
   * that differ are looked up and their facts recorded as order events.
   */
  | {
      readonly type: 'AccountReconciled';
      readonly data: { readonly accountId: string; readonly trigger: string; readonly differences: readonly ReconciliationDifference[] };
    }
  /**
   * The account's balances as its exchange reports them, adopted as the account's balances (read
   * when the account connects, after a reconnect and periodically; only while none of its orders
   * is live, so no fill is counted twice). `cleared`: assets PATRIOT held that the exchange no longer reports.
   */
  | {
      readonly type: 'AccountBalancesObserved';
      readonly data: { readonly accountId: string; readonly trigger: string; readonly balances: readonly { readonly asset: string; readonly total: string }[]; readonly cleared: readonly string[] };
    }
  /** The account's exchange API credentials were set (sealed in the vault; only a hint is recorded) or removed. */
  | {
      readonly type: 'AccountCredentialsChanged';
      readonly data: { readonly accountId: string; readonly apiKeyHint?: string; readonly removed: boolean };
    }
  /** A swap account's leverage and margin mode were set (the whole settings, default and per symbol; issue 17). */
  | {
      readonly type: 'AccountFuturesSettingsChanged';
      readonly data: { readonly accountId: string; readonly settings: FuturesSettings; readonly by: string };
    }
  /** A parked order is about to be sent (room freed on the exchange). */
  | { readonly type: 'OrderReleased'; readonly data: { readonly clientOrderId: string; readonly accountId: string } }
  /**
   * issue 17: an armed PATRIOT-managed order's trigger was crossed by the account's exchange price
   * (`price`, quoted at `quotedAt`, from `source`): it is about to be sent as a market (or limit) order.
   */
  | {
      readonly type: 'OrderTriggered';
      readonly data: { readonly clientOrderId: string; readonly accountId: string; readonly trigger: string; readonly price: string; readonly source: string; readonly quotedAt: string };
    }
  /** issue 17: an armed PATRIOT-managed trailing stop followed the best price (`extreme`) to a new trigger. */
  | { readonly type: 'OrderTrailMoved'; readonly data: { readonly clientOrderId: string; readonly accountId: string; readonly extreme: string; readonly trigger: string } }
  /**
   * The order is about to leave for the exchange (recorded before the request; ADR-0011). An order
   * with an attempt and no outcome may be on the exchange: it is looked up, never sent again.
   */
  | { readonly type: 'OrderSubmitted'; readonly data: { readonly clientOrderId: string; readonly accountId: string; readonly attempt: number } }
  | {
      readonly type: 'OrderFilled';
      readonly data: {
        readonly clientOrderId: string;
        readonly accountId: string;
        readonly strategyId: string;
        readonly tradeId: string;
        readonly symbol: string;
        readonly side: OrderSide;
        readonly quantity: string;
        readonly price: string;
        readonly fee: string;
        readonly feeCurrency: string;
        readonly liquidity: 'maker' | 'taker';
        readonly filledAt: string;
        /** cumulative filled quantity after this fill */
        readonly cumulativeQuantity: string;
        /** true when this fill completes the order */
        readonly complete: boolean;
      };
    }
  | { readonly type: 'OrderCancelled'; readonly data: { readonly clientOrderId: string; readonly accountId: string; readonly reason: string } }
  | { readonly type: 'OrderExpired'; readonly data: { readonly clientOrderId: string; readonly accountId: string } }
  // Strategy control (ADR-0019), on the strategy's stream after its StrategyConfigured:
  /** Its alerts are recorded and refused (STRATEGY_PAUSED) until it is resumed. */
  | { readonly type: 'StrategyPaused'; readonly data: { readonly strategyId: string; readonly by: string; readonly reason: string } }
  | { readonly type: 'StrategyResumed'; readonly data: { readonly strategyId: string; readonly by: string } }
  /** Gone: its webhook answers like an unknown strategy; its signals and orders stay in the log. */
  | { readonly type: 'StrategyDeleted'; readonly data: { readonly strategyId: string; readonly by: string } }
  // ---- order lifecycle (issue 17): cancel
  /**
   * Someone asked for the order to be cancelled (recorded before the exchange is asked, like
   * OrderSubmitted before a placement). The order's status does not change by it: the exchange's
   * answer (OrderCancelled, or the fills that beat the cancel) does. `by`: who ("user:<id>",
   * "alert:<signalId>", ...); `reason`: why, in words.
   */
  | { readonly type: 'OrderCancelRequested'; readonly data: { readonly clientOrderId: string; readonly accountId: string; readonly by: string; readonly reason: string } }
  // ---- how an account's connection to its exchange is (issue 19: told to the user), on `health-<accountId>`, recorded by its owner on a change
  /** the account's exchange host's circuit breaker opened (new orders are refused at once) or closed again */
  | {
      readonly type: 'ExchangeCircuitChanged';
      readonly data: { readonly accountId: string; readonly exchange: string; readonly state: 'open' | 'closed'; readonly reason?: string; readonly retryAt?: string };
    }
  /** the account's prices went stale (older than the allowed age: nothing is decided on them) or fresh again */
  | {
      readonly type: 'AccountPricesChanged';
      readonly data: { readonly accountId: string; readonly exchange: string; readonly state: 'stale' | 'fresh'; readonly symbols: readonly string[]; readonly oldestAgeMs?: number };
    }
  /** a node took the account's order flow (on `owner-<accountId>`, when it is not the node that had it last) */
  | { readonly type: 'AccountOwnerChanged'; readonly data: { readonly accountId: string; readonly nodeId: string; readonly previousNodeId?: string } };

export type ReconciliationDifference =
  /** our balance (from recorded fills) and the exchange's total differ */
  | { readonly kind: 'balance'; readonly asset: string; readonly recorded: string; readonly exchange: string }
  /** an open order on the exchange that PATRIOT did not place */
  | { readonly kind: 'foreign_order'; readonly clientOrderId: string; readonly exchangeOrderId: string; readonly symbol: string }
  /** open on the exchange, but final in our log */
  | { readonly kind: 'open_on_exchange_only'; readonly clientOrderId: string; readonly exchangeOrderId: string; readonly symbol: string };

export type PatriotEventType = PatriotEvent['type'];
export type EventOf<T extends PatriotEventType> = Extract<PatriotEvent, { type: T }>;

export const streams = {
  user: (userId: string) => `user-${userId}`,
  account: (accountId: string) => `account-${accountId}`,
  /** the tenant-wide kill switch (one stream per tenant) */
  system: (tenantId: string) => `system-${tenantId}`,
  strategy: (strategyId: string) => `strategy-${strategyId}`,
  signal: (signalId: string) => `signal-${signalId}`,
  /** the times an alert came again: apart from its signal's stream, so repeats never race the processor for versions */
  repeats: (signalId: string) => `repeats-${signalId}`,
  order: (clientOrderId: string) => `order-${clientOrderId}`,
  /** the account's exchange connection as its owner saw it change (issue 19) */
  health: (accountId: string) => `health-${accountId}`,
  /** the nodes that owned the account's order flow, in turn (issue 19) */
  owner: (accountId: string) => `owner-${accountId}`,
} as const;
