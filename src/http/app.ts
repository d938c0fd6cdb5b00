import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { HttpDeps } from './deps.js';
import { installErrorHandling } from './errors.js';
import { installRequestMetrics } from './request-metrics.js';
import { webhookRoutes } from './routes/webhook/index.js';
import { signalRoutes } from './routes/signals/index.js';
import { orderRoutes } from './routes/orders/index.js';
import { orderCancelRoutes } from './routes/orders/cancel.js';
import { portfolioRoutes } from './routes/portfolio/index.js';
import { accountRoutes } from './routes/accounts/index.js';
import { strategyRoutes } from './routes/strategies/index.js';
import { probeRoutes, systemRoutes } from './routes/system/index.js';
import { equityRoutes } from './routes/equity/index.js';
import { analyticsRoutes } from './routes/analytics/index.js';
import { replayRoutes } from './routes/replays/index.js';
import { ErrorBody } from '../contracts/common.js';
import { installAuth } from './auth-hook.js';
import cors from '@fastify/cors';
import { limitApiRoutes } from './rate-limits.js';
import { refuseUnexpectedBodies } from './unexpected-body.js';
import { authRoutes } from './routes/auth/index.js';
import { streamRoutes } from './routes/stream/index.js';
import { closeUnusedSocketsOnClose } from './unused-sockets.js';
import { dashboardRoutes } from './routes/dashboard/index.js';
import { userRoutes } from './routes/users/index.js';
import { positionRoutes } from './routes/positions/index.js';
import { placeOrderRoutes } from './routes/place-order/index.js';
import { strategyControlRoutes } from './routes/strategies/control.js';
import { outboundWebhookRoutes } from './routes/outbound-webhooks/index.js';
import { telegramRoutes } from './routes/telegram/index.js';
import { SecurityLog } from './security-log.js';
import { installSecurityHeaders } from './security-headers.js';
import { LazySchemas, type SchemaCompileFailure } from './lazy-schemas.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** compiles every route schema not compiled yet (started by itself once the server listens); the ones that failed */
    routeSchemasCompiled(): Promise<SchemaCompileFailure[]>;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Fastify's trustProxy: false, true, the proxies' addresses and CIDRs, or a hop count (trust the nearest n). */
function trustProxyOf(setting: boolean | number | readonly string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return typeof setting === 'object' ? [...setting] : setting;
}

/** Builds the Fastify app: OpenAPI 3.1 from the route schemas, the webhook, the REST API and probes. */
export async function buildHttpApp(deps: HttpDeps, schemas = new LazySchemas()): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: 256 * 1024,
    // one log line per request would cost more than the request at alert rates; metrics cover it
    logController: new LogController({ disableRequestLogging: true }),
    // behind a TLS proxy, the client's address comes from X-Forwarded-For of the proxies trusted here (PATRIOT_TRUST_PROXY)
    trustProxy: trustProxyOf(deps.security.trustProxy),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    // compiled on first use, and all of them once the server listens (lazy-schemas.ts)
    schemaController: { compilersFactory: schemas.compilersFactory },
  });
  let compiled: Promise<SchemaCompileFailure[]> | undefined;
  app.decorate('routeSchemasCompiled', () => (compiled ??= schemas.compileAll(nextTurn)));
  app.addHook('onListen', function compileSchemasNow(done) {
    done();
    void app.routeSchemasCompiled().then((failures) => {
      for (const f of failures) deps.logger.error({ route: f.route, err: f.error }, 'a route schema does not compile: the route answers 500');
    });
  });
  app.addHook('onClose', async () => schemas.stop());
  installErrorHandling(app);
  installSecurityHeaders(app);
  const security = new SecurityLog(deps.logger);
  app.addHook('onClose', async () => security.close());
  closeUnusedSocketsOnClose(app);
  installRequestMetrics(app, deps.metrics);
  if (deps.corsOrigins.length > 0) await app.register(cors, { origin: [...deps.corsOrigins], methods: ['GET', 'POST', 'PUT', 'DELETE'], allowedHeaders: ['authorization', 'content-type', 'idempotency-key'], maxAge: 600 });
  app.addSchema(ErrorBody);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'PATRIOT', version: '0.1.0', description: 'TradingView alerts to risk-checked orders, with an append-only hash-chained event log.' },
      tags: [
        { name: 'alerts', description: 'Webhook ingest' },
        { name: 'auth', description: 'Log in, tokens, API keys' },
        { name: 'users', description: "Administration of the tenant's users" },
        { name: 'signals' }, { name: 'orders' }, { name: 'portfolio' }, { name: 'accounts' }, { name: 'strategies' }, { name: 'risk' }, { name: 'market data' }, { name: 'live' }, { name: 'system' }, { name: 'analytics', description: 'Round trips, metrics and downloads' }, { name: 'notifications', description: 'Signed outbound webhooks, chat and e-mail endpoints, Telegram' },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an access token from /api/v1/auth/login, or an API key' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (deps.dashboardDir !== undefined) await app.register(dashboardRoutes, { dir: deps.dashboardDir });
  await app.register(probeRoutes, { deps, security });
  await app.register(webhookRoutes, { deps, security });
  await app.register(
    async (api) => {
      installAuth(api, deps.auth, security);
      refuseUnexpectedBodies(api);
      await limitApiRoutes(api, deps.rateLimits, deps.limits.budgets);
      await api.register(authRoutes, { deps, security });
      await api.register(userRoutes, { deps });
      await api.register(signalRoutes, { deps });
      await api.register(orderRoutes, { deps });
      await api.register(orderCancelRoutes, { deps });
      await api.register(portfolioRoutes, { deps });
      await api.register(accountRoutes, { deps });
      await api.register(strategyRoutes, { deps });
      await api.register(systemRoutes, { deps });
      await api.register(equityRoutes, { deps });
      await api.register(analyticsRoutes, { deps });
      await api.register(replayRoutes, { deps });
      await api.register(streamRoutes, { deps });
      await api.register(positionRoutes, { deps });
      await api.register(placeOrderRoutes, { deps });
      await api.register(strategyControlRoutes, { deps });
      await api.register(outboundWebhookRoutes, { deps });
      await api.register(telegramRoutes, { deps });
    },
    { prefix: '/api/v1' },
  );
  return app;
}
