import { Type, type Static } from 'typebox';
import { DecimalString } from './common.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const Time = Type.String({ maxLength: 40 });

export const AnalyticsQuery = Type.Object({
  accountId: Type.Optional(Id),
  strategyId: Type.Optional(Id),
  symbol: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9/:._-]+$' })),
  from: Type.Optional(Type.String({ maxLength: 40, description: 'start of the window, inclusive (ISO-8601); default: the first fill of the selection' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'end of the window, inclusive (ISO-8601); default: now' })),
  capital: Type.Optional(Type.String({ maxLength: 40, description: 'the capital drawdown % is measured on (a positive decimal); without it there is no drawdown %' })),
}, { additionalProperties: false });
export type AnalyticsQuery = Static<typeof AnalyticsQuery>;

const Fee = Type.Object({ currency: Type.String(), amount: DecimalString });

export const MetricsDto = Type.Object({
  realizedPnl: Type.String({ description: 'realised PnL after the quote fees of the fills in the window' }),
  unrealizedPnl: Type.Optional(Type.String({ description: 'of the open trips at the latest marks; absent when a mark is missing' })),
  fees: Type.String(), otherFees: Type.Array(Fee, { description: 'fees in other assets than the quote: not converted, not in the PnL' }),
  trades: Type.Integer(), wins: Type.Integer(), losses: Type.Integer(),
  winRate: Type.Optional(Type.String()), averageWin: Type.Optional(Type.String()), averageLoss: Type.Optional(Type.String()),
  profitFactor: Type.Optional(Type.String()), expectancy: Type.Optional(Type.String()),
  maxDrawdown: Type.Object({ amount: Type.String(), percent: Type.Optional(Type.String()), peakAt: Type.Optional(Time), troughAt: Type.Optional(Time) }),
  sharpe: Type.Optional(Type.String({ description: 'mean / sample standard deviation of daily PnL, not annualised' })),
  sortino: Type.Optional(Type.String({ description: 'mean / downside deviation (target 0, over all days) of daily PnL, not annualised' })),
  exposure: Type.Optional(Type.String({ description: 'share of the window with a position open, 0..1' })),
  daily: Type.Array(Type.Object({ day: Type.String(), pnl: Type.String(), equity: Type.String() })),
});
export type MetricsDto = Static<typeof MetricsDto>;

export const AnalyticsDto = Type.Object({
  from: Time, to: Time,
  capital: Type.Optional(Type.String()),
  strategies: Type.Array(Type.Object({ strategyId: Type.String(), metrics: MetricsDto })),
  accounts: Type.Array(Type.Object({ accountId: Type.String(), metrics: MetricsDto })),
}, { description: 'Metrics per strategy and per account from the fills (ADR-0022); amounts in the quote asset, at most 8 decimals' });
export type AnalyticsDto = Static<typeof AnalyticsDto>;

export const RoundTripDtoSchema = Type.Object({
  accountId: Type.String(), strategyId: Type.String(), symbol: Type.String(),
  side: Type.Union([Type.Literal('long'), Type.Literal('short')]), status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  quantity: DecimalString, exitedQuantity: DecimalString, averageEntryPrice: DecimalString, averageExitPrice: Type.Optional(DecimalString),
  realizedPnl: DecimalString, fees: DecimalString, otherFees: Type.Array(Fee), pnl: DecimalString,
  openedAt: Time, closedAt: Type.Optional(Time), fills: Type.Integer(),
});

export const RoundTripsQuery = Type.Object({
  ...AnalyticsQuery.properties,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500, description: 'at most this many trips: the latest opened' })),
}, { additionalProperties: false });
export type RoundTripsQuery = Static<typeof RoundTripsQuery>;

export const RoundTripsDto = Type.Object({
  items: Type.Array(RoundTripDtoSchema, { description: 'newest opened first' }),
  truncated: Type.Boolean({ description: 'more trips matched than `limit`' }),
});

export const ExportQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json'), Type.Literal('ndjson')], { default: 'csv', description: 'csv (RFC 4180, a header line), json (one array) or ndjson (a document a line)' })),
  accountId: Type.Optional(Id),
  strategyId: Type.Optional(Id),
  symbol: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9/:._-]+$' })),
  from: Type.Optional(Type.String({ maxLength: 40, description: 'inclusive ISO-8601 time; default: unbounded' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'inclusive ISO-8601 time; default: unbounded' })),
}, { additionalProperties: false });
export type ExportQuery = Static<typeof ExportQuery>;
