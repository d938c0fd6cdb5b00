import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { Paging, pageOf } from '../../../contracts/common.js';
import { BalanceDto, FillDto, PositionDto, PriceDto } from '../../../contracts/read-api.js';

const ByAccount = Type.Object({ accountId: Type.Optional(Type.String()) });

export const portfolioRoutes: FastifyPluginAsync<{ deps: HttpDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/fills', {
    schema: { tags: ['portfolio'], summary: 'Fills, newest first', querystring: Type.Intersect([Paging, ByAccount]), response: { 200: pageOf(FillDto) } },
  }, async (request) => deps.queries.fills(deps.tenantOf(request), request.query));

  r.get('/positions', {
    schema: { tags: ['portfolio'], summary: 'Positions with realised PnL, and unrealised PnL at the latest price', querystring: ByAccount, response: { 200: Type.Object({ items: Type.Array(PositionDto) }) } },
  }, async (request) => ({ items: await deps.queries.positions(deps.tenantOf(request), request.query) }));

  r.get('/balances', {
    schema: { tags: ['portfolio'], summary: 'Balances per account and asset', querystring: ByAccount, response: { 200: Type.Object({ items: Type.Array(BalanceDto) }) } },
  }, async (request) => ({ items: await deps.queries.balances(deps.tenantOf(request), request.query) }));

  r.get('/prices', {
    schema: { tags: ['market data'], summary: 'Latest price of every listed symbol', response: { 200: Type.Object({ items: Type.Array(PriceDto) }) } },
  }, async () => ({ items: deps.feed.symbols().flatMap((s) => { const t = deps.feed.latest(s); return t ? [{ symbol: t.symbol, price: t.price, time: t.time }] : []; }) }));
};
