import type { Metrics } from '../../../domain/analytics/metrics.js';
import { decToString, shownDec, type Dec } from '../../../domain/shared/decimal.js';
import type { MetricsDto } from '../../../contracts/analytics-api.js';

/** rounded for show; a tiny negative that rounds to zero is `0`, not `-0` */
const shown = (d: Dec): string => {
  const text = shownDec(decToString(d));
  return text === '-0' ? '0' : text;
};
const opt = <K extends string>(key: K, d: Dec | undefined): { [P in K]?: string } => (d === undefined ? {} : ({ [key]: shown(d) } as { [P in K]?: string }));

/** Metrics as the API shows them: every amount and ratio rounded to SHOWN_PLACES (half even). */
export function metricsDto(m: Metrics, unrealized: Dec | undefined): MetricsDto {
  return {
    realizedPnl: shown(m.realizedPnl), ...opt('unrealizedPnl', unrealized), fees: shown(m.fees),
    otherFees: m.otherFees.map((o) => ({ currency: o.currency, amount: shown(o.amount) })),
    trades: m.trades, wins: m.wins, losses: m.losses,
    ...opt('winRate', m.winRate), ...opt('averageWin', m.averageWin), ...opt('averageLoss', m.averageLoss),
    ...opt('profitFactor', m.profitFactor), ...opt('expectancy', m.expectancy),
    maxDrawdown: {
      amount: shown(m.maxDrawdown.amount), ...opt('percent', m.maxDrawdown.percent),
      ...(m.maxDrawdown.peakAt !== undefined ? { peakAt: m.maxDrawdown.peakAt } : {}), ...(m.maxDrawdown.troughAt !== undefined ? { troughAt: m.maxDrawdown.troughAt } : {}),
    },
    ...opt('sharpe', m.sharpe), ...opt('sortino', m.sortino), ...opt('exposure', m.exposure),
    daily: m.daily.map((d) => ({ day: d.day, pnl: shown(d.pnl), equity: shown(d.equity) })),
  };
}
