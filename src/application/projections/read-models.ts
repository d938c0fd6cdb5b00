import type { FuturesSettings } from '../../domain/accounts/futures-settings.js';
import type { ReconciliationDifference, UserRole } from '../../domain/events.js';

/** Names and shapes of the read-model documents (what the REST API returns). Decimals are strings. */
export const C = {
  signals: 'signals',
  orders: 'orders',
  fills: 'fills',
  positions: 'positions',
  balances: 'balances',
  accounts: 'accounts',
  strategies: 'strategies',
  system: 'system',
  users: 'users',
} as const;
export type Collection = (typeof C)[keyof typeof C];

export type SignalOutcome = 'pending' | 'accepted' | 'rejected' | 'partially_rejected' | 'skipped';

export interface SignalView {
  readonly signalId: string;
  readonly strategyId: string;
  readonly receivedAt: string;
  readonly format?: string;
  readonly idempotencyKey: string;
  readonly signal?: Record<string, string>;
  readonly outcome: SignalOutcome;
  readonly rejection?: { readonly code: string; readonly message: string };
  /** a refused alert: what was received, as far as it could be read (a few fields, never a credential) */
  readonly received?: Record<string, string>;
  readonly orders: { readonly accountId: string; readonly clientOrderId: string; readonly outcome: 'approved' | 'rejected'; readonly status: string; reasons?: { code: string; message: string }[] }[];
  readonly skipped: { readonly accountId: string; readonly code: string; readonly message: string }[];
  /** the same alert came again this many times (answered as the original; nothing traded again) */
  readonly repeats?: { readonly count: number; readonly lastAt: string };
}

export interface OrderView {
  readonly clientOrderId: string;
  readonly accountId: string;
  readonly strategyId: string;
  readonly signalId: string;
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly quantity: string;
  readonly limitPrice?: string;
  readonly referencePrice: string;
  readonly reduceOnly: boolean;
  readonly status: string;
  readonly exchangeOrderId?: string;
  readonly filledQuantity: string;
  readonly averageFillPrice?: string;
  readonly fees: string;
  reasons?: { code: string; message: string }[];
  readonly statusReason?: string;
  /** where the price the order was decided on came from, and its age then (ms) */
  readonly priceSource?: string;
  readonly priceAgeMs?: number;
  /** what was asked for before rounding to the market's step / tick, when rounding changed it */
  readonly requestedQuantity?: string;
  readonly requestedLimitPrice?: string;
  /** what the exchange holds when it differs from `quantity` / `limitPrice` (rounded to its step / tick) */
  readonly sentQuantity?: string;
  readonly sentPrice?: string;
  /** what was changed to fit the exchange's rules, in words */
  readonly adjustments?: string[];
  /** the trigger price of a stop / take-profit order (issue 17) */
  readonly stopPrice?: string;
  /** a trailing stop's distance in percent (its first trigger is `stopPrice`; issue 17) */
  readonly trailingPercent?: string;
  /** a trailing stop's distance in price (issue 17) */
  readonly trailingDistance?: string;
  /** a bracket child: its entry and its leg (issue 17) */
  readonly parent?: { readonly clientOrderId: string; readonly role: 'take_profit' | 'stop' | 'exit'; readonly index: number; readonly generation?: number };
  readonly orderList?: { readonly listClientOrderId: string; readonly leg: 'limit' | 'stop'; readonly siblingClientOrderId: string };
  /** issue 17: PATRIOT holds the trigger (status `armed` until the price crosses it; then sent as a market / limit order) */
  readonly managed?: boolean;
  /** issue 17: a PATRIOT-managed order's trigger now (a trailing stop's moves with the best price, `trailExtreme`) */
  readonly currentTrigger?: string;
  readonly trailExtreme?: string;
  /** issue 17: when the account's exchange price crossed the trigger, and at what price */
  readonly triggered?: { readonly trigger: string; readonly price: string; readonly source: string; readonly at: string };
  /** a cancel asked for and not answered yet: who asked, why, when (issue 17) */
  readonly cancelRequested?: { readonly by: string; readonly reason: string; readonly at: string };
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface FillView {
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly accountId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: string;
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
  readonly feeCurrency: string;
  readonly liquidity: string;
  readonly filledAt: string;
}

export interface PositionView {
  readonly accountId: string;
  readonly symbol: string;
  readonly quantity: string;
  readonly averageEntryPrice: string;
  readonly realizedPnl: string;
  readonly feesPaid: string;
  readonly updatedAt: string;
}

export interface BalanceView {
  readonly accountId: string;
  readonly asset: string;
  readonly total: string;
  readonly updatedAt: string;
}

export interface AccountView {
  readonly accountId: string;
  readonly name: string;
  readonly exchange: string;
  readonly quoteAsset: string;
  readonly killSwitch: { readonly engaged: boolean; readonly reason?: string; readonly actions?: KillSwitchActionsView };
  readonly openedAt: string;
  /** the exchange API key on file (masked); never the secret */
  readonly credentials?: { readonly apiKeyHint: string; readonly updatedAt: string };
  /** the last comparison with the exchange that found differences */
  readonly lastReconciliation?: { readonly at: string; readonly trigger: string; readonly differences: ReconciliationDifference[] };
  /** a ccxt account's market type (absent: paper, or an account opened before it was shown) */
  readonly marketType?: 'spot' | 'swap';
  /** a swap account's leverage and margin mode (issue 17) and when they last changed */
  readonly futures?: FuturesSettings;
  readonly futuresUpdatedAt?: string;
}

/** The kill switch's latest actions on an account (issue 17): pending until the routing leader has recorded them. */
export interface KillSwitchActionsView {
  readonly requestId: string;
  readonly cancelOrders: boolean;
  readonly flatten: boolean;
  readonly by: string;
  readonly requestedAt: string;
  readonly status: 'pending' | 'done';
  readonly doneAt?: string;
  /** the open orders it asked to cancel */
  readonly cancelled?: string[];
  /** the close signals it recorded, one per strategy and symbol */
  readonly closes?: { strategyId: string; symbol: string; signalId: string }[];
}

export interface UserView {
  readonly userId: string;
  readonly name: string;
  readonly role: UserRole;
  readonly registeredAt: string;
  /** an admin disabled the user: none of their credentials is accepted */
  readonly disabled?: boolean;
}

export interface SystemView {
  readonly killSwitch: { readonly engaged: boolean; readonly reason?: string };
}
