import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';

/** No inline script or style, nothing from another origin, never framed. */
export const DASHBOARD_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "font-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

/**
 * The dashboard (built from web/ into `dir` by npm run build) at /app/, same origin as the API;
 * / redirects there. It holds no secret: everything comes from the API after the user logs in.
 */
export const dashboardRoutes: FastifyPluginAsync<{ dir: string }> = async (app, { dir }) => {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/app/'));
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/app')) {
      reply.header('content-security-policy', DASHBOARD_CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-frame-options', 'DENY');
      if (request.url === '/app/' || request.url.startsWith('/app/index.html')) reply.header('cache-control', 'no-cache');
    }
    return payload;
  });
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/app/*', { schema: { hide: true } }, async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build`.'));
    return;
  }
  app.get('/app', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/app/'));
  await app.register(fastifyStatic, {
    root: dir, prefix: '/app/', index: ['index.html'], decorateReply: false, wildcard: true,
    // compressed copies made by the build, chosen by Accept-Encoding
    preCompressed: true,
    // never a source map (an older build may have left one here), nor the compressed copies by name
    allowedPath: (path) => !/\.(map|br|gz)$/i.test(path),
  });
};
