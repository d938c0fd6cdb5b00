import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { sendError } from '../../errors.js';

/** The dependencies these routes use (and nothing else). */
export type OrderCancelRouteDeps = Pick<HttpDeps, 'cancels' | 'tenantOf' | 'userOf' | 'waitForProjection'>;

// no body at all is fine; a body that is not this object (a JSON null included) is a 400, as on every route
const CancelBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
const CancelResult = Type.Object({
  clientOrderId: Type.String(),
  status: Type.String({ description: "the order's status now: `cancelled` at once for an order never sent; an order on the exchange keeps its status until the exchange answers" }),
  recorded: Type.Boolean({ description: 'false: a cancel was already pending (nothing new recorded)' }),
});
const AccountCancelBody = Type.Object({ symbol: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
const AccountCancelResult = Type.Object({
  requested: Type.Array(CancelResult),
  notOpen: Type.Array(Type.String(), { description: 'orders that became final before their cancel was recorded' }),
});
const NOT_FOUND = new Set(['ORDER_NOT_FOUND', 'ACCOUNT_NOT_FOUND']);

/**
 * Cancels (issue 17): the request is recorded on each order's stream first (202 Accepted); the node
 * owning the account asks the exchange, and the order's status follows the exchange's answer.
 */
export const orderCancelRoutes: FastifyPluginAsync<{ deps: OrderCancelRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/orders/:clientOrderId/cancel', {
    schema: {
      tags: ['orders'], summary: 'Cancel one order (recorded first, then the exchange is asked)',
      params: Type.Object({ clientOrderId: Type.String({ maxLength: 64 }) }), body: Type.Optional(CancelBody),
      response: { 202: CancelResult, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request, reply) => {
    const body = request.body as Static<typeof CancelBody> | undefined;
    const result = await deps.cancels.order(deps.tenantOf(request), request.params.clientOrderId, `user:${deps.userOf(request)}`, body?.reason ?? 'cancelled through the API');
    if (!result.ok) return sendError(reply, NOT_FOUND.has(result.error.code) ? 404 : 409, result.error.code, result.error.message);
    if (result.value.lastPosition !== undefined) await deps.waitForProjection(result.value.lastPosition);
    const { lastPosition: _position, ...answer } = result.value;
    return reply.code(202).send(answer);
  });

  r.post('/accounts/:accountId/cancel-orders', {
    schema: {
      tags: ['orders'], summary: "Cancel every open order of an account (of one symbol when given)",
      params: Type.Object({ accountId: Type.String({ maxLength: 64 }) }), body: Type.Optional(AccountCancelBody),
      response: { 202: AccountCancelResult, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const body = request.body as Static<typeof AccountCancelBody> | undefined;
    const filter = body?.symbol !== undefined ? { symbol: body.symbol } : {};
    const result = await deps.cancels.account(deps.tenantOf(request), request.params.accountId, filter, `user:${deps.userOf(request)}`, body?.reason ?? 'cancelled through the API');
    if (!result.ok) return sendError(reply, NOT_FOUND.has(result.error.code) ? 404 : 409, result.error.code, result.error.message);
    if (result.value.lastPosition !== undefined) await deps.waitForProjection(result.value.lastPosition);
    return reply.code(202).send({ requested: result.value.requested, notOpen: result.value.notOpen });
  });
};
