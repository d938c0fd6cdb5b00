import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freshDatabase, testPgUrl } from '../../../test/support/postgres.js';
import { leaseKey, PostgresLeases } from './postgres-leases.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => Promise<boolean>, withinMs = 15_000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

describe.skipIf(!testPgUrl)('PostgresLeases', () => {
  let url: string;
  let drop: () => Promise<void>;
  const opened: PostgresLeases[] = [];
  const node = () => {
    const l = new PostgresLeases({ url, queryTimeoutMs: 2000 });
    opened.push(l);
    return l;
  };
  const admin = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<T>(sql, params)).rows;
    } finally {
      await c.end();
    }
  };
  const holderPids = (name: string) =>
    admin<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
         AND ((classid::bigint << 32) | objid::bigint) = $1::bigint
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [leaseKey(name)],
    );

  beforeAll(async () => {
    const db = await freshDatabase('leases');
    url = db.url;
    drop = db.drop;
  });
  afterAll(async () => {
    for (const l of opened) await l.close().catch(() => undefined);
    await drop?.();
  });

  it('of two nodes racing for one lease exactly one wins; release hands it over; names are independent', async () => {
    const a = node();
    const b = node();
    const [wonA, wonB] = await Promise.all([a.tryAcquire('leader'), b.tryAcquire('leader')]);
    expect([wonA, wonB].filter(Boolean)).toHaveLength(1);
    const [holder, other] = wonA ? [a, b] : [b, a];
    expect(holder.holds('leader')).toBe(true);
    expect(other.holds('leader')).toBe(false);
    expect(await holder.tryAcquire('leader')).toBe(true); // idempotent, not re-entrant
    expect(await other.tryAcquire('account:x')).toBe(true);
    expect(await holder.tryAcquire('account:x')).toBe(false);
    expect(await holder.liveNodes()).toBe(2);

    await holder.release('leader');
    expect(holder.holds('leader')).toBe(false);
    expect(await holderPids('leader')).toHaveLength(0); // one release undid the one lock
    expect(await other.tryAcquire('leader')).toBe(true);
    expect([...other.held()].sort()).toEqual(['account:x', 'leader']);
    await other.close(); // close releases everything
    expect(await eventually(() => holder.tryAcquire('leader'))).toBe(true);
    // the closed session's locks are released one by one as it ends: wait for its registry lock too
    expect(await eventually(async () => (await holder.liveNodes()) === 1)).toBe(true);
    await holder.close();
  });

  it('concurrent tryAcquire calls for one name on one node take the lock once', async () => {
    const a = node();
    await Promise.all(Array.from({ length: 5 }, () => a.tryAcquire('same')));
    await a.release('same');
    expect(await holderPids('same')).toHaveLength(0);
    await a.close();
  });

  it("when a node's session is terminated it hears which leases it lost, and another node takes them over", async () => {
    const a = node();
    const b = node();
    expect(await a.tryAcquire('leader')).toBe(true);
    expect(await a.tryAcquire('account:1')).toBe(true);
    const lost: string[][] = [];
    a.onLost((names) => lost.push([...names].sort()));
    const [holder] = await holderPids('leader');
    await admin('SELECT pg_terminate_backend($1)', [holder!.pid]);

    expect(await eventually(() => b.tryAcquire('leader'))).toBe(true);
    expect(await b.tryAcquire('account:1')).toBe(true);
    expect(await eventually(async () => lost.length === 1)).toBe(true);
    expect(lost[0]).toEqual(['account:1', 'leader']);
    expect(a.held()).toEqual([]);
    expect(await a.check()).toBe(false);
    // a reconnects on its next attempt, as a node without those leases
    expect(await a.tryAcquire('leader')).toBe(false);
    expect(await a.tryAcquire('account:2')).toBe(true);
    expect(await a.check()).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  it('a node whose process dies (socket closed, no unlock) loses its leases to the next attempt', async () => {
    const a = node();
    const b = node();
    expect(await a.tryAcquire('leader')).toBe(true);
    expect(await b.tryAcquire('leader')).toBe(false);
    const client = (a as unknown as { client: { connection: { stream: { destroy(): void } } } }).client;
    client.connection.stream.destroy(); // as SIGKILL would: the socket just closes
    expect(await eventually(() => b.tryAcquire('leader'))).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  it('an unreachable database grants nothing and throws nothing', async () => {
    const l = new PostgresLeases({ url: 'postgres://nobody@127.0.0.1:1/none', queryTimeoutMs: 500 });
    expect(await l.tryAcquire('leader')).toBe(false);
    expect(await l.check()).toBe(false);
    expect(await l.liveNodes()).toBe(1);
    await l.close();
  });
});
