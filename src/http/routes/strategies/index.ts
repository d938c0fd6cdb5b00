import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import type { StrategyConfig } from '../../../domain/strategies/strategy.js';
import { actionAlertMessages, tradingViewAlertMessage } from '../../../domain/signals/alert-template.js';
import { ErrorBody } from '../../../contracts/common.js';
import { NewStrategyDto, StrategyBody, StrategyFillCountsDto, StrategySecretDto, StrategyView, TestAlertBody, TestAlertDto } from '../../../contracts/strategy-api.js';
import { sendError } from '../../errors.js';
import { strategySigningRoutes } from './signing.js';
import { signAlert } from '../../../application/ingest/alert-signature.js';

const StrategyParams = Type.Object({ strategyId: Type.String({ maxLength: 64 }) });
const noSuchStrategy = (reply: FastifyReply) => sendError(reply, 404, 'STRATEGY_NOT_FOUND', 'no such strategy');
/** 404 for a strategy of another tenant (never 403), 422 for an unusable configuration */
const statusOf = (code: string): number => (code === 'STRATEGY_NOT_FOUND' ? 404 : 422);

/** The dependencies these routes use (and nothing else). */
export type StrategyRouteDeps = Pick<HttpDeps, 'configuration' | 'ingest' | 'publicUrl' | 'queries' | 'tenantOf' | 'waitForProjection'>;

export const strategyRoutes: FastifyPluginAsync<{ deps: StrategyRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  await app.register(strategySigningRoutes, { deps });
  const webhookUrl = (strategyId: string) => `${deps.publicUrl}/webhook/${strategyId}`;
  const view = (s: StrategyConfig & { status?: string; pausedReason?: string }) => ({
    status: s.status === 'paused' ? 'paused' as const : 'active' as const,
    ...(s.status === 'paused' && s.pausedReason !== undefined ? { pausedReason: s.pausedReason } : {}),
    strategyId: s.strategyId, name: s.name, webhookUrl: webhookUrl(s.strategyId), symbolMap: { ...s.symbolMap },
    risk: {
      ...(s.risk.maxOrderNotional !== undefined ? { maxOrderNotional: s.risk.maxOrderNotional } : {}),
      ...(s.risk.maxPositionNotional !== undefined ? { maxPositionNotional: s.risk.maxPositionNotional } : {}),
      ...(s.risk.allowedSymbols ? { allowedSymbols: [...s.risk.allowedSymbols] } : {}),
      ...(s.risk.maxOpenOrders !== undefined ? { maxOpenOrders: s.risk.maxOpenOrders } : {}),
    },
    maxSignalAgeSeconds: s.maxSignalAgeSeconds,
    ...(s.allowedSources ? { allowedSources: [...s.allowedSources] } : {}),
    accounts: s.accounts.map((a) => ({ accountId: a.accountId, sizing: { ...a.sizing }, orderTemplate: { ...a.orderTemplate } })),
  });
  const webhook = (strategyId: string, secret: string) => ({
    strategyId, webhookUrl: webhookUrl(strategyId), secret,
    alertMessage: tradingViewAlertMessage({ secret, mode: 'strategy' }),
    indicatorAlertMessage: tradingViewAlertMessage({ secret, mode: 'indicator' }),
    actionAlertMessages: actionAlertMessages(secret),
  });

  r.get('/strategies', {
    schema: { tags: ['strategies'], summary: 'Strategies with their webhook URL (the secret is never returned)', response: { 200: Type.Object({ items: Type.Array(StrategyView) }) } },
  }, async (request) => ({ items: (await deps.queries.strategies(deps.tenantOf(request))).map(view) }));

  r.get('/strategies/:strategyId', {
    schema: { tags: ['strategies'], summary: 'One strategy (the secret is never returned)', params: StrategyParams, response: { 200: StrategyView, 404: ErrorBody } },
  }, async (request, reply) => {
    const strategy = await deps.queries.strategy(deps.tenantOf(request), request.params.strategyId);
    return strategy ? view(strategy) : noSuchStrategy(reply);
  });

  r.get('/strategies/:strategyId/fill-counts', {
    schema: { tags: ['strategies'], summary: "How often the strategy's orders filled (fills, buys, sells, orders filled completely)", params: StrategyParams, response: { 200: StrategyFillCountsDto, 404: ErrorBody } },
  }, async (request, reply) => {
    const tenantId = deps.tenantOf(request);
    if (!(await deps.queries.strategy(tenantId, request.params.strategyId))) return noSuchStrategy(reply);
    return deps.queries.strategyFills(tenantId, request.params.strategyId);
  });

  r.post('/strategies', {
    schema: {
      tags: ['strategies'], summary: 'Create a strategy: its accounts, sizing, order template, risk limits and symbol map. The webhook secret and alert messages are shown in this answer only',
      body: StrategyBody, response: { 201: NewStrategyDto, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const tenantId = deps.tenantOf(request);
    const created = await deps.configuration.createStrategy(tenantId, request.body);
    if (!created.ok) return sendError(reply, statusOf(created.error.code), created.error.code, created.error.message);
    await deps.waitForProjection(created.value.lastPosition);
    const strategy = (await deps.queries.strategy(tenantId, created.value.strategyId))!;
    return reply.code(201).send({ strategy: view(strategy), webhook: webhook(created.value.strategyId, created.value.secret) });
  });

  r.put('/strategies/:strategyId', {
    schema: {
      tags: ['strategies'], summary: 'Replace a strategy\'s configuration (a new version; the webhook secret stays)',
      params: StrategyParams, body: StrategyBody, response: { 200: StrategyView, 404: ErrorBody, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const tenantId = deps.tenantOf(request);
    const updated = await deps.configuration.updateStrategy(tenantId, request.params.strategyId, request.body);
    if (!updated.ok) return sendError(reply, statusOf(updated.error.code), updated.error.code, updated.error.message);
    await deps.waitForProjection(updated.value.lastPosition);
    return view((await deps.queries.strategy(tenantId, request.params.strategyId))!);
  });

  r.post('/strategies/:strategyId/rotate-secret', {
    schema: {
      tags: ['strategies'], summary: 'Replace the webhook secret (alerts with the old one are refused from now on); the new secret and alert messages are shown in this answer only',
      params: StrategyParams, response: { 200: StrategySecretDto, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const rotated = await deps.configuration.rotateSecret(deps.tenantOf(request), request.params.strategyId);
    if (!rotated.ok) return noSuchStrategy(reply);
    return webhook(request.params.strategyId, rotated.value.secret);
  });

  r.post('/strategies/:strategyId/test-alert', {
    config: { rateClass: 'trading' }, // it trades like a real alert
    schema: {
      tags: ['strategies'], summary: 'Send a test alert through the same ingest path as a TradingView webhook (it trades like one)',
      params: StrategyParams, body: TestAlertBody, response: { 200: TestAlertDto, 202: TestAlertDto, 404: ErrorBody, 422: ErrorBody, 503: ErrorBody },
    },
  }, async (request, reply) => {
    const { strategyId } = request.params;
    const secret = await deps.configuration.secretOf(deps.tenantOf(request), strategyId);
    if (secret === undefined) return noSuchStrategy(reply);
    const { action, ticker, quantity, price } = request.body;
    const body = JSON.stringify({ secret, id: `test-${randomUUID()}`, action, ticker, ...(quantity !== undefined ? { quantity } : {}), ...(price !== undefined ? { price } : {}), timenow: new Date().toISOString() });
    // signed like a sender with the key would sign it, so a strategy that requires signatures can be tested too
    const signing = await deps.configuration.signing.of(deps.tenantOf(request), strategyId);
    const signature = signing?.key ? signAlert(signing.key, Math.floor(Date.now() / 1000), body) : undefined;
    let outcome;
    try {
      outcome = await deps.ingest({ strategyId, body, ...(signature !== undefined ? { signature } : {}) });
    } catch {
      return sendError(reply, 503, 'STORE_UNAVAILABLE', 'the alert could not be recorded');
    }
    switch (outcome.kind) {
      case 'accepted':
        return reply.code(202).send({ status: 'accepted' as const, signalId: outcome.signalId });
      case 'duplicate':
        return reply.code(200).send({ status: 'duplicate' as const, signalId: outcome.signalId });
      case 'refused':
        return sendError(reply, 422, outcome.code, outcome.message, outcome.signalId !== undefined ? { signalId: outcome.signalId } : {});
    }
  });
};
