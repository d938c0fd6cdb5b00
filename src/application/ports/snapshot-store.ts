/**
 * Port: portfolio snapshots, a time series per account (the equity curve). Decimals are
 * canonical decimal strings; times are ISO-8601 UTC with milliseconds (`2026-01-01T00:00:00.000Z`).
 */
export interface PortfolioSnapshot {
  /** ISO-8601 UTC */
  readonly time: string;
  readonly tenantId: string;
  readonly accountId: string;
  /** in the account's quote asset */
  readonly equity: string;
  /** in the account's quote asset */
  readonly unrealizedPnl: string;
  /** asset -> total balance at that time */
  readonly balances: Readonly<Record<string, string>>;
}

export interface EquityCurveQuery {
  readonly tenantId: string;
  readonly accountId: string;
  /** ISO-8601, inclusive */
  readonly from: string;
  /** ISO-8601, inclusive */
  readonly to: string;
  /** at most this many points: the earliest ones of the range (page on by moving `from`) */
  readonly limit?: number;
}

export interface SnapshotStore {
  /**
   * Stores snapshots. A snapshot with the same (tenant, account, time) as a stored one replaces
   * it, so a retried write is harmless.
   */
  write(snapshots: readonly PortfolioSnapshot[]): Promise<void>;
  /** The account's snapshots with from <= time <= to, ascending by time. */
  equityCurve(query: EquityCurveQuery): Promise<PortfolioSnapshot[]>;
  close(): Promise<void>;
}

/** Normalises an ISO-8601 time to `YYYY-MM-DDTHH:mm:ss.sssZ` (UTC); throws on anything unparseable. */
export function canonicalTime(time: string): string {
  const ms = Date.parse(time);
  if (!Number.isFinite(ms)) throw new RangeError(`not an ISO-8601 time: ${time}`);
  return new Date(ms).toISOString();
}
