import { describe, expect, it } from 'vitest';
import { roundTrips, unrealizedOf, type AnalyticsFill } from './round-trips.js';
import { analyze } from './analyze.js';
import { Dec } from '../shared/decimal.js';

let n = 0;
function fill(side: 'buy' | 'sell', quantity: string, price: string, filledAt: string, fee = '0', feeCurrency = 'USDT', strategyId = 's1'): AnalyticsFill {
  return { tradeId: `t${n++}`, accountId: 'a1', strategyId, symbol: 'BTC/USDT', side, quantity: new Dec(quantity), price: new Dec(price), fee: new Dec(fee), feeCurrency, filledAt };
}

describe('round trips', () => {
  it('given two entries and a partial exit, then the exit is matched first in, first out and the trip stays open', () => {
    const { trips, fillPnls } = roundTrips([
      fill('buy', '1', '100', '2026-01-01T00:00:00.000Z', '0.1'),
      fill('buy', '1', '110', '2026-01-01T01:00:00.000Z', '0.1'),
      fill('sell', '1', '120', '2026-01-02T00:00:00.000Z', '0.2'),
    ]);
    expect(fillPnls.map((f) => f.pnl.toFixed())).toEqual(['-0.1', '-0.1', '19.8']); // (120-100)*1 - 0.2
    expect(trips).toHaveLength(1);
    expect(trips[0]!.closedAt).toBeUndefined();
    expect(trips[0]!.averageEntryPrice.toFixed()).toBe('105');
    expect(trips[0]!.openLots.map((l) => `${l.quantity.toFixed()}@${l.price.toFixed()}`)).toEqual(['1@110']);
    expect(unrealizedOf(trips[0]!, new Dec('100')).toFixed()).toBe('-10');
  });

  it('given a fill that crosses zero, then it closes the long with its whole fee and opens a short at its price', () => {
    const { trips } = roundTrips([
      fill('buy', '2', '100', '2026-01-01T00:00:00.000Z', '0.5'),
      fill('sell', '3', '90', '2026-01-01T02:00:00.000Z', '0.3'),
      fill('buy', '1', '80', '2026-01-01T03:00:00.000Z', '0.01', 'BNB'),
    ]);
    expect(trips.map((t) => [t.side, t.quantity.toFixed(), t.averageExitPrice?.toFixed(), t.realizedPnl.toFixed(), t.fees.toFixed(), t.pnl.toFixed(), t.closedAt, t.fills])).toEqual([
      ['long', '2', '90', '-20', '0.8', '-20.8', '2026-01-01T02:00:00.000Z', 2],
      ['short', '1', '80', '10', '0', '10', '2026-01-01T03:00:00.000Z', 2],
    ]);
    expect(trips[1]!.otherFees.map((o) => [o.currency, o.amount.toFixed()])).toEqual([['BNB', '0.01']]);
  });

  it('given a win, a loss and an idle day, then the metrics follow ADR-0022\'s definitions', () => {
    const report = analyze([
      fill('buy', '1', '100', '2026-01-01T00:00:00.000Z'),
      fill('sell', '1', '130', '2026-01-01T12:00:00.000Z'),
      fill('buy', '1', '100', '2026-01-03T00:00:00.000Z'),
      fill('sell', '1', '90', '2026-01-03T06:00:00.000Z'),
    ], { start: '2026-01-01T00:00:00.000Z', end: '2026-01-04T00:00:00.000Z', capital: new Dec('1000') });
    const m = report.strategies[0]!.metrics;
    expect([m.trades, m.wins, m.losses, m.winRate?.toFixed(), m.averageWin?.toFixed(), m.averageLoss?.toFixed(), m.profitFactor?.toFixed(), m.expectancy?.toFixed()])
      .toEqual([2, 1, 1, '0.5', '30', '-10', '3', '10']);
    expect(m.daily.map((d) => `${d.day} ${d.pnl.toFixed()} ${d.equity.toFixed()}`)).toEqual(['2026-01-01 30 30', '2026-01-02 0 30', '2026-01-03 -10 20', '2026-01-04 0 20']);
    expect([m.maxDrawdown.amount.toFixed(), m.maxDrawdown.percent?.toFixed(), m.maxDrawdown.peakAt, m.maxDrawdown.troughAt])
      .toEqual(['10', new Dec(10).dividedBy(1030).times(100).toFixed(), '2026-01-01T12:00:00.000Z', '2026-01-03T06:00:00.000Z']);
    // open 12 h + 6 h of 72 h
    expect(m.exposure?.toFixed()).toBe('0.25');
    // mean 5, sample variance ((25^2 + 5^2 + 15^2 + 5^2) / 3) = 300, downside sqrt(100 / 4) = 5
    expect(m.sharpe?.toFixed()).toBe(new Dec(5).dividedBy(new Dec(300).sqrt()).toFixed());
    expect(m.sortino?.toFixed()).toBe('1');
    expect(report.accounts[0]!.metrics.realizedPnl.toFixed()).toBe('20');
  });
});
