import { shownDec } from '../../../domain/shared/decimal.js';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import type { PortfolioSnapshot } from '../../../application/ports/snapshot-store.js';
import { ErrorBody } from '../../../contracts/common.js';
import { EquityCurveDto, EquityQuery } from '../../../contracts/equity.js';
import { sendError } from '../../errors.js';

/** What the equity route needs besides the common HTTP deps: the equity curve of one account. */
export interface EquityDeps {
  readonly equityCurve: (tenantId: string, accountId: string, from: string, to: string, limit: number) => Promise<PortfolioSnapshot[]>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const AccountParams = Type.Object({ accountId: Type.String({ maxLength: 64 }) });

/** The dependencies these routes use (and nothing else). */
export type EquityRouteDeps = Pick<HttpDeps, 'equityCurve' | 'queries' | 'tenantOf'>;

export const equityRoutes: FastifyPluginAsync<{ deps: EquityRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/accounts/:accountId/equity', {
    schema: {
      tags: ['portfolio'],
      summary: "An account's equity curve: portfolio snapshots in a time range (default: the last 24 hours), ascending",
      params: AccountParams,
      querystring: EquityQuery,
      response: { 200: EquityCurveDto, 400: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const { from, to, limit } = request.query;
    const toMs = to === undefined ? Date.now() : Date.parse(to);
    const fromMs = from === undefined ? toMs - DAY_MS : Date.parse(from);
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) return sendError(reply, 400, 'INVALID_TIME', '`from` and `to` must be ISO-8601 times');
    if (fromMs > toMs) return sendError(reply, 400, 'INVALID_RANGE', '`from` must not be after `to`');
    const tenantId = deps.tenantOf(request);
    const account = await deps.queries.account(tenantId, request.params.accountId);
    if (!account) return sendError(reply, 404, 'ACCOUNT_NOT_FOUND', 'no such account');
    const snapshots = await deps.equityCurve(tenantId, account.accountId, new Date(fromMs).toISOString(), new Date(toMs).toISOString(), limit ?? 1_000);
    return { accountId: account.accountId, points: snapshots.map((s) => ({ time: s.time, equity: shownDec(s.equity), unrealizedPnl: shownDec(s.unrealizedPnl) })) };
  });
};
