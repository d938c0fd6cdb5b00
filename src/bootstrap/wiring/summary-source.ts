import type { AnalyticsQueries } from '../../application/queries/analytics-queries.js';
import type { ReadQueries } from '../../application/queries/read-queries.js';
import type { SummarySource } from '../../application/notify/daily-summary.js';
import { metricsDto } from '../../http/routes/analytics/metrics-dto.js';
import { parseDec } from '../../domain/shared/decimal.js';

/**
 * The daily summary's figures (issue 19) from the queries the API answers with: per account the
 * realised PnL after fees, fees and trades of GET /api/v1/analytics?from&to (rounded the same way,
 * by its own DTO function), and the open positions of GET /api/v1/positions.
 */
export function summarySource(analytics: AnalyticsQueries, queries: ReadQueries): SummarySource {
  return async (tenantId, from, to) => {
    const report = await analytics.report(tenantId, {}, () => ({ start: from, end: to }));
    const accounts = report.accounts.map((a) => {
      const m = metricsDto(a.metrics, undefined);
      return { accountId: a.accountId, realizedPnl: m.realizedPnl, fees: m.fees, trades: m.trades };
    });
    const openPositions = (await queries.positions(tenantId, {}))
      .filter((p) => !(parseDec(p.quantity)?.isZero() ?? true))
      .map((p) => ({ accountId: p.accountId, symbol: p.symbol, quantity: p.quantity, ...(p.unrealizedPnl !== undefined ? { unrealizedPnl: p.unrealizedPnl } : {}) }));
    return { from, to, accounts, openPositions };
  };
}
