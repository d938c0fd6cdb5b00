import type { FillView, OrderView, SignalView } from '../projections/read-models.js';
import type { RoundTrip } from '../../domain/analytics/round-trips.js';
import { decToString, shownDec, type Dec } from '../../domain/shared/decimal.js';

/** A round trip as the API and the exports show it: amounts rounded to SHOWN_PLACES (ADR-0022). */
export interface RoundTripDto {
  readonly accountId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly status: 'open' | 'closed';
  readonly quantity: string;
  readonly exitedQuantity: string;
  readonly averageEntryPrice: string;
  readonly averageExitPrice?: string;
  readonly realizedPnl: string;
  readonly fees: string;
  readonly otherFees: { readonly currency: string; readonly amount: string }[];
  readonly pnl: string;
  readonly openedAt: string;
  readonly closedAt?: string;
  readonly fills: number;
}

/** rounded for show; a tiny negative that rounds to zero is `0`, not `-0` */
const shown = (d: Dec): string => {
  const text = shownDec(decToString(d));
  return text === '-0' ? '0' : text;
};

export function roundTripDto(t: RoundTrip): RoundTripDto {
  return {
    accountId: t.accountId, strategyId: t.strategyId, symbol: t.symbol, side: t.side, status: t.closedAt === undefined ? 'open' : 'closed',
    quantity: shown(t.quantity), exitedQuantity: shown(t.exitedQuantity), averageEntryPrice: shown(t.averageEntryPrice),
    ...(t.averageExitPrice !== undefined ? { averageExitPrice: shown(t.averageExitPrice) } : {}),
    realizedPnl: shown(t.realizedPnl), fees: shown(t.fees), otherFees: t.otherFees.map((o) => ({ currency: o.currency, amount: shown(o.amount) })),
    pnl: shown(t.pnl), openedAt: t.openedAt, ...(t.closedAt !== undefined ? { closedAt: t.closedAt } : {}), fills: t.fills,
  };
}

type Cell = string | number | boolean | undefined;

/** The CSV columns of each export and how a row fills them (JSON exports carry the whole document). */
export const COLUMNS = {
  fills: {
    header: ['filledAt', 'accountId', 'strategyId', 'symbol', 'side', 'quantity', 'price', 'fee', 'feeCurrency', 'liquidity', 'tradeId', 'clientOrderId'],
    row: (f: FillView): Cell[] => [f.filledAt, f.accountId, f.strategyId, f.symbol, f.side, f.quantity, f.price, f.fee, f.feeCurrency, f.liquidity, f.tradeId, f.clientOrderId],
  },
  orders: {
    header: ['createdAt', 'clientOrderId', 'accountId', 'strategyId', 'signalId', 'symbol', 'side', 'type', 'quantity', 'limitPrice', 'stopPrice', 'reduceOnly', 'status', 'filledQuantity', 'averageFillPrice', 'fees', 'exchangeOrderId', 'updatedAt'],
    row: (o: OrderView): Cell[] => [o.createdAt, o.clientOrderId, o.accountId, o.strategyId, o.signalId, o.symbol, o.side, o.type, o.quantity, o.limitPrice, o.stopPrice, o.reduceOnly, o.status, o.filledQuantity, o.averageFillPrice, o.fees, o.exchangeOrderId, o.updatedAt],
  },
  signals: {
    header: ['receivedAt', 'signalId', 'strategyId', 'format', 'outcome', 'rejectionCode', 'rejectionMessage', 'signal', 'orders'],
    row: (s: SignalView): Cell[] => [s.receivedAt, s.signalId, s.strategyId, s.format, s.outcome, s.rejection?.code, s.rejection?.message, s.signal ? JSON.stringify(s.signal) : s.received ? JSON.stringify(s.received) : undefined, s.orders.map((o) => o.clientOrderId).join(' ')],
  },
  'round-trips': {
    header: ['openedAt', 'closedAt', 'accountId', 'strategyId', 'symbol', 'side', 'status', 'quantity', 'averageEntryPrice', 'averageExitPrice', 'realizedPnl', 'fees', 'otherFees', 'pnl', 'fills'],
    row: (t: RoundTripDto): Cell[] => [t.openedAt, t.closedAt, t.accountId, t.strategyId, t.symbol, t.side, t.status, t.quantity, t.averageEntryPrice, t.averageExitPrice, t.realizedPnl, t.fees, t.otherFees.map((o) => `${o.amount} ${o.currency}`).join('; '), t.pnl, t.fills],
  },
} as const;

export type ExportKind = keyof typeof COLUMNS;
export const EXPORT_KINDS = Object.keys(COLUMNS) as ExportKind[];
