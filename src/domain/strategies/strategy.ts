import type { RiskLimits } from '../risk/limits.js';

export type SizingRule =
  /** always this base quantity */
  | { readonly kind: 'fixed_quantity'; readonly quantity: string }
  /** spend this quote amount (quantity = amount / price, rounded down to the step) */
  | { readonly kind: 'quote_amount'; readonly amount: string }
  /** the alert's own quantity ({{strategy.order.contracts}}) times a multiplier */
  | { readonly kind: 'signal_quantity'; readonly multiplier: string }
  /** bring the strategy's position to the alert's {{strategy.position_size}} times a multiplier (ADR-0019) */
  | { readonly kind: 'target_position'; readonly multiplier: string }
  /** spend this percent of the account's equity (quote balance + holdings at their price + futures PnL) per order */
  | { readonly kind: 'percent_of_equity'; readonly percent: string }
  /** spend this percent of the account's quote balance per order */
  | { readonly kind: 'percent_of_balance'; readonly percent: string }
  /** exits: sell (buy back) this percent of the strategy's position; a close closes this percent */
  | { readonly kind: 'percent_of_position'; readonly percent: string }
  /** risk riskPercent of equity between entry and stop: the alert's stop_loss, else stopPercent below/above the price */
  | { readonly kind: 'risk'; readonly riskPercent: string; readonly stopPercent?: string };

export type OrderTemplate =
  | { readonly type: 'market' }
  /** limit at the reference price shifted by offsetBps in the passive direction (buy below, sell above) */
  | { readonly type: 'limit'; readonly offsetBps: string };

export interface StrategyAccountLink {
  readonly accountId: string;
  readonly sizing: SizingRule;
  readonly orderTemplate: OrderTemplate;
}

export interface StrategyConfig {
  readonly strategyId: string;
  readonly tenantId: string;
  readonly name: string;
  /** alert ticker -> unified symbol, e.g. "BINANCE:BTCUSDT.P" -> "BTC/USDT" (besides automatic mapping) */
  readonly symbolMap: Readonly<Record<string, string>>;
  readonly accounts: readonly StrategyAccountLink[];
  readonly risk: RiskLimits;
  /** alerts whose {{timenow}} is older than this are rejected as stale; 0 = no guard */
  readonly maxSignalAgeSeconds: number;
  /** who may send its alerts: addresses, CIDRs, `tradingview`; absent: whoever the server allows */
  readonly allowedSources?: readonly string[];
}
