import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { Paging, pageOf } from '../../../contracts/common.js';
import { AccountPriceDto, BalanceDto, FillDto, MarketDto, PositionDto, PriceDto } from '../../../contracts/read-api.js';
import { ErrorBody } from '../../../contracts/common.js';
import { sendError } from '../../errors.js';

const ByAccount = Type.Object({ accountId: Type.Optional(Type.String()) });

/** The dependencies these routes use (and nothing else). */
export type PortfolioRouteDeps = Pick<HttpDeps, 'feed' | 'marketData' | 'queries' | 'tenantOf'>;

export const portfolioRoutes: FastifyPluginAsync<{ deps: PortfolioRouteDeps }> = async (app, { deps }) => {
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

  const PricesQuery = Type.Object({
    accountId: Type.Optional(Type.String({ maxLength: 64, description: "the account whose own exchange's prices to answer; without it, the paper feed's prices" })),
    symbols: Type.Optional(Type.String({ maxLength: 2000, pattern: '^[A-Za-z0-9/:._-]+(,[A-Za-z0-9/:._-]+)*$', description: 'comma-separated unified symbols (at most 100); they are followed from now on' })),
  }, { additionalProperties: false });
  const AccountPrices = Type.Object({
    accountId: Type.String(), exchange: Type.String(), venue: Type.String(), maxAgeMs: Type.Integer(),
    connections: Type.Array(Type.Object({ id: Type.String(), state: Type.String(), lastMessageAt: Type.Optional(Type.String()) })),
    items: Type.Array(AccountPriceDto), notListed: Type.Optional(Type.Array(Type.String())),
  });

  r.get('/prices', {
    schema: {
      tags: ['market data'], summary: "Latest prices: an account's own exchange's (price, bid, ask, source, age), or the paper feed's", querystring: PricesQuery,
      response: { 200: Type.Union([AccountPrices, Type.Object({ items: Type.Array(PriceDto) })]), 400: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const { accountId, symbols } = request.query;
    if (accountId === undefined) {
      return { items: deps.feed.symbols().flatMap((s) => { const t = deps.feed.latest(s); return t ? [{ symbol: t.symbol, price: t.price, time: t.time }] : []; }) };
    }
    const list = symbols === undefined ? undefined : [...new Set(symbols.split(','))];
    if (list && list.length > 100) return sendError(reply, 400, 'TOO_MANY_SYMBOLS', 'ask for at most 100 symbols at once');
    const answer = await deps.marketData.prices(deps.tenantOf(request), accountId, list);
    if (!answer) return sendError(reply, 404, 'ACCOUNT_NOT_FOUND', 'no such account');
    return answer;
  });

  const MarketsQuery = Type.Object({
    accountId: Type.Optional(Type.String({ maxLength: 64, description: 'without it: which exchange each of your accounts trades on and how many markets it lists' })),
    q: Type.Optional(Type.String({ maxLength: 40, description: 'only symbols containing this text' })),
  }, { additionalProperties: false });

  r.get('/markets', {
    schema: {
      tags: ['market data'], summary: "The markets an account's own exchange lists: symbol, precision, limits, status (trading or halted)", querystring: MarketsQuery,
      response: {
        200: Type.Union([
          Type.Object({ accountId: Type.String(), exchange: Type.String(), venue: Type.String(), loaded: Type.Boolean({ description: "false while the exchange's list could not be loaded yet" }), items: Type.Array(MarketDto) }),
          Type.Object({ accounts: Type.Array(Type.Object({ accountId: Type.String(), exchange: Type.String(), venue: Type.String(), loaded: Type.Boolean(), markets: Type.Integer() })) }),
        ]),
        404: ErrorBody,
      },
    },
  }, async (request, reply) => {
    if (request.query.accountId === undefined) return { accounts: await deps.marketData.accounts(deps.tenantOf(request)) };
    const answer = await deps.marketData.markets(deps.tenantOf(request), request.query.accountId, request.query.q);
    if (!answer) return sendError(reply, 404, 'ACCOUNT_NOT_FOUND', 'no such account');
    return answer;
  });
};
