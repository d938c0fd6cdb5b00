import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { AnalyticsDto, AnalyticsQuery, ExportQuery, RoundTripsDto, RoundTripsQuery } from '../../../contracts/analytics-api.js';
import { sendError } from '../../errors.js';
import { isRangeError, readRange } from './time-range.js';
import { metricsDto } from './metrics-dto.js';
import { EXPORT_KINDS, roundTripDto } from '../../../application/queries/export-rows.js';
import type { AnalyticsFilter } from '../../../application/queries/analytics-queries.js';
import { MAX_WINDOW_DAYS } from '../../../domain/analytics/metrics.js';
import { decToString, parseDec } from '../../../domain/shared/decimal.js';

/** The dependencies these routes use (and nothing else). */
export type AnalyticsRouteDeps = Pick<HttpDeps, 'analytics' | 'queries' | 'tenantOf'>;

const DAY_MS = 86_400_000;
const CONTENT_TYPE = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8' } as const;

function filterOf(q: { accountId?: string; strategyId?: string; symbol?: string }): AnalyticsFilter {
  return { ...(q.accountId !== undefined ? { accountId: q.accountId } : {}), ...(q.strategyId !== undefined ? { strategyId: q.strategyId } : {}), ...(q.symbol !== undefined ? { symbol: q.symbol } : {}) };
}

export const analyticsRoutes: FastifyPluginAsync<{ deps: AnalyticsRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  /** The account and strategy named must be the tenant's (another tenant's look exactly like none). */
  const checkFilter = async (request: FastifyRequest, reply: FastifyReply, q: AnalyticsFilter): Promise<FastifyReply | undefined> => {
    const tenantId = deps.tenantOf(request);
    if (q.accountId !== undefined && !(await deps.queries.account(tenantId, q.accountId))) return sendError(reply, 404, 'ACCOUNT_NOT_FOUND', 'no such account');
    if (q.strategyId !== undefined && !(await deps.queries.strategy(tenantId, q.strategyId))) return sendError(reply, 404, 'STRATEGY_NOT_FOUND', 'no such strategy');
    return undefined;
  };

  r.get('/analytics', {
    schema: {
      tags: ['analytics'],
      summary: 'Metrics per strategy and per account from the fills: PnL after fees, trades, win rate, drawdown, Sharpe / Sortino, exposure, daily PnL and equity',
      querystring: AnalyticsQuery,
      response: { 200: AnalyticsDto, 400: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const q = request.query;
    const range = readRange(q.from, q.to);
    if (isRangeError(range)) return sendError(reply, 400, range.code, range.message);
    const capital = q.capital === undefined ? undefined : parseDec(q.capital);
    if (q.capital !== undefined && (capital === undefined || !capital.greaterThan(0))) return sendError(reply, 400, 'INVALID_CAPITAL', '`capital` must be a positive decimal');
    const to = range.to ?? Date.now();
    if (range.from !== undefined && to - range.from > MAX_WINDOW_DAYS * DAY_MS) return sendError(reply, 400, 'RANGE_TOO_LONG', `the window is at most ${MAX_WINDOW_DAYS} days`);
    if (range.from !== undefined && range.from > to) return sendError(reply, 400, 'INVALID_RANGE', '`from` must not be after `to`');
    const refused = await checkFilter(request, reply, q);
    if (refused) return refused;
    const result = await deps.analytics.report(deps.tenantOf(request), filterOf(q), (first) => {
      const start = range.from ?? Math.max(Math.min(first === undefined ? to : Date.parse(first), to), to - MAX_WINDOW_DAYS * DAY_MS + DAY_MS);
      return { start: new Date(start).toISOString(), end: new Date(to).toISOString(), ...(capital !== undefined ? { capital } : {}) };
    });
    return {
      from: result.window.start, to: result.window.end, ...(capital !== undefined ? { capital: decToString(capital) } : {}),
      strategies: result.strategies.map((s) => ({ strategyId: s.strategyId, metrics: metricsDto(s.metrics, result.unrealized.strategy(s.strategyId)) })),
      accounts: result.accounts.map((a) => ({ accountId: a.accountId, metrics: metricsDto(a.metrics, result.unrealized.account(a.accountId)) })),
    };
  });

  r.get('/round-trips', {
    schema: {
      tags: ['analytics'],
      summary: 'Round trips (entry to exit) per account, strategy and symbol: closed in the range, or still open; newest opened first',
      querystring: RoundTripsQuery,
      response: { 200: RoundTripsDto, 400: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const q = request.query;
    const range = readRange(q.from, q.to);
    if (isRangeError(range)) return sendError(reply, 400, range.code, range.message);
    const refused = await checkFilter(request, reply, q);
    if (refused) return refused;
    const to = new Date(range.to ?? Date.now()).toISOString();
    const trips = await deps.analytics.roundTrips(deps.tenantOf(request), filterOf(q), range.from !== undefined ? new Date(range.from).toISOString() : undefined, to);
    const limit = q.limit ?? 500;
    return { items: trips.slice(-limit).reverse().map(roundTripDto), truncated: trips.length > limit };
  });

  for (const kind of EXPORT_KINDS) {
    r.get(`/export/${kind}`, {
      schema: {
        tags: ['analytics'],
        summary: `Download ${kind.replace('-', ' ')} as CSV, a JSON array or NDJSON, streamed page by page; newest first`,
        querystring: ExportQuery,
        response: { 400: ErrorBody, 404: ErrorBody },
      },
    }, async (request, reply) => {
      const q = request.query;
      const range = readRange(q.from, q.to);
      if (isRangeError(range)) return sendError(reply, 400, range.code, range.message);
      const refused = await checkFilter(request, reply, q);
      if (refused) return refused;
      const format = q.format ?? 'csv';
      const chunks = deps.analytics.export(kind, format, deps.tenantOf(request), filterOf(q), {
        ...(range.from !== undefined ? { from: new Date(range.from).toISOString() } : {}), ...(range.to !== undefined ? { to: new Date(range.to).toISOString() } : {}),
      });
      const body = Readable.from(chunks, { objectMode: false });
      body.on('error', (e) => request.log.error({ err: { message: String(e) }, kind }, 'export failed mid-stream'));
      return (reply as FastifyReply)
        .header('content-type', CONTENT_TYPE[format])
        .header('content-disposition', `attachment; filename="${kind}.${format}"`)
        .header('cache-control', 'no-store')
        .send(body);
    });
  }
};
