import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { StrategyDto } from '../../../contracts/read-api.js';

export const strategyRoutes: FastifyPluginAsync<{ deps: HttpDeps }> = async (app, { deps }) => {
  app.withTypeProvider<TypeBoxTypeProvider>().get('/strategies', {
    schema: { tags: ['strategies'], summary: 'Strategies with their webhook URL (the secret is never returned)', response: { 200: Type.Object({ items: Type.Array(StrategyDto) }) } },
  }, async (request) => ({
    items: (await deps.queries.strategies(deps.tenantOf(request))).map((s) => ({
      strategyId: s.strategyId, name: s.name, webhookUrl: `${deps.publicUrl}/webhook/${s.strategyId}`, symbolMap: { ...s.symbolMap },
      maxSignalAgeSeconds: s.maxSignalAgeSeconds,
      accounts: s.accounts.map((a) => ({ accountId: a.accountId, sizing: { ...a.sizing }, orderTemplate: { ...a.orderTemplate } })),
    })),
  }));
};
