/** Pre-trade risk limits. Absent limit = not enforced. Decimals are strings (quote asset). */
export interface RiskLimits {
  readonly maxOrderNotional?: string;
  /** absolute position notional after the order, at the reference price */
  readonly maxPositionNotional?: string;
  /** unified symbols this account/strategy may trade; absent = all listed markets */
  readonly allowedSymbols?: readonly string[];
  readonly maxOpenOrders?: number;
  /** strategies (ADR-0019): after this many losing trades in a row, entries are refused for cooldownMinutes */
  readonly cooldownAfterLosses?: number;
  readonly cooldownMinutes?: number;
  /** new positions opened or added to per UTC day (orders that only reduce are not counted nor refused; ADR-0019) */
  readonly maxTradesPerDay?: number;
  /** accounts only (ADR-0019): equity may fall at most this much below the UTC day's first snapshot; beyond, the kill switch engages */
  readonly dailyLossLimit?: string;
  /** accounts only (ADR-0019): equity may fall at most this percent below its peak; beyond, the kill switch engages */
  readonly maxDrawdownPercent?: string;
}
