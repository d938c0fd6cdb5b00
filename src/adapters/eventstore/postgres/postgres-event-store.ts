/**
 * PostgreSQL implementation of the EventStore port (node-postgres). Several server processes
 * ("nodes") may share one database.
 *
 * Usage:
 *   const store = await PostgresEventStore.open({ pool });   // or { url } to let the store own a pool
 *   ...
 *   await store.close();
 *
 * - open() runs EVENT_STORE_MIGRATIONS (schema.ts) through runMigrations, loads the head and
 *   starts a dedicated LISTEN connection (not taken from the pool).
 * - Pool ownership: a pool passed in is the caller's: close() does not end it. With { url } the
 *   store creates its own pool (createPool) and ends it on close().
 *
 * Writes (group commit): append/appendAtomic calls are queued; one batch is in flight at a time
 * and calls arriving meanwhile form the next batch (at most maxBatchRequests calls). A batch costs
 * a fixed number of round trips, whatever its size, and never one query per event:
 *   fast path (one node writing, the usual case):
 *   1. one autocommit SELECT: the current versions of the batch's uncached streams, the existing
 *      dedupe claims of the batch, and the head (position, hash) — one snapshot. Skipped when
 *      every stream is cached and no call claims a key.
 *   2. validation and hashing in memory, from that head.
 *   3. ONE autocommit statement: lock event_head FOR UPDATE, check it is still that head, then a
 *      multi-row INSERT of every event (unnest of arrays), a multi-row INSERT of the claims
 *      taken, UPDATE event_head and pg_notify. Its implicit COMMIT is durable when it returns
 *      (synchronous_commit is never changed). The head lock is held for one statement only.
 *   locked path (taken when another node moved the head between 1 and 3 — nothing was written —
 *   and when a beforeCommit test hook is set):
 *      BEGIN; SELECT … FROM event_head FOR UPDATE / the lookup under the lock / the same write
 *      statement / COMMIT. It cannot lose a race, so a batch retries at most once.
 * The event_head row lock serialises writers of every node and positions continue from the head,
 * so positions are contiguous and assigned in commit order.
 * Validation runs in memory, exactly like the SQLite backend: each call sees the database plus the
 * earlier calls of its batch; a conflicting or duplicate call fails alone; an appendAtomic call is
 * all or nothing. A batch of only conflicts, duplicates and zero-event appends writes nothing and
 * is decided on the committed snapshot of step 1. Promises settle only after the commit returned.
 * If the database fails (connection lost, server down, any SQL error), every call of the batch
 * rejects with that error, the connection is discarded and the caches are dropped; the next batch
 * takes a fresh connection. A rejection of a commit in flight is ambiguous (it may have
 * committed): callers retry with the same dedupe key and get 'duplicate'. An acknowledged append
 * is always committed.
 *
 * Caches: the head after our own last commit, and stream versions (bounded Map) valid at it;
 * when the head seen by a batch differs (another node wrote), they are dropped and re-read.
 *
 * Readers never skip a late commit: see readAll.
 *
 * Notifications: local listeners are called after each of our commits; other nodes' commits
 * arrive through LISTEN patriot_events (payload: the new head). Listeners only ever see an
 * increasing head (our own NOTIFY echo and duplicates are dropped). The LISTEN connection is
 * re-established with backoff if it drops; after reconnecting the head is re-read so a commit
 * whose notification was missed still wakes listeners.
 *
 * Conventions beyond the port (same as SQLite): zero-event appends only check the version;
 * dedupe is checked before the version; appendAtomic's nextExpectedVersion is that of the first
 * request's stream; appendAtomic([]) rejects with a TypeError; data and metadata are stored as
 * canonical JSON text; recorded_time holds metadata.time.
 */
import pg from 'pg';
import type {
  AppendRequest,
  AppendResult,
  ChainVerification,
  EventMetadata,
  EventStore,
  RecordedEvent,
} from '../../../application/ports/event-store.js';
import { createPool, type PgPool } from '../../postgres/pool.js';
import { runMigrations } from '../../postgres/migrations.js';
import { ChainVerifier, GENESIS_HASH } from '../hash-chain.js';
import { planUnit } from '../plan-append.js';
import { AsyncGroupCommitQueue } from './async-group-commit.js';
import type { PreparedRequest } from '../prepare-request.js';
import { AppendListeners, StreamVersionCache, checkPage, recordedFromRow, submitCall, type EventRow } from '../store-support.js';
import { EVENT_STORE_MIGRATIONS } from './schema.js';

export const EVENT_NOTIFY_CHANNEL = 'patriot_events';

export interface PostgresEventStoreOptions {
  /** A pool owned by the caller (not ended by close()). Either pool or url is required. */
  readonly pool?: PgPool;
  /** Database URL: the store creates and owns its pool. */
  readonly url?: string;
  /** Size of the pool created from url (default 4). */
  readonly poolMax?: number;
  /** Start a LISTEN connection so commits of other processes wake onAppended listeners (default true). */
  readonly listen?: boolean;
  /** Most append/appendAtomic calls per batch transaction (default 2,000). */
  readonly maxBatchRequests?: number;
  /** How many stream versions to keep in memory (default 100,000). */
  readonly streamVersionCacheSize?: number;
  /** Rows per page when verifying the chain (default 1,000). */
  readonly verifyPageSize?: number;
  /** Receives errors thrown by onAppended listeners (default: process.emitWarning). */
  readonly onListenerError?: (error: unknown) => void;
  /** Receives LISTEN connection errors (default: ignored; the connection is re-established). */
  readonly onListenError?: (error: unknown) => void;
  /**
   * Fault injection for tests only: runs inside each batch transaction after the writes and before
   * COMMIT, on the transaction's connection (e.g. to make the transaction slow with pg_sleep).
   */
  readonly beforeCommit?: (client: pg.ClientBase) => Promise<void>;
}

interface Job {
  readonly requests: readonly PreparedRequest[];
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Column arrays of the rows one batch inserts. */
interface BatchRows {
  positions: number[];
  streamIds: string[];
  versions: number[];
  types: string[];
  data: string[];
  metadata: string[];
  tenants: string[];
  correlations: (string | null)[];
  causations: (string | null)[];
  times: string[];
  prevHashes: string[];
  hashes: string[];
  claimScopes: string[];
  claimKeys: string[];
  claimValues: string[];
}

interface Lookup {
  /** the head the batch builds on, and its hash */
  readonly head: number;
  readonly headHash: string;
  /** current version of every stream of the batch */
  readonly versions: Map<string, number>;
  /** existing claims of the batch (scope NUL key -> value) */
  readonly claims: Map<string, string>;
  /** whether some versions came from the cache */
  readonly usedCache: boolean;
  /** streams whose version was read from the database */
  readonly fresh: Set<string>;
}

interface BatchPlan {
  readonly outcomes: AppendResult[];
  readonly rows: BatchRows;
  /** stream versions after the batch (to cache once it committed) */
  readonly versions: Map<string, number>;
  readonly head: number;
  readonly headHash: string;
}

function writeValues(plan: BatchPlan, expectedHead: number): unknown[] {
  const rows = plan.rows;
  return [
    rows.positions,
    rows.streamIds,
    rows.versions,
    rows.types,
    rows.data,
    rows.metadata,
    rows.tenants,
    rows.correlations,
    rows.causations,
    rows.times,
    rows.prevHashes,
    rows.hashes,
    rows.claimScopes,
    rows.claimKeys,
    rows.claimValues,
    plan.head,
    plan.headHash,
    EVENT_NOTIFY_CHANNEL,
    expectedHead,
  ];
}

const EVENT_COLUMNS = 'global_position, stream_id, stream_version, type, data, metadata, prev_hash, hash';

const SQL = {
  lockHead: 'BEGIN; SELECT position, hash FROM event_head FOR UPDATE',
  lookup: {
    name: 'patriot_es_lookup',
    text: `SELECT 0 AS kind, s.id AS a, NULL::text AS b,
                  (SELECT max(e.stream_version) FROM events e WHERE e.stream_id = s.id)::text AS c
             FROM unnest($1::text[]) AS s(id)
           UNION ALL
           SELECT 1, d.scope, d.key, d.value
             FROM dedupe d JOIN unnest($2::text[], $3::text[]) AS q(scope, key)
               ON d.scope = q.scope AND d.key = q.key
           UNION ALL
           SELECT 2, hash, NULL, position::text FROM event_head WHERE $4::boolean`,
  },
  /**
   * Locks event_head and writes only if it is still at $19 (the head the hashes were computed
   * from); returns the head it found. Data-modifying CTEs always run; each joins h, so nothing is
   * written before the lock is held, and nothing at all when the head moved.
   */
  write: {
    name: 'patriot_es_write',
    text: `WITH h AS MATERIALIZED (
             SELECT position FROM event_head FOR UPDATE
           ), ev AS (
             INSERT INTO events (global_position, stream_id, stream_version, type, data, metadata,
                                 tenant_id, correlation_id, causation_id, recorded_time, prev_hash, hash)
             SELECT u.* FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[],
                                    $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[]) AS u, h
              WHERE h.position = $19::bigint
           ), dd AS (
             INSERT INTO dedupe (scope, key, value)
             SELECT u.* FROM unnest($13::text[], $14::text[], $15::text[]) AS u, h WHERE h.position = $19::bigint
           ), hd AS (
             UPDATE event_head SET position = $16::bigint, hash = $17::text FROM h WHERE h.position = $19::bigint
           )
           SELECT h.position AS head,
                  CASE WHEN h.position = $19::bigint THEN pg_notify($18::text, $16::bigint::text) END AS notified
             FROM h`,
  },
  headRow: { name: 'patriot_es_head', text: 'SELECT position, hash FROM event_head' },
  readAll: {
    name: 'patriot_es_read_all',
    // settled: written by a transaction older than every transaction still in flight.
    text: `SELECT ${EVENT_COLUMNS}, e.tx_id < s.xmin AS settled
             FROM events e, (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) s
            WHERE e.global_position > $1
            ORDER BY e.global_position
            LIMIT $2`,
  },
  verifyPage: {
    name: 'patriot_es_verify_page',
    text: `SELECT ${EVENT_COLUMNS} FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
  },
  readStream: {
    name: 'patriot_es_read_stream',
    text: `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version`,
  },
  readByCorrelation: {
    name: 'patriot_es_read_correlation',
    text: `SELECT ${EVENT_COLUMNS} FROM events WHERE correlation_id = $1 ORDER BY global_position`,
  },
  findDedupe: { name: 'patriot_es_find_dedupe', text: 'SELECT value FROM dedupe WHERE scope = $1 AND key = $2' },
  loadCheckpoint: { name: 'patriot_es_load_checkpoint', text: 'SELECT position FROM checkpoints WHERE name = $1' },
  saveCheckpoint: {
    name: 'patriot_es_save_checkpoint',
    text: `INSERT INTO checkpoints (name, position) VALUES ($1, $2)
           ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
  },
} as const;

export class PostgresEventStore implements EventStore {
  /** Runs the migrations, loads the head and starts listening. */
  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    if (options.pool === undefined && options.url === undefined) {
      throw new TypeError('PostgresEventStore.open needs a pool or a url');
    }
    const ownsPool = options.pool === undefined;
    const pool = options.pool ?? createPool(options.url!, { max: options.poolMax ?? 4, applicationName: 'patriot-events' });
    try {
      await runMigrations(pool, EVENT_STORE_MIGRATIONS);
      const store = new PostgresEventStore(pool, ownsPool, options);
      await store.start(options.listen ?? true);
      return store;
    } catch (error) {
      if (ownsPool) await pool.end().catch(() => undefined);
      throw error;
    }
  }

  private readonly queue: AsyncGroupCommitQueue<Job>;
  private readonly listeners: AppendListeners;
  private readonly streamVersions: StreamVersionCache;
  private readonly verifyPageSize: number;
  private readonly onListenError: (error: unknown) => void;
  private readonly beforeCommit: ((client: pg.ClientBase) => Promise<void>) | undefined;

  /** Head (and its hash) after our own last commit; -1 when unknown. The caches are valid at it. */
  private cacheHead = -1;
  private cacheHash = GENESIS_HASH;
  /** Highest head passed to listeners (they only see it grow). */
  private notifiedHead = 0;
  private closed = false;
  private closing: Promise<void> | undefined;

  /** Counters: batch transactions, calls they carried, and fast-path races lost to another node. */
  readonly stats = { batches: 0, requests: 0, lockedFallbacks: 0 };

  private listenClient: pg.Client | undefined;
  private listenEnabled = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = 50;

  private constructor(
    private readonly pool: PgPool,
    private readonly ownsPool: boolean,
    options: PostgresEventStoreOptions,
  ) {
    this.streamVersions = new StreamVersionCache(options.streamVersionCacheSize);
    this.verifyPageSize = Math.max(1, Math.floor(options.verifyPageSize ?? 1000));
    this.listeners = new AppendListeners(options.onListenerError);
    this.onListenError = options.onListenError ?? (() => undefined);
    this.beforeCommit = options.beforeCommit;
    this.queue = new AsyncGroupCommitQueue<Job>(
      (jobs) => this.flush(jobs),
      Math.max(1, Math.floor(options.maxBatchRequests ?? 2000)),
    );
  }

  private async start(listen: boolean): Promise<void> {
    const head = await this.readHeadRow();
    this.notifiedHead = head.position;
    if (listen) {
      this.listenEnabled = true;
      await this.connectListener();
    }
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return this.submit([request]);
  }

  appendAtomic(requests: readonly AppendRequest[]): Promise<AppendResult> {
    return this.submit(requests, true);
  }

  async readStream(streamId: string, fromVersion = 1): Promise<RecordedEvent[]> {
    const result = await this.pool.query<EventRow>({ ...SQL.readStream, values: [streamId, fromVersion] });
    return result.rows.map(toRecordedEvent);
  }

  /**
   * Events after `afterPosition`, never skipping one that commits late.
   *
   * Positions are assigned under the event_head row lock, so on a primary a later position is
   * always committed (and visible) after an earlier one. The read does not rely on that alone:
   * a row is returned only if
   *  - it continues the run afterPosition+1, +2, … without a gap (positions are unique, so no
   *    transaction can still commit a position inside a run that is already complete), or
   *  - it was written by a transaction older than every in-flight transaction
   *    (tx_id < pg_snapshot_xmin(pg_current_snapshot())): then no in-flight transaction can
   *    fill a gap below it (a permanent hole, e.g. a row deleted by hand, is passed over).
   * The result stops at the first row that is neither. The first rule means an unrelated long
   * transaction elsewhere in the cluster does not stall readers (a pure xmin filter would).
   */
  async readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]> {
    if (!(limit > 0)) return [];
    const after = Math.max(0, Math.floor(afterPosition));
    const result = await this.pool.query<EventRow & { settled: boolean }>({
      ...SQL.readAll,
      values: [after, Math.floor(limit)],
    });
    const events: RecordedEvent[] = [];
    let expected = after + 1;
    for (const row of result.rows) {
      const position = Number(row.global_position);
      if (position !== expected && !row.settled) break;
      events.push(toRecordedEvent(row));
      expected = position + 1;
    }
    return events;
  }

  async readByCorrelation(correlationId: string): Promise<RecordedEvent[]> {
    const result = await this.pool.query<EventRow>({ ...SQL.readByCorrelation, values: [correlationId] });
    return result.rows.map(toRecordedEvent);
  }

  /**
   * The committed head (event_head is updated in the same transaction as the events): every
   * position up to it is committed, so readAll(0, n) returns exactly up to it.
   */
  async headPosition(): Promise<number> {
    this.assertOpen();
    return (await this.readHeadRow()).position;
  }

  onAppended(listener: (headPosition: number) => void): () => void {
    return this.listeners.subscribe(listener);
  }

  async findDedupe(scope: string, key: string): Promise<string | undefined> {
    const result = await this.pool.query<{ value: string }>({ ...SQL.findDedupe, values: [scope, key] });
    return result.rows[0]?.value;
  }

  async loadCheckpoint(name: string): Promise<number> {
    const result = await this.pool.query<{ position: number | string }>({ ...SQL.loadCheckpoint, values: [name] });
    const row = result.rows[0];
    return row === undefined ? 0 : Number(row.position);
  }

  async saveCheckpoint(name: string, position: number): Promise<void> {
    if (!Number.isSafeInteger(position) || position < 0) {
      throw new TypeError(`checkpoint position must be a non-negative integer, got ${position}`);
    }
    await this.pool.query({ ...SQL.saveCheckpoint, values: [name, position] });
  }

  async verifyChain(): Promise<ChainVerification> {
    const verifier = new ChainVerifier();
    let after = 0;
    for (;;) {
      this.assertOpen();
      const { rows } = await this.pool.query<EventRow>({ ...SQL.verifyPage, values: [after, this.verifyPageSize] });
      if (rows.length === 0) break;
      const checked = checkPage(verifier, rows);
      if (checked === undefined) return verifier.result();
      after = checked;
      if (rows.length < this.verifyPageSize) break;
    }
    return verifier.result();
  }

  /**
   * Waits for queued appends to commit, stops listening and, if the store created the pool,
   * ends it. Idempotent.
   */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closed = true;
      this.closing = (async () => {
        await this.queue.drain();
        this.listenEnabled = false;
        if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
        const client = this.listenClient;
        this.listenClient = undefined;
        if (client !== undefined) await client.end().catch(() => undefined);
        this.listeners.clear();
        if (this.ownsPool) await this.pool.end();
      })();
    }
    return this.closing;
  }

  // ---------------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed && this.closing !== undefined && this.ownsPool && this.pool.ended) {
      throw new Error('PostgresEventStore is closed');
    }
  }

  private async readHeadRow(): Promise<{ position: number; hash: string }> {
    const result = await this.pool.query<{ position: number | string; hash: string }>(SQL.headRow);
    const row = result.rows[0];
    return row === undefined ? { position: 0, hash: GENESIS_HASH } : { position: Number(row.position), hash: row.hash };
  }

  private submit(requests: readonly AppendRequest[], atomic = false): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('PostgresEventStore is closed'));
    return submitCall(requests, atomic, (job) => this.queue.enqueue(job));
  }

  /** Runs one batch. Never throws: every job is settled. */
  private async flush(jobs: Job[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      this.dropCaches();
      for (const job of jobs) job.reject(error);
      return;
    }
    // The server may end the session between two queries of the batch (e.g. an error that
    // arrives in the same packet as the previous result): the next query then fails; without a
    // listener the client's 'error' event would be an uncaught exception.
    const ignore = (): void => undefined;
    client.on('error', ignore);
    const release = (error?: Error): void => {
      client.off('error', ignore);
      client.release(error);
    };
    let plan: BatchPlan;
    this.stats.batches++;
    this.stats.requests += jobs.length;
    try {
      plan = (this.beforeCommit === undefined ? await this.runOptimistic(client, jobs) : undefined) ??
        (await this.runLocked(client, jobs));
    } catch (error) {
      // Discard the connection: an open transaction is aborted when its session ends (a lost
      // connection could not ROLLBACK anyway).
      release(error instanceof Error ? error : new Error(String(error)));
      this.dropCaches();
      for (const job of jobs) job.reject(error);
      return;
    }
    release();
    for (const [streamId, version] of plan.versions) this.rememberVersion(streamId, version);
    this.cacheHead = plan.head;
    this.cacheHash = plan.headHash;
    for (let i = 0; i < jobs.length; i++) jobs[i]!.resolve(plan.outcomes[i]!);
    this.notify(plan.head);
  }

  /**
   * The fast path (one or two round trips): look up versions, claims and the head in one
   * autocommit SELECT (skipped when everything is cached and there are no claims), validate in
   * memory, then ONE autocommit statement locks event_head, checks it is still the head we
   * computed from, writes every row, moves the head and notifies; its COMMIT is durable when it
   * returns. Returns undefined when another node moved the head in between (nothing was
   * written): the caller then takes the locked path.
   */
  private async runOptimistic(client: pg.PoolClient, jobs: readonly Job[]): Promise<BatchPlan | undefined> {
    let lookup = await this.lookup(client, jobs, true);
    if (lookup.head !== this.cacheHead) {
      // Another node wrote since our last commit: cached versions may be stale.
      this.streamVersions.clear();
      if (lookup.usedCache) lookup = await this.lookup(client, jobs, false);
    }
    let plan = this.validate(jobs, lookup);
    if (lookup.usedCache && plan.outcomes.some((o) => o.kind === 'conflict')) {
      // A conflict decided on cached versions may only mean another node wrote to the stream
      // since: decide again on the database's versions (a success is checked by the write anyway).
      this.streamVersions.clear();
      lookup = await this.lookup(client, jobs, false);
      plan = this.validate(jobs, lookup);
    }
    if (plan.rows.positions.length === 0) return plan; // only checks: decided on a committed snapshot
    const { rows } = await client.query<{ head: number | string }>({ ...SQL.write, values: writeValues(plan, lookup.head) });
    if (Number(rows[0]?.head) !== lookup.head) {
      this.stats.lockedFallbacks++;
      this.dropCaches();
      return undefined;
    }
    return plan;
  }

  /**
   * The locked path: BEGIN and lock event_head, look up under the lock, validate, write, COMMIT.
   * Always succeeds unless the database fails. Used when the fast path lost a race with another
   * node, and when a beforeCommit hook is set (it needs an open transaction).
   */
  private async runLocked(client: pg.PoolClient, jobs: readonly Job[]): Promise<BatchPlan> {
    const lockResults = (await client.query(SQL.lockHead)) as unknown as pg.QueryResult<{
      position: number | string;
      hash: string;
    }>[];
    const headRow = lockResults[1]?.rows[0];
    if (headRow === undefined) throw new Error('event_head row is missing');
    if (Number(headRow.position) !== this.cacheHead) this.streamVersions.clear();
    const lookup = await this.lookup(client, jobs, true, { head: Number(headRow.position), headHash: headRow.hash });
    const plan = this.validate(jobs, lookup);
    if (plan.rows.positions.length > 0) {
      const { rows } = await client.query<{ head: number | string }>({ ...SQL.write, values: writeValues(plan, lookup.head) });
      if (Number(rows[0]?.head) !== lookup.head) throw new Error('event_head moved while locked');
    }
    if (this.beforeCommit !== undefined) await this.beforeCommit(client);
    await client.query('COMMIT');
    return plan;
  }

  /**
   * One SELECT: the versions of the batch's streams (cached ones are not asked for when
   * useCache), the existing dedupe claims of the batch, and (unless `locked` gives it) the head,
   * all from one snapshot. Skipped when there is nothing to ask and the head is known.
   */
  private async lookup(
    client: pg.PoolClient,
    jobs: readonly Job[],
    useCache: boolean,
    locked?: { head: number; headHash: string },
  ): Promise<Lookup> {
    const versions = new Map<string, number>();
    const streams: string[] = [];
    const scopes: string[] = [];
    const keys: string[] = [];
    let usedCache = false;
    for (const job of jobs) {
      for (const request of job.requests) {
        if (!versions.has(request.streamId)) {
          const cached = useCache ? this.streamVersions.get(request.streamId) : undefined;
          if (cached === undefined) {
            versions.set(request.streamId, 0);
            streams.push(request.streamId);
          } else {
            versions.set(request.streamId, cached);
            usedCache = true;
          }
        }
        if (request.events.length > 0 && request.dedupe !== undefined) {
          scopes.push(request.dedupe.scope);
          keys.push(request.dedupe.key);
        }
      }
    }
    const claims = new Map<string, string>();
    let head = locked?.head ?? this.cacheHead;
    let headHash = locked?.headHash ?? this.cacheHash;
    if (streams.length === 0 && scopes.length === 0 && head >= 0) {
      return { head, headHash, versions, claims, usedCache, fresh: new Set() };
    }
    const { rows } = await client.query<{ kind: number; a: string; b: string | null; c: string | null }>({
      ...SQL.lookup,
      values: [streams, scopes, keys, locked === undefined],
    });
    for (const row of rows) {
      if (row.kind === 0) versions.set(row.a, row.c === null ? 0 : Number(row.c));
      else if (row.kind === 1) claims.set(claimId(row.a, row.b ?? ''), row.c ?? '');
      else {
        headHash = row.a;
        head = Number(row.c);
      }
    }
    return { head, headHash, versions, claims, usedCache, fresh: new Set(streams) };
  }

  /** Validates every call in order, in memory (plan-append.ts, as SQLite does), and builds the rows. */
  private validate(jobs: readonly Job[], lookup: Lookup): BatchPlan {
    let head = lookup.head;
    let headHash = lookup.headHash;
    const baseVersions = lookup.versions;
    const existingClaims = lookup.claims;
    const batchVersions = new Map<string, number>();
    const rows: BatchRows = {
      positions: [],
      streamIds: [],
      versions: [],
      types: [],
      data: [],
      metadata: [],
      tenants: [],
      correlations: [],
      causations: [],
      times: [],
      prevHashes: [],
      hashes: [],
      claimScopes: [],
      claimKeys: [],
      claimValues: [],
    };
    const outcomes: AppendResult[] = [];
    const lookupInBatch = {
      version: (streamId: string) => batchVersions.get(streamId) ?? baseVersions.get(streamId) ?? 0,
      claim: (scope: string, key: string) => existingClaims.get(claimId(scope, key)),
    };
    for (const job of jobs) {
      // the rules are plan-append.ts's, shared with SQLite
      const plan = planUnit(job.requests, lookupInBatch, head, headHash);
      outcomes.push(plan.result);
      if (!plan.ok) continue;
      for (const p of plan.events) {
        rows.positions.push(p.position);
        rows.streamIds.push(p.streamId);
        rows.versions.push(p.version);
        rows.types.push(p.event.type);
        rows.data.push(p.event.dataJson);
        rows.metadata.push(p.request.metadataJson);
        rows.tenants.push(p.request.tenantId);
        rows.correlations.push(p.request.correlationId);
        rows.causations.push(p.request.causationId);
        rows.times.push(p.request.time);
        rows.prevHashes.push(p.prevHash);
        rows.hashes.push(p.hash);
      }
      for (const claim of plan.claims) {
        rows.claimScopes.push(claim.scope);
        rows.claimKeys.push(claim.key);
        rows.claimValues.push(claim.value);
        existingClaims.set(claimId(claim.scope, claim.key), claim.value);
      }
      for (const [streamId, version] of plan.versions) batchVersions.set(streamId, version);
      head = plan.head;
      headHash = plan.headHash;
    }
    // Versions read from the database are worth caching too (valid at this head).
    for (const streamId of lookup.fresh) {
      if (!batchVersions.has(streamId)) batchVersions.set(streamId, baseVersions.get(streamId) ?? 0);
    }
    return { outcomes, rows, versions: batchVersions, head, headHash };
  }

  private dropCaches(): void {
    this.streamVersions.clear();
    this.cacheHead = -1;
    this.cacheHash = GENESIS_HASH;
  }

  private rememberVersion(streamId: string, version: number): void {
    this.streamVersions.remember(streamId, version);
  }

  /** Calls the listeners (asynchronously) if the head moved past what they last saw. */
  private notify(headPosition: number): void {
    if (!(headPosition > this.notifiedHead)) return;
    this.notifiedHead = headPosition;
    this.listeners.notify(headPosition);
  }

  // --- LISTEN connection ------------------------------------------------------------------------

  private async connectListener(): Promise<void> {
    const client = new pg.Client(this.pool.options);
    let dropped = false;
    const onDrop = (error?: unknown): void => {
      if (error !== undefined) this.reportListenError(error);
      if (dropped) return;
      dropped = true;
      if (this.listenClient === client) this.listenClient = undefined;
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('notification', (message) => {
      if (message.channel !== EVENT_NOTIFY_CHANNEL) return;
      const head = Number(message.payload);
      if (Number.isSafeInteger(head)) this.notify(head);
    });
    client.on('error', (error) => onDrop(error));
    client.on('end', () => onDrop());
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(EVENT_NOTIFY_CHANNEL)}`);
    } catch (error) {
      onDrop(error);
      throw error;
    }
    if (!this.listenEnabled) {
      dropped = true;
      await client.end().catch(() => undefined);
      return;
    }
    this.listenClient = client;
    this.reconnectDelayMs = 50;
  }

  private scheduleReconnect(): void {
    if (!this.listenEnabled || this.reconnectTimer !== undefined) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(5000, delay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.listenEnabled) return;
      this.connectListener()
        .then(async () => {
          // A commit made while we were not listening still wakes the listeners.
          if (this.listenEnabled) this.notify((await this.readHeadRow()).position);
        })
        .catch((error) => this.reportListenError(error));
    }, delay);
    this.reconnectTimer.unref?.();
  }

  private reportListenError(error: unknown): void {
    try {
      this.onListenError(error);
    } catch {
      // ignore
    }
  }

  /** True while the LISTEN connection is up (for health checks and tests). */
  get listening(): boolean {
    return this.listenClient !== undefined;
  }
}

function claimId(scope: string, key: string): string {
  return scope + '\u0000' + key;
}

const toRecordedEvent = recordedFromRow;
