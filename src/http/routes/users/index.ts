import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { ApiKeyDto, NewUserBody, PasswordBody, RoleBody, UserAdminDto, UserKeyParams, UserParams } from '../../../contracts/auth-api.js';
import type { UserChange } from '../../../application/commands/users.js';
import type { DomainError } from '../../../domain/shared/result.js';
import { sendError } from '../../errors.js';
import { principalOf } from '../../auth-hook.js';

const STATUS: Readonly<Record<string, number>> = { USER_NOT_FOUND: 404, API_KEY_NOT_FOUND: 404, CANNOT_CHANGE_OWN_ACCESS: 409 };
const refused = (reply: FastifyReply, error: DomainError) => sendError(reply, STATUS[error.code] ?? 409, error.code, error.message);

/**
 * The users of the admin's tenant (admins only): list, add, disable and enable, change the role,
 * set a new password, see and revoke their API keys. Every change takes effect on the user's next
 * request with any credential (live streams end at once) and is recorded in the log (never a
 * password). Another tenant's user ids answer 404, like ids that do not exist.
 */
/** The dependencies these routes use (and nothing else). */
export type UserRouteDeps = Pick<HttpDeps, 'auth' | 'createUser' | 'queries' | 'users' | 'waitForProjection'>;

export const userRoutes: FastifyPluginAsync<{ deps: UserRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { minimumRole: 'admin' as const };

  const view = async (tenantId: string, userId: string): Promise<Static<typeof UserAdminDto> | undefined> => {
    const [user, access] = await Promise.all([deps.queries.user(tenantId, userId), deps.auth.access(userId)]);
    if (!user) return undefined;
    const own = access?.tenantId === tenantId ? access : undefined;
    return { userId, name: user.name, registeredAt: user.registeredAt, role: own?.role ?? user.role, disabled: own?.disabled ?? user.disabled ?? false, ...(own ? { username: own.username } : {}) };
  };

  r.get('/users', {
    config: admin,
    schema: { tags: ['users'], summary: "The tenant's users, with their login name, role and whether they are disabled (admins only)", response: { 200: Type.Object({ items: Type.Array(UserAdminDto) }), 403: ErrorBody } },
  }, async (request) => {
    const tenantId = principalOf(request).tenantId;
    const [users, access] = await Promise.all([deps.queries.users(tenantId), deps.auth.accessOfTenant(tenantId)]);
    const byId = new Map(access.map((a) => [a.userId, a]));
    return {
      items: users.map((u) => {
        const a = byId.get(u.userId);
        return { userId: u.userId, name: u.name, registeredAt: u.registeredAt, role: a?.role ?? u.role, disabled: a?.disabled ?? u.disabled ?? false, ...(a ? { username: a.username } : {}) };
      }),
    };
  });

  r.post('/users', {
    config: admin,
    schema: { tags: ['users'], summary: 'Add a user to my tenant, with a role and a login (admins only)', body: NewUserBody, response: { 201: UserAdminDto, 403: ErrorBody, 409: ErrorBody } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const tenantId = principal.tenantId;
    // login names are unique per tenant: only this tenant's names are ever taken, so nothing here tells of another's
    const taken = () => sendError(reply, 409, 'USERNAME_TAKEN', 'this tenant already has a user of that name: choose another');
    const result = await deps.createUser(tenantId, request.body);
    if (!result.ok) return result.error.code === 'USERNAME_TAKEN' ? taken() : sendError(reply, 409, result.error.code, result.error.message);
    if (result.value.lastPosition !== undefined) await deps.waitForProjection(result.value.lastPosition);
    return reply.code(201).send((await view(tenantId, result.value.userId))!);
  });

  r.get('/users/:userId', {
    config: admin,
    schema: { tags: ['users'], summary: 'A user of my tenant (admins only)', params: UserParams, response: { 200: UserAdminDto, 404: ErrorBody } },
  }, async (request, reply) => {
    const found = await view(principalOf(request).tenantId, request.params.userId);
    return found ?? sendError(reply, 404, 'USER_NOT_FOUND', 'no such user');
  });

  const change = async (request: { params: { userId: string }; ip: string } & Parameters<typeof principalOf>[0], reply: FastifyReply, what: UserChange) => {
    const principal = principalOf(request);
    const result = await deps.users.change(principal.tenantId, principal.userId, request.params.userId, what);
    if (!result.ok) return refused(reply, result.error);
    if (result.value.lastPosition !== undefined) await deps.waitForProjection(result.value.lastPosition);
    return (await view(principal.tenantId, request.params.userId))!;
  };
  const changed = { 200: UserAdminDto, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

  r.post('/users/:userId/disable', {
    config: admin,
    schema: { tags: ['users'], summary: 'Disable a user: every token, API key and live stream of theirs stops working at once (admins only; not yourself)', params: UserParams, response: changed },
  }, async (request, reply) => change(request, reply, { kind: 'disable' }));

  r.post('/users/:userId/enable', {
    config: admin,
    schema: { tags: ['users'], summary: 'Enable a disabled user again (they log in again; their API keys work again) (admins only)', params: UserParams, response: changed },
  }, async (request, reply) => change(request, reply, { kind: 'enable' }));

  r.put('/users/:userId/role', {
    config: admin,
    schema: { tags: ['users'], summary: "Change a user's role: every credential of theirs acts with it from the next request (admins only; not your own)", params: UserParams, body: RoleBody, response: changed },
  }, async (request, reply) => change(request, reply, { kind: 'role', role: request.body.role }));

  r.put('/users/:userId/password', {
    config: admin,
    schema: { tags: ['users'], summary: "Set a user's password: every session of theirs ends (API keys stay; revoke them apart) (admins only)", params: UserParams, body: PasswordBody, response: changed },
  }, async (request, reply) => change(request, reply, { kind: 'password', password: request.body.password }));

  r.get('/users/:userId/api-keys', {
    config: admin,
    schema: { tags: ['users'], summary: "A user's API keys (never the keys themselves) (admins only)", params: UserParams, response: { 200: Type.Object({ items: Type.Array(ApiKeyDto) }), 404: ErrorBody } },
  }, async (request, reply) => {
    const items = await deps.users.apiKeys(principalOf(request).tenantId, request.params.userId);
    return items ? { items } : sendError(reply, 404, 'USER_NOT_FOUND', 'no such user');
  });

  r.delete('/users/:userId/api-keys/:keyId', {
    config: admin,
    schema: { tags: ['users'], summary: "Revoke a user's API key: it stops working at once (admins only)", params: UserKeyParams, response: { 204: Type.Null(), 404: ErrorBody } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const result = await deps.users.revokeApiKey(principal.tenantId, principal.userId, request.params.userId, request.params.keyId);
    if (!result.ok) return refused(reply, result.error);
    return reply.code(204).send(null);
  });
};
