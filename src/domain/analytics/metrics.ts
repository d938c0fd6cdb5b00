import { Dec, ZERO } from '../shared/decimal.js';
import type { FillPnl, OtherFee, RoundTrip } from './round-trips.js';

/** The period analysed: fills and trips closed in [start, end] (ISO times, inclusive); `capital` is the base of drawdown %. */
export interface AnalyticsWindow {
  readonly start: string;
  readonly end: string;
  readonly capital?: Dec;
}

export interface DailyPnl {
  /** UTC day, YYYY-MM-DD */
  readonly day: string;
  /** realised PnL after quote fees of the fills that day */
  readonly pnl: Dec;
  /** cumulative from the window's start, at the end of the day */
  readonly equity: Dec;
}

export interface Drawdown {
  /** the largest fall of the realised equity curve from a peak (>= 0) */
  readonly amount: Dec;
  /** amount / (capital + the peak's cumulative PnL) x 100, when a capital is given and that base is positive */
  readonly percent?: Dec;
  readonly peakAt?: string;
  readonly troughAt?: string;
}

export interface Metrics {
  /** realised PnL after the quote fees of every fill in the window (closed trips and the realised part of open ones) */
  readonly realizedPnl: Dec;
  readonly fees: Dec;
  readonly otherFees: readonly OtherFee[];
  /** trips closed in the window */
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  readonly winRate?: Dec;
  readonly averageWin?: Dec;
  readonly averageLoss?: Dec;
  readonly profitFactor?: Dec;
  readonly expectancy?: Dec;
  readonly maxDrawdown: Drawdown;
  readonly sharpe?: Dec;
  readonly sortino?: Dec;
  /** share of the window with a position open, 0..1 */
  readonly exposure?: Dec;
  readonly daily: readonly DailyPnl[];
}

/** The longest window analysed, in days (a daily series of at most this many points). */
export const MAX_WINDOW_DAYS = 3700;

const DAY_MS = 86_400_000;

function ms(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

export function inWindow(iso: string, window: AnalyticsWindow): boolean {
  const t = ms(iso);
  return t >= ms(window.start) && t <= ms(window.end);
}

function dayOf(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** Every UTC day from the window's start to its end, each with the PnL of its fills. */
export function dailySeries(fillPnls: readonly FillPnl[], window: AnalyticsWindow): DailyPnl[] {
  const byDay = new Map<string, Dec>();
  for (const f of fillPnls) {
    if (!inWindow(f.fill.filledAt, window)) continue;
    const day = dayOf(ms(f.fill.filledAt));
    byDay.set(day, (byDay.get(day) ?? ZERO).plus(f.pnl));
  }
  const series: DailyPnl[] = [];
  let equity = ZERO;
  const first = Math.floor(ms(window.start) / DAY_MS);
  const last = Math.floor(ms(window.end) / DAY_MS);
  for (let d = first; d <= last && d - first < MAX_WINDOW_DAYS; d++) {
    const day = dayOf(d * DAY_MS);
    const pnl = byDay.get(day) ?? ZERO;
    equity = equity.plus(pnl);
    series.push({ day, pnl, equity });
  }
  return series;
}

/** Maximum drawdown of the realised equity curve: 0 at the window's start, then after every fill in it. */
export function maxDrawdown(fillPnls: readonly FillPnl[], window: AnalyticsWindow): Drawdown {
  let equity = ZERO;
  let peak = ZERO;
  let peakAt = window.start;
  let worst: Drawdown = { amount: ZERO };
  for (const f of fillPnls) {
    if (!inWindow(f.fill.filledAt, window)) continue;
    equity = equity.plus(f.pnl);
    if (equity.greaterThan(peak)) {
      peak = equity;
      peakAt = f.fill.filledAt;
      continue;
    }
    const fall = peak.minus(equity);
    if (fall.greaterThan(worst.amount)) {
      const base = window.capital?.plus(peak);
      worst = { amount: fall, peakAt, troughAt: f.fill.filledAt, ...(base !== undefined && base.greaterThan(0) ? { percent: fall.dividedBy(base).times(100) } : {}) };
    }
  }
  return worst;
}

/**
 * Sharpe and Sortino of the daily series, not annualised (no sqrt(365)), risk-free rate 0. A daily
 * return is the day's PnL over a fixed capital, which cancels out of both ratios, so they are
 * computed on the daily PnL: Sharpe = mean / sample standard deviation (n - 1); Sortino = mean /
 * sqrt(sum(min(pnl, 0)^2) / n). Undefined with fewer than two days or a zero denominator.
 */
export function riskRatios(daily: readonly DailyPnl[]): { sharpe?: Dec; sortino?: Dec } {
  const n = daily.length;
  if (n < 2) return {};
  const mean = daily.reduce((s, d) => s.plus(d.pnl), ZERO).dividedBy(n);
  const variance = daily.reduce((s, d) => s.plus(d.pnl.minus(mean).pow(2)), ZERO).dividedBy(n - 1);
  const downside = daily.reduce((s, d) => (d.pnl.isNegative() ? s.plus(d.pnl.pow(2)) : s), ZERO).dividedBy(n);
  return {
    ...(variance.isZero() ? {} : { sharpe: mean.dividedBy(variance.sqrt()) }),
    ...(downside.isZero() ? {} : { sortino: mean.dividedBy(downside.sqrt()) }),
  };
}

/** Share of the window during which at least one of the trips was open. */
export function exposure(trips: readonly RoundTrip[], window: AnalyticsWindow): Dec | undefined {
  const start = ms(window.start);
  const end = ms(window.end);
  if (end <= start) return undefined;
  const spans = trips
    .map((t) => [Math.max(start, ms(t.openedAt)), Math.min(end, t.closedAt === undefined ? end : ms(t.closedAt))] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let reach = start;
  for (const [a, b] of spans) {
    if (b <= reach) continue;
    covered += b - Math.max(a, reach);
    reach = b;
  }
  return new Dec(covered).dividedBy(end - start);
}

function sumFees(fillPnls: readonly FillPnl[]): { fees: Dec; otherFees: OtherFee[] } {
  let fees = ZERO;
  const other = new Map<string, Dec>();
  for (const f of fillPnls) {
    fees = fees.plus(f.feeInQuote);
    if (f.feeInQuote.isZero() && !f.fill.fee.isZero()) other.set(f.fill.feeCurrency, (other.get(f.fill.feeCurrency) ?? ZERO).plus(f.fill.fee));
  }
  return { fees, otherFees: [...other].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([currency, amount]) => ({ currency, amount })) };
}

/**
 * The metrics of one group (a strategy or an account): `fillPnls` and `trips` are the group's.
 * Trades are the trips closed in the window; a win has pnl > 0, a loss pnl < 0 (a trip at exactly 0
 * is a trade but neither). Win rate = wins / trades; averages over wins and losses; profit factor =
 * sum of wins / -sum of losses; expectancy = sum of closed trips' pnl / trades.
 */
export function metricsOf(fillPnls: readonly FillPnl[], trips: readonly RoundTrip[], window: AnalyticsWindow): Metrics {
  const inside = fillPnls.filter((f) => inWindow(f.fill.filledAt, window));
  const closed = trips.filter((t) => t.closedAt !== undefined && inWindow(t.closedAt, window));
  const wins = closed.filter((t) => t.pnl.greaterThan(0));
  const losses = closed.filter((t) => t.pnl.isNegative());
  const won = wins.reduce((s, t) => s.plus(t.pnl), ZERO);
  const lost = losses.reduce((s, t) => s.plus(t.pnl), ZERO);
  const total = closed.reduce((s, t) => s.plus(t.pnl), ZERO);
  const daily = dailySeries(inside, window);
  const ratio = exposure(trips, window);
  return {
    realizedPnl: inside.reduce((s, f) => s.plus(f.pnl), ZERO),
    ...sumFees(inside),
    trades: closed.length, wins: wins.length, losses: losses.length,
    ...(closed.length > 0 ? { winRate: new Dec(wins.length).dividedBy(closed.length), expectancy: total.dividedBy(closed.length) } : {}),
    ...(wins.length > 0 ? { averageWin: won.dividedBy(wins.length) } : {}),
    ...(losses.length > 0 ? { averageLoss: lost.dividedBy(losses.length), profitFactor: won.dividedBy(lost.negated()) } : {}),
    maxDrawdown: maxDrawdown(inside, window),
    ...riskRatios(daily),
    ...(ratio !== undefined ? { exposure: ratio } : {}),
    daily,
  };
}
