import { killSwitchOptions } from '../../kill-switch-options.js';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { KillSwitchBody, KillSwitchState } from '../../../contracts/read-api.js';
import { sendError } from '../../errors.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerOf } from '../../auth-hook.js';
import type { SecurityLog } from '../../security-log.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** /health, /ready and /metrics live at the root. */
/** The dependencies these routes use (and nothing else). */
export type ProbeRouteDeps = Pick<HttpDeps, 'isReady' | 'metrics' | 'security' | 'storeUnavailable'>;

export const probeRoutes: FastifyPluginAsync<{ deps: ProbeRouteDeps; security?: SecurityLog }> = async (app, { deps, security }) => {
  const metricsToken = deps.security.metricsToken !== undefined ? digest(deps.security.metricsToken) : undefined;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/health', { schema: { tags: ['system'], summary: 'Liveness: the process answers', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));
  r.get('/ready', {
    schema: {
      tags: ['system'], summary: 'Readiness: this node can record an alert now (log caught up, recovery done, event store reachable and writable)',
      response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: ErrorBody },
    },
  }, async (_request, reply) => {
    if (!deps.isReady()) return sendError(reply, 503, 'NOT_READY', 'starting up: catching up with the event log');
    const away = deps.storeUnavailable?.();
    if (away !== undefined) return sendError(reply, 503, 'STORE_UNAVAILABLE', `alerts cannot be recorded now: ${away}`);
    return { status: 'ready' as const };
  });
  r.get('/metrics', {
    schema: { tags: ['system'], summary: 'Prometheus metrics (with PATRIOT_METRICS_TOKEN set: send it as Authorization: Bearer …)', hide: false },
  }, async (request, reply) => {
    if (metricsToken !== undefined) {
      const given = bearerOf(request);
      // digests compared in constant time (which also hides the token's length)
      if (given === undefined || !timingSafeEqual(digest(given), metricsToken)) {
        security?.note('metrics_refused', request.ip, given === undefined ? 'MISSING_TOKEN' : 'INVALID_TOKEN');
        return sendError(reply.header('www-authenticate', 'Bearer realm="metrics"'), 401, 'UNAUTHENTICATED', 'the metrics need Authorization: Bearer <PATRIOT_METRICS_TOKEN>');
      }
    }
    reply.header('content-type', deps.metrics.contentType);
    return deps.metrics.metrics();
  });
};

/** The global kill switch, under /api/v1. */
/** The dependencies these routes use (and nothing else). */
export type SystemRouteDeps = Pick<HttpDeps, 'queries' | 'setKillSwitch' | 'tenantOf' | 'userOf' | 'waitForProjection'>;

export const systemRoutes: FastifyPluginAsync<{ deps: SystemRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/kill-switch', { schema: { tags: ['risk'], summary: 'The global kill switch', response: { 200: KillSwitchState } } }, async (request) => (await deps.queries.system(deps.tenantOf(request))).killSwitch);
  r.put('/kill-switch', {
    schema: {
      tags: ['risk'],
      summary: 'Engage or release the global kill switch (every new order is refused while engaged); optionally cancel every open order and flatten every account',
      body: KillSwitchBody, response: { 200: KillSwitchState, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const tenantId = deps.tenantOf(request);
    const options = killSwitchOptions(request.body, `user:${deps.userOf(request)}`);
    if (!options.ok) return sendError(reply, 422, options.error.code, options.error.message);
    const result = await deps.setKillSwitch(tenantId, {}, request.body.engaged, request.body.reason ?? 'engaged through the API', options.value);
    if (!result.ok) return sendError(reply, 422, result.error.code, result.error.message);
    if (result.value.lastPosition !== undefined) await deps.waitForProjection(result.value.lastPosition);
    const state = (await deps.queries.system(tenantId)).killSwitch;
    return result.value.actions.length > 0 ? { ...state, accountActions: [...result.value.actions] } : state;
  });
};
