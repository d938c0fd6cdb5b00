import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { WebhookParams } from '../../../contracts/webhook.js';
import { OrderPlacedDto, PlaceOrderBody, PlaceOrderHeaders } from '../../../contracts/order-api.js';
import { sendError } from '../../errors.js';
import { ALERT_BODY_LIMIT } from '../webhook/index.js';

/** The dependencies these routes use (and nothing else). */
export type PlaceOrderRouteDeps = Pick<HttpDeps, 'placeOrder' | 'tenantOf' | 'userOf' | 'waitForProjection'>;

/** The JSON text as received: its numbers are read with the digits sent (as the webhook reads them), never through a binary float. */
const rawBodies = new WeakMap<FastifyRequest, string>();

/**
 * POST /api/v1/strategies/:strategyId/signals — an order placed by hand (the dashboard's order
 * ticket): the webhook's alert fields without the secret, recorded as a signal of the strategy and
 * routed like an alert. A trader's (or admin's) login; a viewer gets 403.
 */
export const placeOrderRoutes: FastifyPluginAsync<{ deps: PlaceOrderRouteDeps }> = async (app, { deps }) => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: ALERT_BODY_LIMIT }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    try {
      const parsed: unknown = JSON.parse(text);
      rawBodies.set(request, text);
      done(null, parsed);
    } catch {
      done(Object.assign(new Error('the body is not valid JSON'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined);
    }
  });

  app.withTypeProvider<TypeBoxTypeProvider>().post('/strategies/:strategyId/signals', {
    config: { rateClass: 'trading' },
    bodyLimit: ALERT_BODY_LIMIT,
    schema: {
      tags: ['strategies'],
      summary: 'Place an order by hand: the alert fields of the webhook (without the secret), recorded as a signal of the strategy and routed, sized and risk-checked like an alert',
      description:
        'Market, limit, stop (stop-market), stop-limit, take-profit, trailing stop (trailing_percent or trailing_distance), a bracket (take_profit levels with take_profit_split, stop_loss, stop_loss_limit, break_even) ' +
        'and percent sizing (qty "25%") mean exactly what they mean in an alert. Answers 202 once the signal is recorded (its orders follow, as an alert\'s do). ' +
        'A bad order is refused with the webhook\'s stable code and nothing is recorded. The signal\'s trace names the user (causation api:manual-order:<userId>). ' +
        'Needs the trader role.',
      params: WebhookParams, headers: PlaceOrderHeaders, body: PlaceOrderBody,
      response: { 202: OrderPlacedDto, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const key = request.headers['idempotency-key'];
    const result = await deps.placeOrder(deps.tenantOf(request), {
      strategyId: request.params.strategyId,
      body: rawBodies.get(request) ?? JSON.stringify(request.body),
      userId: deps.userOf(request),
      ...(key !== undefined ? { requestKey: key } : {}),
    });
    if (!result.ok) return sendError(reply, result.error.status, result.error.code, result.error.message);
    const { signalId, repeated, signal, lastPosition } = result.value;
    if (lastPosition !== undefined) await deps.waitForProjection(lastPosition);
    return reply.code(202).send({ signalId, repeated, ...(signal !== undefined ? { signal: { ...signal } } : {}) });
  });
};
