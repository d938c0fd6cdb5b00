import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { sendError } from '../../errors.js';

const PositionParams = Type.Object({
  accountId: Type.String({ maxLength: 64 }),
  symbol: Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9/:._-]+$', description: 'unified symbol, URL-encoded: BTC%2FUSDT, BTC%2FUSDT%3AUSDT' }),
});
const CloseBody = Type.Object({
  strategyId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "close only this strategy's share of the position (default: every strategy's share)" })),
  side: Type.Optional(Type.Union([Type.Literal('long'), Type.Literal('short')], { description: 'close only a long or only a short (like exit_long / exit_short)' })),
}, { additionalProperties: false });
const CloseAnswer = Type.Object({
  signals: Type.Array(Type.Object({ strategyId: Type.String(), signalId: Type.String(), repeated: Type.Boolean() })),
});
const Holders = Type.Object({
  accountId: Type.String(), symbol: Type.String(), quantity: Type.String({ description: "the account's signed position" }),
  strategies: Type.Array(Type.Object({ strategyId: Type.String(), quantity: Type.String({ description: "the strategy's own signed position" }) })),
});
const CloseHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) });

/** The dependencies these routes use (and nothing else). */
export type PositionRouteDeps = Pick<HttpDeps, 'positions' | 'tenantOf' | 'waitForProjection'>;

/** Positions per strategy, and closing them through the same approve -> execute path as an alert's close (ADR-0019). */
export const positionRoutes: FastifyPluginAsync<{ deps: PositionRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/accounts/:accountId/positions/:symbol/strategies', {
    schema: { tags: ['portfolio'], summary: "One account's position in a symbol, and each strategy's share of it", params: PositionParams, response: { 200: Holders, 404: ErrorBody } },
  }, async (request, reply) => {
    const found = await deps.positions.holders(deps.tenantOf(request), request.params.accountId, request.params.symbol);
    return found ?? sendError(reply, 404, 'ACCOUNT_NOT_FOUND', 'no such account');
  });

  r.post('/accounts/:accountId/positions/:symbol/close', {
    config: { rateClass: 'trading' },
    schema: {
      tags: ['portfolio'],
      summary: 'Close a position (reduce-only on futures): records a close per strategy, routed and risk-checked like an alert; answered once recorded',
      params: PositionParams, headers: CloseHeaders, body: Type.Optional(CloseBody),
      response: { 202: CloseAnswer, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const body = request.body ?? {};
    const key = request.headers['idempotency-key'];
    const result = await deps.positions.close(deps.tenantOf(request), {
      accountId: request.params.accountId, symbol: request.params.symbol,
      ...(body.strategyId !== undefined ? { strategyId: body.strategyId } : {}),
      ...(body.side !== undefined ? { side: body.side } : {}),
      ...(key !== undefined ? { requestKey: key } : {}),
    });
    if (!result.ok) return sendError(reply, result.error.status, result.error.code, result.error.message);
    if (result.value.lastPosition !== undefined) await deps.waitForProjection(result.value.lastPosition);
    return reply.code(202).send({ signals: [...result.value.signals] });
  });
};
