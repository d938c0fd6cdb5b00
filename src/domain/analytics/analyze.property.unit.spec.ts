import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyze } from './analyze.js';
import { referenceLedger, type RefFill, type RefTrip } from './reference-ledger.js';
import type { AnalyticsFill } from './round-trips.js';
import type { AnalyticsWindow, Metrics } from './metrics.js';
import { Dec, ZERO } from '../shared/decimal.js';

const UNIT = new Dec('0.01');
const BASE = Date.parse('2026-03-01T00:00:00.000Z');
const MINUTE = 60_000;
const iso = (minute: number): string => new Date(BASE + minute * MINUTE).toISOString();

const fillArb = fc.record({
  accountId: fc.constantFrom('acc-1', 'acc-2'),
  strategyId: fc.constantFrom('s-1', 's-2'),
  symbol: fc.constantFrom('BTC/USDT', 'ETH/USDT:USDT'),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  units: fc.integer({ min: 1, max: 9 }),
  cents: fc.integer({ min: 1, max: 9_999_999 }),
  feeMilli: fc.integer({ min: 0, max: 5_000 }),
  feeCurrency: fc.constantFrom('USDT', 'USDT', 'BNB'),
  gap: fc.integer({ min: 0, max: 600 }),
});

/** Fills at increasing whole minutes, a window of whole minutes, and a capital (or none). */
const scenario = fc.record({
  fills: fc.array(fillArb, { maxLength: 50 }),
  start: fc.integer({ min: 0, max: 4000 }),
  length: fc.integer({ min: 0, max: 30_000 }),
  capital: fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }),
}).map(({ fills, start, length, capital }) => {
  let minute = 0;
  const made: AnalyticsFill[] = fills.map((f, i) => {
    minute += f.gap;
    return {
      tradeId: `t${i}`, accountId: f.accountId, strategyId: f.strategyId, symbol: f.symbol, side: f.side,
      quantity: UNIT.times(f.units), price: new Dec(f.cents).dividedBy(100), fee: new Dec(f.feeMilli).dividedBy(1000), feeCurrency: f.feeCurrency, filledAt: iso(minute),
    };
  });
  const window: AnalyticsWindow = { start: iso(start), end: iso(start + length), ...(capital !== undefined ? { capital: new Dec(capital) } : {}) };
  return { fills: made, window, startMinute: start, endMinute: start + length };
});

const s = (d: Dec | undefined): string | undefined => d?.toFixed();

function refTripView(t: RefTrip) {
  const other = [...t.other].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, a]) => `${c}:${a.toFixed()}`);
  return {
    key: t.key, side: t.side, quantity: UNIT.times(t.units).toFixed(), exited: UNIT.times(t.exitedUnits).toFixed(),
    averageEntryPrice: t.entryNotional.dividedBy(UNIT.times(t.units)).toFixed(),
    averageExitPrice: t.exitedUnits === 0 ? undefined : t.exitNotional.dividedBy(UNIT.times(t.exitedUnits)).toFixed(),
    realized: t.realized.toFixed(), fees: t.fees.toFixed(), pnl: t.realized.minus(t.fees).toFixed(), other,
    openedAt: t.openedAt, closedAt: t.closedAt, fills: t.fills,
  };
}

/** The reference's metrics: the same definitions as ADR-0022, computed the long way. */
function refMetrics(fills: RefFill[], trips: RefTrip[], w: AnalyticsWindow, startMinute: number, endMinute: number) {
  const minuteOf = (t: string): number => (Date.parse(t) - BASE) / MINUTE;
  const inside = fills.filter((f) => minuteOf(f.fill.filledAt) >= startMinute && minuteOf(f.fill.filledAt) <= endMinute);
  const closed = trips.filter((t) => t.closedAt !== undefined && minuteOf(t.closedAt) >= startMinute && minuteOf(t.closedAt) <= endMinute);
  const pnls = closed.map((t) => t.realized.minus(t.fees));
  let won = ZERO; let lost = ZERO; let all = ZERO; let wins = 0; let losses = 0;
  for (const p of pnls) {
    all = all.plus(p);
    if (p.greaterThan(0)) { won = won.plus(p); wins++; }
    if (p.lessThan(0)) { lost = lost.plus(p); losses++; }
  }
  // days: walk calendar days by date arithmetic
  const days: { day: string; pnl: Dec; equity: Dec }[] = [];
  const cursor = new Date(w.start.slice(0, 10) + 'T00:00:00.000Z');
  let equity = ZERO;
  while (cursor.toISOString().slice(0, 10) <= w.end.slice(0, 10)) {
    const day = cursor.toISOString().slice(0, 10);
    let pnl = ZERO;
    for (const f of inside) if (f.fill.filledAt.startsWith(day)) pnl = pnl.plus(f.pnl);
    equity = equity.plus(pnl);
    days.push({ day, pnl, equity });
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  // drawdown: every (peak, trough) pair of the curve, the first largest
  const curve: { at: string; equity: Dec }[] = [{ at: w.start, equity: ZERO }];
  for (const f of inside) curve.push({ at: f.fill.filledAt, equity: curve[curve.length - 1]!.equity.plus(f.pnl) });
  let dd: { amount: Dec; peak?: Dec; peakAt?: string; troughAt?: string } = { amount: ZERO };
  for (let j = 0; j < curve.length; j++) {
    let best = 0;
    for (let i = 1; i <= j; i++) if (curve[i]!.equity.greaterThan(curve[best]!.equity)) best = i;
    const fall = curve[best]!.equity.minus(curve[j]!.equity);
    if (fall.greaterThan(dd.amount)) dd = { amount: fall, peak: curve[best]!.equity, peakAt: curve[best]!.at, troughAt: curve[j]!.at };
  }
  const base = dd.peak !== undefined && w.capital !== undefined ? w.capital.plus(dd.peak) : undefined;
  // ratios
  let sharpe: Dec | undefined; let sortino: Dec | undefined;
  if (days.length >= 2) {
    let sum = ZERO;
    for (const d of days) sum = sum.plus(d.pnl);
    const mean = sum.dividedBy(days.length);
    let sq = ZERO; let down = ZERO;
    for (const d of days) { sq = sq.plus(d.pnl.minus(mean).pow(2)); if (d.pnl.lessThan(0)) down = down.plus(d.pnl.pow(2)); }
    if (!sq.isZero()) sharpe = mean.dividedBy(sq.dividedBy(days.length - 1).sqrt());
    if (!down.isZero()) sortino = mean.dividedBy(down.dividedBy(days.length).sqrt());
  }
  // exposure: minute by minute
  let covered = 0;
  for (let m = startMinute; m < endMinute; m++) {
    if (trips.some((t) => minuteOf(t.openedAt) <= m && (t.closedAt === undefined || minuteOf(t.closedAt) > m))) covered++;
  }
  let fees = ZERO;
  const other = new Map<string, Dec>();
  for (const f of inside) {
    fees = fees.plus(f.feeInQuote);
    if (f.feeInQuote.isZero() && !f.fill.fee.isZero()) other.set(f.fill.feeCurrency, (other.get(f.fill.feeCurrency) ?? ZERO).plus(f.fill.fee));
  }
  return {
    realizedPnl: inside.reduce((a, f) => a.plus(f.pnl), ZERO).toFixed(), fees: fees.toFixed(),
    other: [...other].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, a]) => `${c}:${a.toFixed()}`),
    trades: closed.length, wins, losses,
    winRate: closed.length ? s(new Dec(wins).dividedBy(closed.length)) : undefined,
    expectancy: closed.length ? s(all.dividedBy(closed.length)) : undefined,
    averageWin: wins ? s(won.dividedBy(wins)) : undefined,
    averageLoss: losses ? s(lost.dividedBy(losses)) : undefined,
    profitFactor: losses ? s(won.dividedBy(lost.negated())) : undefined,
    drawdown: dd.amount.toFixed(), drawdownPercent: base !== undefined && base.greaterThan(0) ? s(dd.amount.dividedBy(base).times(100)) : undefined,
    peakAt: dd.peakAt, troughAt: dd.troughAt,
    sharpe: s(sharpe), sortino: s(sortino),
    exposure: endMinute > startMinute ? s(new Dec(covered).dividedBy(endMinute - startMinute)) : undefined,
    daily: days.map((d) => `${d.day} ${d.pnl.toFixed()} ${d.equity.toFixed()}`),
  };
}

function view(m: Metrics) {
  return {
    realizedPnl: m.realizedPnl.toFixed(), fees: m.fees.toFixed(), other: m.otherFees.map((o) => `${o.currency}:${o.amount.toFixed()}`),
    trades: m.trades, wins: m.wins, losses: m.losses, winRate: s(m.winRate), expectancy: s(m.expectancy), averageWin: s(m.averageWin),
    averageLoss: s(m.averageLoss), profitFactor: s(m.profitFactor), drawdown: m.maxDrawdown.amount.toFixed(), drawdownPercent: s(m.maxDrawdown.percent),
    peakAt: m.maxDrawdown.peakAt, troughAt: m.maxDrawdown.troughAt, sharpe: s(m.sharpe), sortino: s(m.sortino), exposure: s(m.exposure),
    daily: m.daily.map((d) => `${d.day} ${d.pnl.toFixed()} ${d.equity.toFixed()}`),
  };
}

describe('analytics equal an independent recomputation', () => {
  it('property: round trips and every metric per strategy and per account equal a unit-by-unit ledger, to the last digit', () => {
    fc.assert(fc.property(scenario, ({ fills, window, startMinute, endMinute }) => {
      const report = analyze(fills, window);
      const upToEnd = fills.filter((f) => Date.parse(f.filledAt) <= Date.parse(window.end));
      const within = (t: string | undefined): boolean => t === undefined || (Date.parse(t) >= Date.parse(window.start) && Date.parse(t) <= Date.parse(window.end));
      const ref = referenceLedger(upToEnd, UNIT);
      expect(report.trips.map((t) => ({
        key: [t.accountId, t.strategyId, t.symbol].join('|'), side: t.side, quantity: t.quantity.toFixed(), exited: t.exitedQuantity.toFixed(),
        averageEntryPrice: t.averageEntryPrice.toFixed(), averageExitPrice: s(t.averageExitPrice), realized: t.realizedPnl.toFixed(), fees: t.fees.toFixed(),
        pnl: t.pnl.toFixed(), other: t.otherFees.map((o) => `${o.currency}:${o.amount.toFixed()}`), openedAt: t.openedAt, closedAt: t.closedAt, fills: t.fills,
      }))).toEqual(ref.trips.filter((t) => within(t.closedAt)).map(refTripView));
      for (const { strategyId, metrics } of report.strategies) {
        const own = referenceLedger(upToEnd.filter((f) => f.strategyId === strategyId), UNIT);
        expect(view(metrics)).toEqual(refMetrics(own.fills, own.trips, window, startMinute, endMinute));
      }
      for (const { accountId, metrics } of report.accounts) {
        const own = referenceLedger(upToEnd.filter((f) => f.accountId === accountId), UNIT);
        expect(view(metrics)).toEqual(refMetrics(own.fills, own.trips, window, startMinute, endMinute));
      }
      expect(report.strategies.map((g) => g.strategyId)).toEqual([...new Set(upToEnd.map((f) => f.strategyId))].sort());
      expect(report.accounts.map((g) => g.accountId)).toEqual([...new Set(upToEnd.map((f) => f.accountId))].sort());
    }), { numRuns: 200 });
  });
});
