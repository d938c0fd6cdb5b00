import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';

/** Requests per minute allowed per key (0 turns a limit off). */
export interface RateLimits {
  /** alerts per strategy */
  readonly webhookPerMinute: number;
  /** logins and refreshes per client address */
  readonly loginsPerMinute: number;
  /** reads per user */
  readonly readsPerMinute: number;
  /** changes (orders, kill switches, keys) per user */
  readonly writesPerMinute: number;
}

const READS = new Set(['GET', 'HEAD']);
const UNLIMITED = Number.MAX_SAFE_INTEGER;
const orUnlimited = (n: number) => (n > 0 ? n : UNLIMITED);

const common = {
  global: true,
  timeWindow: 60_000,
  enableDraftSpec: true,
  errorResponseBuilder: (_request: FastifyRequest, context: { max: number; after: string }) => ({
    statusCode: 429,
    code: 'RATE_LIMITED',
    message: `too many requests: at most ${context.max} per minute; retry in ${context.after}`,
  }),
} as const;

const isPublic = (request: FastifyRequest) => request.routeOptions.config?.public === true;

/**
 * Budgets for every route of the API scope (call before its routes): logins per client address,
 * reads and changes per user (checked after authentication, so the key is the user). 429 with
 * RateLimit-* and Retry-After headers. Counted per node.
 */
export async function limitApiRoutes(api: FastifyInstance, limits: RateLimits): Promise<void> {
  await api.register(rateLimit, {
    ...common,
    hook: 'preHandler',
    max: (request) => orUnlimited(isPublic(request) ? limits.loginsPerMinute : READS.has(request.method) ? limits.readsPerMinute : limits.writesPerMinute),
    keyGenerator: (request) =>
      isPublic(request) ? `login:${request.ip}` : `user:${request.principal?.tenantId ?? '-'}:${request.principal?.userId ?? request.ip}:${READS.has(request.method) ? 'r' : 'w'}`,
  });
}

/** The webhook's budget: per strategy (TradingView sends from a handful of addresses shared by everyone). */
export async function limitWebhook(app: FastifyInstance, limits: RateLimits): Promise<void> {
  if (limits.webhookPerMinute <= 0) return;
  await app.register(rateLimit, {
    ...common,
    max: limits.webhookPerMinute,
    keyGenerator: (request) => `webhook:${(request.params as { strategyId?: string }).strategyId ?? '-'}`,
  });
}
