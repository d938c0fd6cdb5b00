import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.js';

/** `{}`: what many clients send to a POST with nothing to say; it asks for nothing, so it passes. */
const isEmptyObject = (body: unknown): boolean => typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0;

/**
 * A route that takes no body refuses a request that carries one (400 UNEXPECTED_BODY) instead of
 * acting as if it had not: a client sending a body to such a route has misunderstood it, and
 * what it meant must not happen by accident (a rotate or a delete).
 */
export function refuseUnexpectedBodies(api: FastifyInstance): void {
  api.addHook('preValidation', async (request, reply) => {
    if (request.routeOptions.schema?.body === undefined && request.body !== undefined && !isEmptyObject(request.body)) {
      return sendError(reply, 400, 'UNEXPECTED_BODY', `${request.method} ${request.routeOptions.url ?? ''} takes no body`);
    }
  });
}
