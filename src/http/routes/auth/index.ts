import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { ApiKeyBody, ApiKeyDto, LoginBody, NewApiKeyDto, RefreshBody, TokenPairDto } from '../../../contracts/auth-api.js';
import { sendError } from '../../errors.js';
import { principalOf } from '../../auth-hook.js';
import type { SecurityLog } from '../../security-log.js';

/** An API key lives at most this long when it is given an expiry. */
const MAX_KEY_LIFETIME_MS = 2 * 366 * 86_400_000;

/** Login, token refresh, logout, and a user's API keys. */
/** The dependencies these routes use (and nothing else). */
export type AuthRouteDeps = Pick<HttpDeps, 'auth' | 'limits' | 'security'>;

export const authRoutes: FastifyPluginAsync<{ deps: AuthRouteDeps; security: SecurityLog }> = async (app, { deps, security }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // failed logins slow down by username (whichever addresses guess) and by address (whichever usernames)
  // (counted across nodes on PostgreSQL: a guesser gains nothing by spreading over nodes)
  const byUser = deps.limits.loginThrottle('user', deps.security.loginFailuresPerUser);
  const byAddress = deps.limits.loginThrottle('address', deps.security.loginFailuresPerAddress);
  const throttled = (reply: FastifyReply, waitMs: number) => {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return sendError(reply.header('retry-after', String(seconds)), 429, 'LOGIN_THROTTLED', `too many failed logins: try again in ${seconds} s`);
  };

  r.post('/auth/login', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Log in: an access token (15 min) and a single-use refresh token', security: [], body: LoginBody, response: { 200: TokenPairDto, 401: ErrorBody, 429: ErrorBody } },
  }, async (request, reply) => {
    const userKey = request.body.username.toLowerCase();
    const [userWait, addressWait] = await Promise.all([byUser.waitMs(userKey), byAddress.waitMs(request.ip)]);
    const wait = Math.max(userWait ?? 0, addressWait ?? 0);
    if (wait > 0) {
      security.note('login_throttled', request.ip, undefined, userKey);
      return throttled(reply, wait);
    }
    // the back-off is per name whatever `tenant` says: naming tenants does not buy more guesses
    const result = await deps.auth.login(request.body.username, request.body.password, request.body.tenant);
    if (typeof result === 'string') {
      await Promise.all([byUser.failed(userKey), byAddress.failed(request.ip)]);
      security.note('login_failed', request.ip, undefined, userKey);
      return sendError(reply, 401, 'INVALID_CREDENTIALS', 'unknown username or wrong password');
    }
    await byUser.succeeded(userKey);
    return { ...result, tokenType: 'Bearer' as const };
  });

  r.post('/auth/refresh', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Exchange a refresh token for a new pair (the old one is retired; reusing it logs that session out)', security: [], body: RefreshBody, response: { 200: TokenPairDto, 401: ErrorBody } },
  }, async (request, reply) => {
    const result = await deps.auth.refresh(request.body.refreshToken);
    if (typeof result === 'string') {
      if (result !== 'TOKEN_EXPIRED') security.note('refresh_refused', request.ip, result);
      return sendError(reply, 401, result, 'the refresh token is not valid: log in again');
    }
    return { ...result, tokenType: 'Bearer' as const };
  });

  r.post('/auth/logout', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'End the session: its refresh token, every token issued from the same login and its access tokens stop working', security: [], body: RefreshBody, response: { 204: Type.Null() } },
  }, async (request, reply) => {
    await deps.auth.logout(request.body.refreshToken);
    return reply.code(204).send(null);
  });

  r.get('/me/api-keys', {
    schema: { tags: ['auth'], summary: 'My API keys (never the key itself)', response: { 200: Type.Object({ items: Type.Array(ApiKeyDto) }) } },
  }, async (request) => ({ items: await deps.auth.listApiKeys(principalOf(request)) }));

  r.post('/me/api-keys', {
    config: { minimumRole: 'viewer' },
    schema: { tags: ['auth'], summary: 'Create an API key for scripts (shown once; it acts with my role, as it is now, until it expires or is revoked)', body: ApiKeyBody, response: { 201: NewApiKeyDto, 400: ErrorBody, 403: ErrorBody } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    if (principal.via === 'api_key') return sendError(reply, 403, 'FORBIDDEN', 'an API key cannot create API keys');
    let expiresAt: number | undefined;
    if (request.body.expiresAt !== undefined) {
      expiresAt = Date.parse(request.body.expiresAt);
      const now = Date.now();
      if (!Number.isFinite(expiresAt) || expiresAt <= now || expiresAt - now > MAX_KEY_LIFETIME_MS) {
        return sendError(reply, 400, 'INVALID_EXPIRY', 'expiresAt must be a time in the future, at most 2 years ahead');
      }
    }
    const { key, info } = await deps.auth.createApiKey(principal, request.body.name, expiresAt);
    return reply.code(201).send({ ...info, key });
  });

  r.delete('/me/api-keys/:keyId', {
    config: { minimumRole: 'viewer' },
    schema: { tags: ['auth'], summary: 'Revoke one of my API keys', params: Type.Object({ keyId: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), 404: ErrorBody } },
  }, async (request, reply) => {
    if (!(await deps.auth.revokeApiKey(principalOf(request), request.params.keyId))) return sendError(reply, 404, 'API_KEY_NOT_FOUND', 'no such API key');
    return reply.code(204).send(null);
  });
};
