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
      tags: ['orders'], summary: 'Orders, newest first; with status=open every order not final yet (not paged: the newest 1000, and `total`)',
      querystring: Type.Intersect([Paging, Type.Object({
        accountId: Type.Optional(Type.String()), signalId: Type.Optional(Type.String()),
        status: Type.Optional(Type.Literal('open', { description: 'every open order (approved, on its way, resting, partly filled, of unknown fate), however old' })),
      })]),
      response: { 200: Type.Object({ ...pageOf(OrderDto).properties, total: Type.Optional(Type.Integer({ minimum: 0, description: 'with status=open: how many orders are open (more than `items` holds beyond 1000: the newest are listed)' })) }) },
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
