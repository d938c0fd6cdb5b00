/**
 * Start-up while PostgreSQL is not there yet: databases restart after their clients in every real
 * deployment, so an unreachable database at start is waited for, not fatal. Meanwhile a bare
 * listener on the configured address answers /health 200 (the process is alive) and everything
 * else 503 (/ready: not ready; alerts: not recorded, send again). It keeps answering while the
 * server catches up after storage opened, and is closed just before the real server takes the same
 * port (`handOver`). The listener is unref'd: a start that fails after all does not hang on it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactUrl } from '../adapters/postgres/redact-url.js';
import type { Logger } from '../application/ports/logger.js';
import type { PatriotConfig } from './config.js';
import { isTransientDatabaseError, scrubSecrets, type Storage } from './storage.js';

export interface WaitOptions {
  /** first pause between attempts (default 250 ms), doubled after each failure up to maxDelayMs */
  readonly firstDelayMs?: number;
  /** the cap of the back-off (default 5000 ms) */
  readonly maxDelayMs?: number;
}

export interface OpenedStorage {
  readonly storage: Storage;
  /**
   * When a waiting listener was needed: closes it and resolves to the port it held, which the real
   * server must take at once. Until then it goes on answering (/ready: starting up).
   */
  readonly handOver?: () => Promise<number>;
}

const json = (status: number, body: unknown, extra: Record<string, string> = {}) => ({ status, body: JSON.stringify(body), headers: { 'content-type': 'application/json; charset=utf-8', ...extra } });

/** Answers /health 200 and everything else 503 while the database is awaited. */
async function holdPort(config: PatriotConfig, reason: () => string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const answer =
      path === '/health'
        ? json(200, { status: 'ok' })
        : path === '/ready'
          ? json(503, { error: { code: 'NOT_READY', message: `waiting for the database: ${reason()}` } }, { 'retry-after': '5' })
          : json(503, { error: { code: 'STORE_UNAVAILABLE', message: 'the database is not reachable yet; nothing was recorded, send it again' } }, { 'retry-after': '5' });
    request.resume(); // read (and drop) any body, so the connection can be reused
    response.writeHead(answer.status, answer.headers).end(answer.body);
  });
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: config.host, port: config.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function release(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Opens the storage; on PostgreSQL, an unreachable database is retried with a capped back-off,
 * each failure logged with its cause (the URL's password never), while a bare listener holds the
 * port. Errors that waiting cannot fix (credentials, a missing database, a failed migration) end it.
 */
export async function openStorageWaiting(config: PatriotConfig, open: () => Promise<Storage>, log: Logger, options: WaitOptions = {}): Promise<OpenedStorage> {
  const url = config.databaseUrl;
  if (url === undefined) return { storage: await open() };
  const first = Math.max(1, options.firstDelayMs ?? 250);
  const cap = Math.max(first, options.maxDelayMs ?? 5000);
  let held: Server | undefined;
  let lastCause = '';
  try {
    for (let attempt = 1, delay = first; ; attempt++) {
      try {
        const storage = await open();
        if (held === undefined) return { storage };
        const server = held;
        held = undefined; // from here on the caller owns it, through handOver
        lastCause = 'the database is reachable; starting up';
        log.info({ attempts: attempt, database: redactUrl(url) }, 'the database is reachable: starting');
        return {
          storage,
          handOver: async () => {
            const port = (server.address() as AddressInfo).port;
            await release(server);
            return port;
          },
        };
      } catch (error) {
        if (!isTransientDatabaseError(error)) throw error;
        lastCause = scrubSecrets(describe(error), url);
        log.warn({ attempt, retryInMs: delay, database: redactUrl(url), cause: lastCause }, 'the database is not reachable yet; waiting for it (GET /health answers 200, /ready 503 meanwhile)');
        held ??= await holdPort(config, () => lastCause);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(cap, delay * 2);
      }
    }
  } finally {
    if (held) await release(held);
  }
}

/** The error's message with its causes' (pg reports "connect ECONNREFUSED 127.0.0.1:5432" in the cause). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const message = e instanceof Error ? e.message : String(e);
    const inner = (e as { errors?: unknown }).errors;
    const text = message.length > 0 ? message : Array.isArray(inner) ? inner.map((x) => (x instanceof Error ? x.message : String(x))).join(', ') : '';
    if (text && !parts.some((p) => p.includes(text))) parts.push(text);
    if (!(e instanceof Error)) break;
  }
  return parts.join(': ');
}
