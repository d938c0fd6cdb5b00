import { PassThrough } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import type { LiveSubscriber } from '../../../application/live/live-updates.js';
import type { PriceTick } from '../../../application/ports/price-feed.js';
import { ErrorBody } from '../../../contracts/common.js';
import { bearerOf, principalOf } from '../../auth-hook.js';
import { watchCredential } from './credential-watch.js';
import { sendError } from '../../errors.js';
import { StreamRegistry } from './stream-registry.js';
import { StreamCursor } from './stream-cursor.js';

/** A stream whose client does not read is ended rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 256 * 1024;

const DESCRIPTION = [
  'Server-sent events for the dashboard (use fetch with a streaming reader and the Authorization header; no token in URLs).',
  '`event: change` with an opaque `id` (send it back as Last-Event-ID) and `data: {"seq", "topics"}` (seq counts this stream\'s changes) once the read models include the change',
  '(topics among orders, fills, positions, balances, signals, accounts, strategies, kill-switch; at most one per ~100 ms);',
  '`event: price` with `{"symbol","price","at"}` and, for an exchange\'s prices, `"venue","source","bid","ask"` (the latest of each symbol and venue that moved, at most every 100 ms); a `: ping` comment every 15 s.',
  'Send `Last-Event-ID` when reconnecting: if anything changed since, a change comes at once.',
  'A stream lives no longer than its credential: when the access token expires, its session ends, the API key is revoked or expires, or an admin disables the user or changes their role, `event: reauthenticate` (with the reason) comes, and the stream ends; reconnect with a current credential.',
].join(' ');

/** One text per batch of prices, whatever the number of streams it goes to (one write each). */
const formatted = new WeakMap<readonly PriceTick[], string>();
function pricesText(ticks: readonly PriceTick[]): string {
  let text = formatted.get(ticks);
  if (text === undefined) {
    text = ticks.map((tick) => `event: price\ndata: ${JSON.stringify({ symbol: tick.symbol, price: tick.price, at: tick.time, ...(tick.venue !== undefined ? { venue: tick.venue } : {}), ...(tick.source !== undefined ? { source: tick.source } : {}), ...(tick.bid !== undefined ? { bid: tick.bid } : {}), ...(tick.ask !== undefined ? { ask: tick.ask } : {}) })}\n\n`).join('');
    formatted.set(ticks, text);
  }
  return text;
}

/** GET /api/v1/stream — live updates of the caller's tenant. */
/** The dependencies these routes use (and nothing else). */
export type StreamRouteDeps = Pick<HttpDeps, 'auth' | 'live' | 'streamCursorKey' | 'streamLimits'>;

export const streamRoutes: FastifyPluginAsync<{ deps: StreamRouteDeps }> = async (app, { deps }) => {
  const registry = new StreamRegistry(deps.streamLimits);
  const cursor = new StreamCursor(deps.streamCursorKey);
  // open streams would keep the server from closing: end them first
  app.addHook('preClose', (done) => {
    registry.endAll();
    done();
  });

  app.withTypeProvider<TypeBoxTypeProvider>().get('/stream', {
    schema: {
      tags: ['live'], summary: 'Live updates (server-sent events): what changed, and mark prices', description: DESCRIPTION,
      response: {
        200: { description: 'an endless text/event-stream', content: { 'text/event-stream': { schema: Type.String() } } },
        429: ErrorBody, 503: ErrorBody,
      },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const stream = new PassThrough();
    const end = (): void => {
      if (!stream.writableEnded && !stream.destroyed) stream.end();
    };
    const slot = registry.tryOpen(principal.userId, end);
    if ('refused' in slot) {
      return sendError(reply, 429, 'TOO_MANY_STREAMS', slot.refused === 'user'
        ? `at most ${deps.streamLimits.perUser} live streams per user are open at once: close one first`
        : 'the server has as many live streams open as it allows: try again later');
    }
    let unsubscribe: (() => void) | undefined;
    let stopWatching: (() => void) | undefined;
    let gone = false;
    const cleanup = (): void => {
      gone = true;
      slot.release();
      unsubscribe?.();
      stopWatching?.();
      end();
    };
    reply.raw.on('close', cleanup);
    stream.on('close', cleanup);
    const write = (text: string): void => {
      if (stream.writableEnded || stream.destroyed) return;
      if (stream.writableLength > MAX_BUFFERED_BYTES) return end();
      stream.write(text);
    };
    let seq = 0;
    const subscriber: LiveSubscriber = {
      tenantId: principal.tenantId,
      change: (position, topics) => write(`id: ${cursor.encode(principal.tenantId, position)}\nevent: change\ndata: ${JSON.stringify({ seq: ++seq, topics })}\n\n`),
      prices: (ticks) => write(pricesText(ticks)),
      heartbeat: () => write(': ping\n\n'),
      end,
    };
    write('retry: 2000\n: connected\n\n');
    try {
      const off = await deps.live.subscribe(subscriber, cursor.decode(principal.tenantId, request.headers['last-event-id']));
      if (gone) off();
      else {
        unsubscribe = off;
        // the stream lives no longer than its credential: told why, the client reconnects with its current one
        stopWatching = watchCredential({
          auth: deps.auth, bearer: bearerOf(request)!, principal, recheckMs: deps.streamLimits.credentialRecheckMs,
          onInvalid: (reason) => {
            write(`event: reauthenticate\ndata: ${JSON.stringify({ reason })}\n\n`);
            end();
          },
        });
      }
    } catch {
      cleanup();
      return sendError(reply, 503, 'SHUTTING_DOWN', 'the server is shutting down');
    }
    return reply
      .code(200)
      .header('content-type', 'text/event-stream')
      .header('cache-control', 'no-cache, no-transform')
      .header('x-accel-buffering', 'no')
      .send(stream as unknown as string); // a stream body: not serialised
  });
};
