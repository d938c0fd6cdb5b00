import type { ProjectionStore } from '../ports/projection-store.js';
import { C, type FillView } from '../projections/read-models.js';
import { walkDocs } from './doc-pages.js';
import { exportChunks, type ExportFormat, type ExportRange } from './exports.js';
import type { ExportKind } from './export-rows.js';
import { analyze, type AnalyticsReport } from '../../domain/analytics/analyze.js';
import { roundTrips, unrealizedOf, type AnalyticsFill, type RoundTrip } from '../../domain/analytics/round-trips.js';
import { inWindow, type AnalyticsWindow } from '../../domain/analytics/metrics.js';
import { Dec, ZERO, parseDec } from '../../domain/shared/decimal.js';

export interface AnalyticsFilter {
  readonly accountId?: string;
  readonly strategyId?: string;
  readonly symbol?: string;
}

/** The mark price of a symbol on an account's own exchange, when known. */
export type MarkPrice = (accountId: string, symbol: string) => Dec | undefined;

export interface AnalyticsResult extends AnalyticsReport {
  /** unrealised PnL of the open trips at the marks, of a strategy or an account (0 without open trips); undefined when an open trip has no mark */
  readonly unrealized: { readonly strategy: (strategyId: string) => Dec | undefined; readonly account: (accountId: string) => Dec | undefined };
  /** time of the first fill of the selection (the default start of the window) */
  readonly firstFillAt?: string;
}

function toAnalyticsFill(f: FillView): AnalyticsFill | undefined {
  const quantity = parseDec(f.quantity);
  const price = parseDec(f.price);
  const fee = parseDec(f.fee);
  if (!quantity || !price || !fee || (f.side !== 'buy' && f.side !== 'sell')) return undefined;
  return { tradeId: f.tradeId, accountId: f.accountId, strategyId: f.strategyId, symbol: f.symbol, side: f.side, quantity, price, fee, feeCurrency: f.feeCurrency, filledAt: f.filledAt };
}

function unrealizedBy(trips: readonly RoundTrip[], markOf: MarkPrice, key: (t: RoundTrip) => string): (id: string) => Dec | undefined {
  const sums = new Map<string, Dec>();
  const unpriced = new Set<string>();
  for (const trip of trips) {
    if (trip.closedAt !== undefined) continue;
    const mark = markOf(trip.accountId, trip.symbol);
    if (mark === undefined) unpriced.add(key(trip));
    else sums.set(key(trip), (sums.get(key(trip)) ?? ZERO).plus(unrealizedOf(trip, mark)));
  }
  return (id) => (unpriced.has(id) ? undefined : sums.get(id) ?? ZERO);
}

/**
 * Analytics over the read models' fills (ADR-0022). The fills of the selection are read page by
 * page and folded in log order; the fold needs all of them (a trip can span the whole history), so
 * a selection's fills are held while it is analysed — the exports stream instead.
 */
export class AnalyticsQueries {
  constructor(
    private readonly docs: Pick<ProjectionStore, 'list'>,
    private readonly markOf: MarkPrice = () => undefined,
  ) {}

  /** The selection's fills in log order (oldest first). */
  async fills(tenantId: string, filter: AnalyticsFilter): Promise<AnalyticsFill[]> {
    const pages: FillView[][] = [];
    for await (const page of walkDocs(this.docs, { collection: C.fills, tenantId, ...filter.accountId !== undefined ? { accountId: filter.accountId } : {}, ...filter.strategyId !== undefined ? { strategyId: filter.strategyId } : {} })) {
      pages.push(page.map((d) => d.data as unknown as FillView));
    }
    const fills: AnalyticsFill[] = [];
    for (let p = pages.length - 1; p >= 0; p--) {
      const page = pages[p]!;
      for (let i = page.length - 1; i >= 0; i--) {
        const f = page[i]!;
        if (filter.symbol !== undefined && f.symbol !== filter.symbol) continue;
        const parsed = toAnalyticsFill(f);
        if (parsed) fills.push(parsed);
      }
    }
    return fills;
  }

  /** Round trips and metrics of the selection in the window; `window` may leave out its start (from the first fill). */
  async report(tenantId: string, filter: AnalyticsFilter, window: (firstFillAt: string | undefined) => AnalyticsWindow): Promise<AnalyticsResult & { readonly window: AnalyticsWindow }> {
    const fills = await this.fills(tenantId, filter);
    const firstFillAt = fills.reduce<string | undefined>((min, f) => (min === undefined || Date.parse(f.filledAt) < Date.parse(min) ? f.filledAt : min), undefined);
    const w = window(firstFillAt);
    const report = analyze(fills, w);
    return {
      ...report, window: w, ...(firstFillAt !== undefined ? { firstFillAt } : {}),
      unrealized: { strategy: unrealizedBy(report.trips, this.markOf, (t) => t.strategyId), account: unrealizedBy(report.trips, this.markOf, (t) => t.accountId) },
    };
  }

  /** The selection's round trips closed in [from, to] and those open at `to`, in the order they opened (no metrics). */
  async roundTrips(tenantId: string, filter: AnalyticsFilter, from: string | undefined, to: string): Promise<RoundTrip[]> {
    const end = Date.parse(to);
    const fills = (await this.fills(tenantId, filter)).filter((f) => !(Date.parse(f.filledAt) > end));
    const window = { start: from ?? new Date(-8.64e15).toISOString(), end: to };
    return roundTrips(fills).trips.filter((t) => t.closedAt === undefined || inWindow(t.closedAt, window));
  }

  /** An export as text chunks, a page of documents at a time (see exports.ts). */
  export(kind: ExportKind, format: ExportFormat, tenantId: string, filter: AnalyticsFilter, range: ExportRange): AsyncGenerator<string> {
    return exportChunks({ docs: this.docs, analytics: this }, kind, format, tenantId, filter, range);
  }
}
