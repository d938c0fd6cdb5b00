import pg from 'pg';

export type PgPool = pg.Pool;

/**
 * A connection pool for DATABASE_URL. Decimals stay strings (pg's default for NUMERIC), and
 * BIGINT (int8) columns — global positions — are parsed as JS numbers: positions stay far below
 * 2^53, and a value that does not fit is refused rather than rounded.
 *
 * A connection that the database never answers (a host gone from the network, a stuck proxy)
 * fails after `connectionTimeoutMillis` (default 10 s; it also bounds the wait for a free client)
 * instead of waiting for the operating system's TCP timeout, minutes later: callers see a failure
 * they can report and retry, not a hang. TCP keep-alive notices a dead peer under an idle client.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export function createPool(url: string, options: { max?: number; applicationName?: string; connectionTimeoutMillis?: number; queryTimeoutMs?: number } = {}): PgPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'patriot',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? DEFAULT_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    ...(options.queryTimeoutMs !== undefined ? { query_timeout: options.queryTimeoutMs } : {}),
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === 20) {
          return (value: string) => {
            const n = Number(value);
            if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} does not fit a JS number`);
            return n;
          };
        }
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export { redactUrl } from './redact-url.js';
