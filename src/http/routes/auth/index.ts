import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { ApiKeyBody, ApiKeyDto, LoginBody, NewApiKeyDto, NewUserBody, RefreshBody, TokenPairDto } from '../../../contracts/auth-api.js';
import { UserDto } from '../../../contracts/read-api.js';
import { sendError } from '../../errors.js';
import { principalOf } from '../../auth-hook.js';

/** Login, token refresh, logout, and a user's API keys. */
export const authRoutes: FastifyPluginAsync<{ deps: HttpDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/auth/login', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Log in: an access token (15 min) and a single-use refresh token', security: [], body: LoginBody, response: { 200: TokenPairDto, 401: ErrorBody } },
  }, async (request, reply) => {
    const result = await deps.auth.login(request.body.username, request.body.password);
    if (typeof result === 'string') return sendError(reply, 401, 'INVALID_CREDENTIALS', 'unknown username or wrong password');
    return { ...result, tokenType: 'Bearer' as const };
  });

  r.post('/auth/refresh', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Exchange a refresh token for a new pair (the old one is retired; reusing it logs that session out)', security: [], body: RefreshBody, response: { 200: TokenPairDto, 401: ErrorBody } },
  }, async (request, reply) => {
    const result = await deps.auth.refresh(request.body.refreshToken);
    if (typeof result === 'string') return sendError(reply, 401, result, 'the refresh token is not valid: log in again');
    return { ...result, tokenType: 'Bearer' as const };
  });

  r.post('/auth/logout', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Retire a refresh token and every token issued from the same login', security: [], body: RefreshBody, response: { 204: Type.Null() } },
  }, async (request, reply) => {
    await deps.auth.logout(request.body.refreshToken);
    return reply.code(204).send(null);
  });

  r.get('/me/api-keys', {
    schema: { tags: ['auth'], summary: 'My API keys (never the key itself)', response: { 200: Type.Object({ items: Type.Array(ApiKeyDto) }) } },
  }, async (request) => ({ items: await deps.auth.listApiKeys(principalOf(request)) }));

  r.post('/me/api-keys', {
    config: { minimumRole: 'viewer' },
    schema: { tags: ['auth'], summary: 'Create an API key for scripts (shown once; it acts with my role)', body: ApiKeyBody, response: { 201: NewApiKeyDto, 403: ErrorBody } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    if (principal.via === 'api_key') return sendError(reply, 403, 'FORBIDDEN', 'an API key cannot create API keys');
    const { key, info } = await deps.auth.createApiKey(principal, request.body.name);
    return reply.code(201).send({ ...info, key });
  });

  r.delete('/me/api-keys/:keyId', {
    config: { minimumRole: 'viewer' },
    schema: { tags: ['auth'], summary: 'Revoke one of my API keys', params: Type.Object({ keyId: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), 404: ErrorBody } },
  }, async (request, reply) => {
    if (!(await deps.auth.revokeApiKey(principalOf(request), request.params.keyId))) return sendError(reply, 404, 'API_KEY_NOT_FOUND', 'no such API key');
    return reply.code(204).send(null);
  });

  r.get('/users', {
    config: { minimumRole: 'admin' },
    schema: { tags: ['auth'], summary: "The tenant's users (admins only)", response: { 200: Type.Object({ items: Type.Array(UserDto) }), 403: ErrorBody } },
  }, async (request) => ({ items: await deps.queries.users(principalOf(request).tenantId) }));

  r.post('/users', {
    config: { minimumRole: 'admin' },
    schema: { tags: ['auth'], summary: 'Add a user to my tenant, with a role and a login (admins only)', body: NewUserBody, response: { 201: UserDto, 403: ErrorBody, 409: ErrorBody } },
  }, async (request, reply) => {
    const tenantId = principalOf(request).tenantId;
    const result = await deps.createUser(tenantId, request.body);
    if (!result.ok) return sendError(reply, 409, result.error.code, result.error.message);
    if (result.value.lastPosition !== undefined) await deps.waitForProjection(result.value.lastPosition);
    return reply.code(201).send((await deps.queries.user(tenantId, result.value.userId))!);
  });
};
