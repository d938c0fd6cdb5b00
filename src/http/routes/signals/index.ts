import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody, Paging, pageOf } from '../../../contracts/common.js';
import { SignalDto, TraceEventDto } from '../../../contracts/read-api.js';
import { sendError } from '../../errors.js';

const SignalParams = Type.Object({ signalId: Type.String({ maxLength: 64 }) });

/** The dependencies these routes use (and nothing else). */
export type SignalRouteDeps = Pick<HttpDeps, 'queries' | 'tenantOf'>;

export const signalRoutes: FastifyPluginAsync<{ deps: SignalRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/signals', {
    schema: { tags: ['signals'], summary: 'Alerts received, newest first, with their outcome', querystring: Type.Intersect([Paging, Type.Object({ strategyId: Type.Optional(Type.String()) })]), response: { 200: pageOf(SignalDto) } },
  }, async (request) => deps.queries.signals(deps.tenantOf(request), request.query));

  r.get('/signals/:signalId', {
    schema: { tags: ['signals'], summary: 'One alert and its outcome', params: SignalParams, response: { 200: SignalDto, 404: ErrorBody } },
  }, async (request, reply) => {
    const signal = await deps.queries.signal(deps.tenantOf(request), request.params.signalId);
    return signal ?? sendError(reply, 404, 'SIGNAL_NOT_FOUND', 'no such signal');
  });

  r.get('/signals/:signalId/trace', {
    schema: {
      tags: ['signals'], summary: 'Every event one alert caused, in log order (signal, risk decisions, orders, fills)',
      params: SignalParams, response: { 200: Type.Object({ signalId: Type.String(), events: Type.Array(TraceEventDto) }), 404: ErrorBody },
    },
  }, async (request, reply) => {
    const events = await deps.queries.trace(deps.tenantOf(request), request.params.signalId);
    return events ? { signalId: request.params.signalId, events } : sendError(reply, 404, 'SIGNAL_NOT_FOUND', 'no such signal');
  });
};
