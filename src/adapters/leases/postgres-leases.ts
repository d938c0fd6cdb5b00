import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Leases } from '../../application/ports/leases.js';

export interface PostgresLeasesOptions {
  readonly url: string;
  /** a query on the lease session that takes longer ends the session (and every lease). Default 5000 ms. */
  readonly queryTimeoutMs?: number;
  readonly applicationName?: string;
}

/** The 64-bit advisory-lock key of a lease name (signed, as text for a ::bigint parameter). */
export function leaseKey(name: string): string {
  return createHash('sha256').update(`patriot:lease:${name}`).digest().readBigInt64BE(0).toString();
}

/** Every node holds this key in shared mode for as long as its session lives: counting holders counts nodes. */
const NODE_REGISTRY = 'node-registry';

/**
 * Leases as PostgreSQL session-level advisory locks, all held on ONE dedicated connection (not
 * from the pool). pg_try_advisory_lock never waits; the lock belongs to the session, so
 * PostgreSQL releases every lease of a node the moment its process dies (the socket closes) or
 * its connection is terminated, and another node's next tryAcquire wins.
 *
 * Any error on the session (including a query slower than queryTimeoutMs, which may mean a
 * half-open connection) ends the session on purpose: every lease is then known to be gone, the
 * onLost listeners hear which, and the next tryAcquire opens a new session. Operations are
 * serialised, so a lease is never taken twice on one session (advisory locks are re-entrant and
 * would otherwise need two unlocks).
 *
 * Live nodes are counted from pg_locks: each session holds the registry key in shared mode.
 */
export class PostgresLeases implements Leases {
  private client: pg.Client | undefined;
  private readonly names = new Set<string>();
  private readonly listeners = new Set<(names: readonly string[]) => void>();
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly registry: { classid: string; objid: string };

  constructor(private readonly options: PostgresLeasesOptions) {
    const key = BigInt.asUintN(64, BigInt(leaseKey(NODE_REGISTRY)));
    this.registry = { classid: (key >> 32n).toString(), objid: (key & 0xffff_ffffn).toString() };
  }

  tryAcquire(name: string): Promise<boolean> {
    return this.serial(async () => {
      if (this.closed) return false;
      if (this.names.has(name)) return true;
      const result = await this.query<{ won: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS won', [leaseKey(name)]);
      if (!result || result.rows[0]?.won !== true) return false;
      this.names.add(name);
      return true;
    });
  }

  release(name: string): Promise<void> {
    return this.serial(async () => {
      if (!this.names.delete(name)) return;
      await this.query('SELECT pg_advisory_unlock($1::bigint)', [leaseKey(name)]);
    });
  }

  holds(name: string): boolean {
    return this.names.has(name);
  }

  held(): readonly string[] {
    return [...this.names];
  }

  liveNodes(): Promise<number> {
    return this.serial(async () => {
      const result = await this.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND classid = $1::oid AND objid = $2::oid AND objsubid = 1 AND granted`,
        [this.registry.classid, this.registry.objid],
      );
      return Math.max(1, result?.rows[0]?.n ?? 1);
    });
  }

  check(): Promise<boolean> {
    return this.serial(async () => {
      if (!this.client) return false;
      return (await this.query('SELECT 1')) !== undefined;
    });
  }

  onLost(listener: (names: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.serial(async () => {
      this.closed = true;
      this.names.clear();
      const client = this.client;
      this.client = undefined;
      await client?.end().catch(() => undefined);
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Runs a query on the session (opening one if needed); undefined if the session failed (it is then ended). */
  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R> | undefined> {
    let client: pg.Client;
    try {
      client = await this.session();
    } catch {
      return undefined; // database unreachable: no lease can be taken now
    }
    try {
      return await client.query<R>(sql, params);
    } catch (error) {
      this.sessionGone(client, error);
      return undefined;
    }
  }

  private async session(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName ?? 'patriot-leases',
      query_timeout: this.options.queryTimeoutMs ?? 5000,
      connectionTimeoutMillis: this.options.queryTimeoutMs ?? 5000, // a database that never answers is a failed round, not a hung one
      keepAlive: true,
    });
    client.on('error', (error) => this.sessionGone(client, error));
    client.on('end', () => this.sessionGone(client, new Error('lease session ended')));
    try {
      await client.connect();
      await client.query('SELECT pg_advisory_lock_shared($1::bigint)', [leaseKey(NODE_REGISTRY)]);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  private sessionGone(client: pg.Client, _reason: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    const lost = [...this.names];
    this.names.clear();
    if (lost.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(lost);
      } catch {
        /* a failing listener must not keep the others from hearing */
      }
    }
  }
}
