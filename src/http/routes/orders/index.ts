import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody, Paging, pageOf } from '../../../contracts/common.js';
import { OrderDto } from '../../../contracts/read-api.js';
import { sendError } from '../../errors.js';

/** The dependencies these routes use (and nothing else). */
export type OrderRouteDeps = Pick<HttpDeps, 'queries' | 'tenantOf'>;

export const orderRoutes: FastifyPluginAsync<{ deps: OrderRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/orders', {
    schema: {
      tags: ['orders'], summary: 'Orders, newest first; with status=open every order not final yet (not paged: at most 1000)',
      querystring: Type.Intersect([Paging, Type.Object({
        accountId: Type.Optional(Type.String()), signalId: Type.Optional(Type.String()),
        status: Type.Optional(Type.Literal('open', { description: 'every open order (approved, on its way, resting, partly filled, of unknown fate), however old' })),
      })]),
      response: { 200: pageOf(OrderDto) },
    },
  }, async (request) => {
    const tenantId = deps.tenantOf(request);
    const { status, ...filter } = request.query;
    return status === 'open' ? deps.queries.openOrders(tenantId, filter.accountId !== undefined ? { accountId: filter.accountId } : {}) : deps.queries.orders(tenantId, filter);
  });

  r.get('/orders/:clientOrderId', {
    schema: { tags: ['orders'], summary: 'One order by its clientOrderId', params: Type.Object({ clientOrderId: Type.String({ maxLength: 64 }) }), response: { 200: OrderDto, 404: ErrorBody } },
  }, async (request, reply) => {
    const order = await deps.queries.order(deps.tenantOf(request), request.params.clientOrderId);
    return order ?? sendError(reply, 404, 'ORDER_NOT_FOUND', 'no such order');
  });
};
