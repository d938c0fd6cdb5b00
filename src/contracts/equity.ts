import { Type, type Static } from 'typebox';
import { DecimalString } from './common.js';

export const EquityQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'start of the range, inclusive (ISO-8601); default: `to` minus 24 hours' })),
  to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'end of the range, inclusive (ISO-8601); default: now' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1_000, description: 'at most this many points: the earliest of the range' })),
});
export type EquityQuery = Static<typeof EquityQuery>;

export const EquityPointDto = Type.Object({
  time: Type.String({ format: 'date-time' }),
  equity: DecimalString,
  unrealizedPnl: DecimalString,
});
export type EquityPointDto = Static<typeof EquityPointDto>;

export const EquityCurveDto = Type.Object(
  { accountId: Type.String(), points: Type.Array(EquityPointDto) },
  { description: "An account's equity curve in its quote asset, ascending by time" },
);
export type EquityCurveDto = Static<typeof EquityCurveDto>;
