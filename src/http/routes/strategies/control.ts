import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { sendError } from '../../errors.js';

const StrategyParams = Type.Object({ strategyId: Type.String({ maxLength: 64 }) });
const PauseBody = Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false });
const RunState = Type.Object({ strategyId: Type.String(), status: Type.Union([Type.Literal('active'), Type.Literal('paused')]), changed: Type.Boolean() });

/** The dependencies these routes use (and nothing else). */
export type StrategyControlRouteDeps = Pick<HttpDeps, 'strategyControl' | 'tenantOf' | 'userOf' | 'waitForProjection'>;

/** Pause, resume and delete a strategy (ADR-0019). */
export const strategyControlRoutes: FastifyPluginAsync<{ deps: StrategyControlRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/strategies/:strategyId/pause', {
    schema: {
      tags: ['strategies'], summary: "Pause a strategy: its alerts are recorded and refused with STRATEGY_PAUSED until it is resumed (closes by API still go)",
      params: StrategyParams, body: Type.Optional(PauseBody), response: { 200: RunState, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const reason = request.body?.reason ?? 'paused through the API';
    const result = await deps.strategyControl(deps.tenantOf(request), request.params.strategyId, { type: 'Pause', by: deps.userOf(request), reason });
    if (!result.ok) return sendError(reply, result.error.status, result.error.code, result.error.message);
    if (result.value.lastPosition !== undefined) await deps.waitForProjection(result.value.lastPosition);
    return { strategyId: request.params.strategyId, status: 'paused' as const, changed: result.value.changed };
  });

  r.post('/strategies/:strategyId/resume', {
    schema: { tags: ['strategies'], summary: 'Resume a paused strategy: its next alerts trade again', params: StrategyParams, response: { 200: RunState, 404: ErrorBody } },
  }, async (request, reply) => {
    const result = await deps.strategyControl(deps.tenantOf(request), request.params.strategyId, { type: 'Resume', by: deps.userOf(request) });
    if (!result.ok) return sendError(reply, result.error.status, result.error.code, result.error.message);
    if (result.value.lastPosition !== undefined) await deps.waitForProjection(result.value.lastPosition);
    return { strategyId: request.params.strategyId, status: 'active' as const, changed: result.value.changed };
  });

  r.delete('/strategies/:strategyId', {
    schema: {
      tags: ['strategies'], summary: 'Delete a strategy: its webhook answers like an unknown strategy; its signals and orders stay in the log. Refused while it holds a position (STRATEGY_HOLDS_POSITIONS)',
      params: StrategyParams, response: { 204: Type.Null(), 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request, reply) => {
    const result = await deps.strategyControl(deps.tenantOf(request), request.params.strategyId, { type: 'Delete', by: deps.userOf(request) });
    if (!result.ok) return sendError(reply, result.error.status, result.error.code, result.error.message);
    if (result.value.lastPosition !== undefined) await deps.waitForProjection(result.value.lastPosition);
    return reply.code(204).send(null);
  });
};
