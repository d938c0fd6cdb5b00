import type { ProjectionStore, ReadDoc } from '../ports/projection-store.js';
import { C, type FillView, type OrderView, type SignalView } from '../projections/read-models.js';
import { walkDocs } from './doc-pages.js';
import { csvLine } from './csv.js';
import { COLUMNS, roundTripDto, type ExportKind, type RoundTripDto } from './export-rows.js';
import type { AnalyticsFilter, AnalyticsQueries } from './analytics-queries.js';

export type ExportFormat = 'csv' | 'json' | 'ndjson';

export interface ExportRange {
  /** ISO times, inclusive; absent: unbounded */
  readonly from?: string;
  readonly to?: string;
}

type Row = FillView | OrderView | SignalView | RoundTripDto;

function timeOf(kind: ExportKind, row: Row): string | undefined {
  switch (kind) {
    case 'fills': return (row as FillView).filledAt;
    case 'orders': return (row as OrderView).createdAt;
    case 'signals': return (row as SignalView).receivedAt;
    case 'round-trips': return (row as RoundTripDto).closedAt;
  }
}

function inRange(time: string | undefined, from: number, to: number): boolean {
  const t = time === undefined ? Number.NaN : Date.parse(time);
  return t >= from && t <= to;
}

function matches(kind: ExportKind, row: Row, filter: AnalyticsFilter): boolean {
  if (kind === 'signals') {
    const s = row as SignalView;
    return filter.accountId === undefined || s.orders.some((o) => o.accountId === filter.accountId) || s.skipped.some((o) => o.accountId === filter.accountId);
  }
  const r = row as FillView | OrderView | RoundTripDto;
  return (filter.symbol === undefined || r.symbol === filter.symbol) && (filter.accountId === undefined || r.accountId === filter.accountId) && (filter.strategyId === undefined || r.strategyId === filter.strategyId);
}

const COLLECTION = { fills: C.fills, orders: C.orders, signals: C.signals } as const;

/** The rows of an export, a page at a time: the read models' documents newest first; round trips newest first by when they opened. */
async function* rowPages(docs: Pick<ProjectionStore, 'list'>, analytics: AnalyticsQueries, kind: ExportKind, tenantId: string, filter: AnalyticsFilter, range: ExportRange): AsyncGenerator<Row[]> {
  if (kind === 'round-trips') {
    const trips = (await analytics.roundTrips(tenantId, filter, range.from, range.to ?? new Date(8.64e15).toISOString())).map(roundTripDto).reverse();
    for (let i = 0; i < trips.length; i += 500) yield trips.slice(i, i + 500);
    return;
  }
  const keys = kind === 'signals'
    ? (filter.strategyId !== undefined ? { strategyId: filter.strategyId } : {})
    : { ...(filter.accountId !== undefined ? { accountId: filter.accountId } : {}), ...(filter.strategyId !== undefined ? { strategyId: filter.strategyId } : {}) };
  for await (const page of walkDocs(docs, { collection: COLLECTION[kind], tenantId, ...keys })) yield page.map((d: ReadDoc) => d.data as unknown as Row);
}

/**
 * An export as text chunks (one per page of documents), for the reply's stream: CSV with a header
 * line, a JSON array, or NDJSON (one document a line). Only one page is held at a time.
 */
export async function* exportChunks(
  deps: { readonly docs: Pick<ProjectionStore, 'list'>; readonly analytics: AnalyticsQueries },
  kind: ExportKind, format: ExportFormat, tenantId: string, filter: AnalyticsFilter, range: ExportRange,
): AsyncGenerator<string> {
  const from = range.from !== undefined ? Date.parse(range.from) : Number.NEGATIVE_INFINITY;
  const to = range.to !== undefined ? Date.parse(range.to) : Number.POSITIVE_INFINITY;
  const columns = COLUMNS[kind];
  let first = true;
  if (format === 'csv') yield csvLine(columns.header);
  if (format === 'json') yield '[';
  for await (const page of rowPages(deps.docs, deps.analytics, kind, tenantId, filter, range)) {
    let chunk = '';
    for (const row of page) {
      // round trips come already chosen for the range (closed in it, or open at its end), like GET /round-trips
      if ((kind !== 'round-trips' && !inRange(timeOf(kind, row), from, to)) || !matches(kind, row, filter)) continue;
      if (format === 'csv') chunk += csvLine((columns.row as (r: Row) => (string | number | boolean | undefined)[])(row));
      else if (format === 'ndjson') chunk += `${JSON.stringify(row)}\n`;
      else chunk += `${first ? '' : ','}\n${JSON.stringify(row)}`;
      first = false;
    }
    if (chunk.length > 0) yield chunk;
  }
  if (format === 'json') yield first ? ']' : '\n]';
}
