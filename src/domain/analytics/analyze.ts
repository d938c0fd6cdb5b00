import { inWindow, metricsOf, type AnalyticsWindow, type Metrics } from './metrics.js';
import { roundTrips, type AnalyticsFill, type FillPnl, type RoundTrip } from './round-trips.js';

export interface AnalyticsReport {
  /** trips closed in the window and those still open at its end, in the order they opened */
  readonly trips: readonly RoundTrip[];
  readonly strategies: readonly { readonly strategyId: string; readonly metrics: Metrics }[];
  readonly accounts: readonly { readonly accountId: string; readonly metrics: Metrics }[];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Round trips and metrics per strategy and per account from fills in log order (ADR-0022). Fills
 * after the window's end are left out (a trip they would close is open at the end); fills before
 * its start build the positions the window starts with. An account's metrics are over its
 * strategies' trips (one definition of a trade), so its figures are the sums of theirs.
 */
export function analyze(fills: readonly AnalyticsFill[], window: AnalyticsWindow): AnalyticsReport {
  const end = Date.parse(window.end);
  const { trips, fillPnls } = roundTrips(fills.filter((f) => !(Date.parse(f.filledAt) > end)));
  const shown = trips.filter((t) => t.closedAt === undefined || inWindow(t.closedAt, window));
  const report = (pnls: Map<string, FillPnl[]>, tripsOf: Map<string, RoundTrip[]>) =>
    [...pnls.keys()].sort(byId).map((id) => ({ id, metrics: metricsOf(pnls.get(id) ?? [], tripsOf.get(id) ?? [], window) }));
  return {
    trips: shown,
    strategies: report(groupBy(fillPnls, (f) => f.fill.strategyId), groupBy(trips, (t) => t.strategyId)).map(({ id, metrics }) => ({ strategyId: id, metrics })),
    accounts: report(groupBy(fillPnls, (f) => f.fill.accountId), groupBy(trips, (t) => t.accountId)).map(({ id, metrics }) => ({ accountId: id, metrics })),
  };
}
