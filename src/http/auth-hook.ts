import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Auth, Principal } from '../application/ports/auth.js';
import type { UserRole } from '../domain/events.js';
import { sendError } from './errors.js';
import type { SecurityLog } from './security-log.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** reachable without credentials (login, refresh) */
    public?: boolean;
    /** the least role allowed (default: viewer for reads, trader for writes) */
    minimumRole?: UserRole;
  }
}

const RANK: Readonly<Record<UserRole, number>> = { viewer: 0, trader: 1, admin: 2 };
const READS = new Set(['GET', 'HEAD']);

/** The credential in `Authorization: Bearer …`, when well-formed (the scheme is case-insensitive, RFC 9110). */
export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' ? /^Bearer +([\x21-\x7e]{1,4096})$/i.exec(header)?.[1] : undefined;
}

const REFUSED: Readonly<Record<string, string>> = {
  TOKEN_EXPIRED: 'the access token has expired: refresh it',
  CREDENTIAL_REVOKED: 'the credential was revoked (logged out, or its user disabled or given a new password): log in again',
};

/** Who the request acts for; only on routes behind installAuth. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('no principal: the route is not behind authentication');
  return request.principal;
}

/**
 * Every route of this scope needs `Authorization: Bearer <access token | API key>` unless marked
 * public; a missing, malformed, forged or expired credential is a 401 (nothing else is said), a
 * role below the route's a 403. Viewers read; traders also change; admins also administer.
 */
export function installAuth(api: FastifyInstance, auth: Auth, security?: SecurityLog): void {
  api.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config?.public) return;
    const bearer = bearerOf(request);
    if (bearer === undefined) {
      return sendError(reply.header('www-authenticate', 'Bearer'), 401, 'UNAUTHENTICATED', 'send an access token or API key as Authorization: Bearer …');
    }
    const result = await auth.authenticate(bearer);
    if (typeof result === 'string') {
      // an expired access token is the ordinary life of a client: not a security event
      if (result !== 'TOKEN_EXPIRED') security?.note('credential_refused', request.ip, result);
      return sendError(reply.header('www-authenticate', 'Bearer error="invalid_token"'), 401, result, REFUSED[result] ?? 'the credential is not valid');
    }
    const needed: UserRole = config?.minimumRole ?? (READS.has(request.method) ? 'viewer' : 'trader');
    if (RANK[result.role] < RANK[needed]) return sendError(reply, 403, 'FORBIDDEN', `this needs the ${needed} role`);
    request.principal = result;
  });
}
