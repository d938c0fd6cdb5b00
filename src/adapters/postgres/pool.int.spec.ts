import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPool } from './pool.js';
import { PostgresLeases } from '../leases/postgres-leases.js';

/** A TCP server that accepts connections and never says a word: a database host that is there but does not answer. */
async function silentServer(): Promise<{ url: string; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `postgres://patriot:secret@127.0.0.1:${port}/patriot`, server, sockets };
}

const servers: { server: Server; sockets: Socket[] }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const socket of s.sockets) socket.destroy();
    await new Promise((resolve) => s.server.close(resolve));
  }
});

describe('PostgreSQL connections to a database that never answers', () => {
  it('given a host that accepts and stays silent, when a query is made, then it fails with a connection timeout instead of hanging', async () => {
    const silent = await silentServer();
    servers.push(silent);
    const pool = createPool(silent.url, { connectionTimeoutMillis: 300 });
    await expect(pool.query('SELECT 1')).rejects.toThrow(/timeout/i);
    expect(silent.sockets.length).toBeGreaterThan(0); // it did reach the host: the silence was what timed out
    await pool.end();
  });

  it('given the default pool settings, then a connection timeout is set (never the driver default of none)', () => {
    const pool = createPool('postgres://patriot@127.0.0.1:1/patriot');
    expect(pool.options.connectionTimeoutMillis).toBeGreaterThan(0);
    void pool.end();
  });

  it('given the lease session, when the database is silent, then the lease round fails (the node holds nothing) instead of hanging', async () => {
    const silent = await silentServer();
    servers.push(silent);
    const leases = new PostgresLeases({ url: silent.url, queryTimeoutMs: 300 });
    const acquired = await leases.tryAcquire('leader').catch((error: unknown) => error);
    expect(acquired === false || acquired instanceof Error).toBe(true);
    await leases.close();
  });
});
