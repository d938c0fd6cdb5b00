import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { NewReplayBody, ReplayDto, ReplayErrorBody, ReplayListDto, ReplayParams } from '../../../contracts/replay-api.js';
import { sendError } from '../../errors.js';

/** The alert history and the candles together: at most this many bytes of JSON. */
export const REPLAY_BODY_LIMIT = 12 * 1024 * 1024;

/** The dependencies these routes use (and nothing else). */
export type ReplayRouteDeps = Pick<HttpDeps, 'replays' | 'tenantOf'>;

/**
 * Replays (ADR-0025): an alert history run through the trading engine on a paper account in a store
 * of its own; the report is kept for the tenant. A refused history (a bad line) stores nothing.
 */
export const replayRoutes: FastifyPluginAsync<{ deps: ReplayRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['analytics'];

  r.post('/replays', {
    bodyLimit: REPLAY_BODY_LIMIT,
    schema: {
      tags, summary: 'Replay an alert history (JSON/CSV of time,message or TradingView\'s "List of trades") against candles; answers the report',
      description: 'Runs the same ingest, routing, sizing, risk and execution as live trading on a paper account in a store of its own (never the live data). ' +
        'A bad line answers 422 with its code and `line`; nothing is stored then. One replay runs at a time on a server (409 REPLAY_BUSY).',
      body: NewReplayBody,
      response: { 201: ReplayDto, 400: ErrorBody, 409: ErrorBody, 413: ErrorBody, 422: ReplayErrorBody, 503: ErrorBody },
    },
  }, async (request, reply) => {
    const run = await deps.replays.run(deps.tenantOf(request), request.body);
    if (!run.ok) return reply.code(run.status).send({ error: { code: run.code, message: run.message, ...(run.line !== undefined ? { line: run.line } : {}) } });
    return reply.code(201).send(run.replay);
  });

  r.get('/replays', {
    schema: { tags, summary: 'The tenant\'s replay reports, newest first', response: { 200: ReplayListDto } },
  }, async (request) => ({ items: await deps.replays.list(deps.tenantOf(request)) }));

  r.get('/replays/:replayId', {
    schema: { tags, summary: 'One replay report', params: ReplayParams, response: { 200: ReplayDto, 404: ErrorBody } },
  }, async (request, reply) => {
    const replay = await deps.replays.get(deps.tenantOf(request), request.params.replayId);
    return replay ?? sendError(reply, 404, 'REPLAY_NOT_FOUND', 'no such replay');
  });
};
