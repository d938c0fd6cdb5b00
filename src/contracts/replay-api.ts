import { Type, type Static } from 'typebox';
import { MetricsDto, RoundTripDtoSchema } from './analytics-api.js';
import { SizingBody, OrderTemplateBody, RiskLimitsBody } from './strategy-api.js';

/** ADR-0025: an alert history replayed through the live engine on a paper account in its own store. */

const PositiveDecimal = Type.String({ pattern: '^[0-9]{1,15}(\\.[0-9]{1,8})?$' });
const UnifiedSymbol = Type.String({ pattern: '^[A-Z0-9]{1,20}/[A-Z0-9]{1,20}$', examples: ['BTC/USDT'] });

export const ReplayRefusal = Type.Object({
  line: Type.Integer({ description: 'the line of the alert in the file' }),
  time: Type.String(),
  stage: Type.Union([Type.Literal('prices'), Type.Literal('ingest'), Type.Literal('routing'), Type.Literal('exchange')], { description: 'where it stopped: no price then; refused on receipt; refused when routed (risk, sizing); refused by the exchange' }),
  code: Type.String({ description: 'the same code live trading records' }),
  message: Type.String(),
  received: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'what was read of a refused alert (never a credential)' })),
});
export type ReplayRefusal = Static<typeof ReplayRefusal>;

export const ReplayReportDto = Type.Object({
  format: Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('tradingview-trades')]),
  store: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
  from: Type.String(), to: Type.String(),
  alerts: Type.Integer(), accepted: Type.Integer(), duplicates: Type.Integer(),
  prices: Type.Array(Type.Object({ symbol: Type.String(), candles: Type.Integer(), from: Type.String(), to: Type.String() })),
  strategies: Type.Array(Type.Object({ strategyId: Type.String(), metrics: MetricsDto })),
  accounts: Type.Array(Type.Object({ accountId: Type.String(), startingBalance: Type.String(), quoteAsset: Type.String(), metrics: MetricsDto })),
  roundTrips: Type.Array(RoundTripDtoSchema, { description: 'in the order they opened' }),
  refused: Type.Array(ReplayRefusal),
}, { description: 'the analytics report of the replay (ADR-0022 metrics) and every alert that would have been refused, and why' });
export type ReplayReportDto = Static<typeof ReplayReportDto>;

export const ReplayStrategyBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  sizing: Type.Optional(SizingBody),
  orderTemplate: Type.Optional(OrderTemplateBody),
  risk: Type.Optional(RiskLimitsBody),
  symbolMap: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 64 }), UnifiedSymbol, { maxProperties: 200 })),
  maxSignalAgeSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
}, { additionalProperties: false, description: 'the strategy replayed (default: the alert\'s own quantity, market orders); its one paper account starts with `startingBalance`' });
export type ReplayStrategyBody = Static<typeof ReplayStrategyBody>;

export const NewReplayBody = Type.Object({
  alerts: Type.String({ minLength: 1, maxLength: 4 * 1024 * 1024, description: 'the alert history: a JSON array or CSV of {time, message}, or TradingView\'s "List of trades" CSV export' }),
  prices: Type.String({ minLength: 1, maxLength: 8 * 1024 * 1024, description: 'candles as CSV: time, open, high, low, close[, volume]' }),
  symbol: Type.Optional(UnifiedSymbol),
  ticker: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:/!-]+$', description: 'the ticker of alerts made from a list of trades (default: the symbol without its slash)' })),
  startingBalance: Type.Optional(PositiveDecimal),
  strategy: Type.Optional(ReplayStrategyBody),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  store: Type.Optional(Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')], { description: 'where the replay keeps its own log: a temp SQLite directory (default), or a database of its own on the server\'s PostgreSQL (needs CREATEDB; slower)' })),
}, { additionalProperties: false });
export type NewReplayBody = Static<typeof NewReplayBody>;

export const ReplaySummaryDto = Type.Object({
  replayId: Type.String(), name: Type.String(), createdAt: Type.String(),
  alerts: Type.Integer(), accepted: Type.Integer(), refused: Type.Integer(), trades: Type.Integer(), pnl: Type.String(),
});
export const ReplayListDto = Type.Object({ items: Type.Array(ReplaySummaryDto) });
export const ReplayDto = Type.Object({ replayId: Type.String(), name: Type.String(), createdAt: Type.String(), report: ReplayReportDto });
export type ReplayDto = Static<typeof ReplayDto>;
export const ReplayParams = Type.Object({ replayId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });

export const ReplayErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'stable machine-readable code', examples: ['REPLAY_BAD_TIME'] }),
    message: Type.String(),
    line: Type.Optional(Type.Integer({ description: 'the line of the alert history or the price file that was refused' })),
  }),
}, { description: 'A refused replay: nothing was stored' });
