import type { Notice } from './notice.js';

/** One account's day, as GET /api/v1/analytics answers for the same window (amounts rounded for show). */
export interface SummaryAccount {
  readonly accountId: string;
  /** realised PnL after fees */
  readonly realizedPnl: string;
  readonly fees: string;
  /** round trips closed in the window */
  readonly trades: number;
}

/** An open position, as GET /api/v1/positions answers. */
export interface SummaryPosition {
  readonly accountId: string;
  readonly symbol: string;
  readonly quantity: string;
  readonly unrealizedPnl?: string;
}

/** The numbers of a daily summary and the window they cover. */
export interface SummaryFigures {
  readonly from: string;
  readonly to: string;
  readonly accounts: readonly SummaryAccount[];
  readonly openPositions: readonly SummaryPosition[];
}

/** The notice id of a channel's summary of a local day: the same on every resend (the receiver's idempotency key). */
export const summaryIdOf = (day: string): string => `summary_${day}`;

/**
 * A channel's daily summary as a notice (issue 19): PnL after fees, fees and trades per account
 * over the window, and the open positions, in words and as data. Pure.
 */
export function dailySummaryNotice(tenantId: string, day: string, timeZone: string, figures: SummaryFigures): Notice {
  const accounts = figures.accounts.length === 0
    ? ['No account traded.']
    : figures.accounts.map((a) => `• ${a.accountId}: PnL after fees ${a.realizedPnl}, fees ${a.fees}, ${a.trades} trade${a.trades === 1 ? '' : 's'}`);
  const positions = figures.openPositions.length === 0
    ? ['No open positions.']
    : ['Open positions:', ...figures.openPositions.map((p) => `• ${p.accountId} ${p.symbol} ${p.quantity}${p.unrealizedPnl !== undefined ? ` (unrealised ${p.unrealizedPnl})` : ''}`)];
  const text = [`Daily summary for ${day} (${timeZone}), ${figures.from} … ${figures.to}:`, ...accounts, ...positions].join('\n');
  return {
    id: summaryIdOf(day), type: 'DailySummary', kind: 'daily_summary', time: figures.to, tenantId,
    data: { day, timeZone, from: figures.from, to: figures.to, accounts: figures.accounts, openPositions: figures.openPositions, text },
  };
}
