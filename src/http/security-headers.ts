import type { FastifyInstance } from 'fastify';

/** Answers that must never be kept by a browser or a proxy: the API (tokens, positions, keys) and its description. */
const NO_STORE = /^\/(api\/|docs(\/|$)|openapi\.json)/;

/**
 * On every answer: `nosniff` (a JSON or text answer is never run as a script or page) and frame
 * protection (`X-Frame-Options: DENY`, and CSP `frame-ancestors 'none'` where the route set no
 * policy of its own; the dashboard sets a complete one). The API, /docs and /openapi.json are
 * also `Cache-Control: no-store` (the live stream keeps its own `no-cache, no-transform`).
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', "frame-ancestors 'none'");
    if (NO_STORE.test(request.url) && !String(reply.getHeader('content-type') ?? '').startsWith('text/event-stream')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
