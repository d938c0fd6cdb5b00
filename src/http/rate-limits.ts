import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Budgets } from '../application/ports/budgets.js';

/** Requests per minute allowed per key (0 turns a limit off). */
export interface RateLimits {
  /** authenticated alerts per strategy */
  readonly webhookPerMinute: number;
  /** alerts failing authentication per sender address (beyond: 429 for failures only) */
  readonly webhookAuthFailuresPerMinute: number;
  /** login attempts per client address */
  readonly loginsPerMinute: number;
  /** token refreshes and logouts per client address (default 60): failed logins never block them */
  readonly refreshesPerMinute?: number;
  /** reads per user */
  readonly readsPerMinute: number;
  /** other changes per user, per endpoint */
  readonly writesPerMinute: number;
  /**
   * changes that arm trading (exchange keys, test alerts) per user, per endpoint: the strictest. Kill
   * switches are deliberately not here: stopping trading must not be refused in a panic.
   */
  readonly tradingPerMinute: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'trading': the route changes orders, kill switches or exchange keys (the stricter budget) */
    rateClass?: 'trading';
  }
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

/** The budget a request counts against: logins, and refreshes apart, per address; otherwise per user and per endpoint, by kind of route. */
function budgetOf(request: FastifyRequest, limits: RateLimits): { key: string; max: number } {
  if (isPublic(request)) {
    return request.routeOptions.url?.endsWith('/auth/login')
      ? { key: `login:${request.ip}`, max: limits.loginsPerMinute }
      : { key: `refresh:${request.ip}`, max: limits.refreshesPerMinute ?? 60 };
  }
  const user = `${request.principal?.tenantId ?? '-'}:${request.principal?.userId ?? request.ip}`;
  const endpoint = `${request.method} ${request.routeOptions.url ?? '-'}`;
  const max = READS.has(request.method) ? limits.readsPerMinute : request.routeOptions.config?.rateClass === 'trading' ? limits.tradingPerMinute : limits.writesPerMinute;
  return { key: `user:${user}:${endpoint}`, max };
}

type Answer = { current: number; ttl: number };

/**
 * @fastify/rate-limit's store hook over our Budgets port (the plugin constructs the class itself):
 * the plugin counts `current` against `max`, so a spent unit reports what has been used and a
 * refusal reports one more than the budget.
 */
function budgetStore(budgets: Budgets) {
  return class BudgetStore {
    incr(key: string, callback: (error: Error | null, answer?: Answer) => void, timeWindow: number, max: number): void {
      const answer = (taken: Awaited<ReturnType<Budgets['take']>>): Answer =>
        taken.ok ? { current: Math.max(1, max - taken.remaining), ttl: taken.resetMs } : { current: max + 1, ttl: taken.retryAfterMs };
      const taken = budgets.take(`api:${key}`, max, timeWindow);
      if (taken instanceof Promise) taken.then((t) => callback(null, answer(t)), (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
      else callback(null, answer(taken));
    }

    child(): BudgetStore {
      return this;
    }
  };
}

/**
 * Budgets for every route of the API scope (call before its routes): logins per client address,
 * refreshes and logouts per client address apart (a password guesser never blocks a refresh);
 * reads, changes and trading changes per user and per endpoint (checked after authentication, so
 * the key is the user). 429 with RateLimit-* and Retry-After headers. Counted in `budgets`: across
 * every node on PostgreSQL, per node on SQLite.
 */
export async function limitApiRoutes(api: FastifyInstance, limits: RateLimits, budgets: Budgets): Promise<void> {
  await api.register(rateLimit, {
    ...common,
    store: budgetStore(budgets),
    hook: 'preHandler',
    max: (request) => orUnlimited(budgetOf(request, limits).max),
    keyGenerator: (request) => budgetOf(request, limits).key,
  });
}
