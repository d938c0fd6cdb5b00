/** Pre-trade risk limits. Absent limit = not enforced. Decimals are strings (quote asset). */
export interface RiskLimits {
  readonly maxOrderNotional?: string;
  /** absolute position notional after the order, at the reference price */
  readonly maxPositionNotional?: string;
  /** unified symbols this account/strategy may trade; absent = all listed markets */
  readonly allowedSymbols?: readonly string[];
  readonly maxOpenOrders?: number;
}
