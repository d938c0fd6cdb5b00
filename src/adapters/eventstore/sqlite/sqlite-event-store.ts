/**
 * SQLite implementation of the EventStore port (better-sqlite3, one writer connection).
 *
 * Usage:
 *   const store = new SqliteEventStore({ path: 'data/patriot.db' });   // or: await SqliteEventStore.open({ path })
 *   ...
 *   await store.close();
 *
 * - The constructor opens the file synchronously (parent directories are created; ':memory:' is
 *   allowed for tests) with journal_mode=WAL, synchronous=FULL and busy_timeout, and creates the
 *   schema idempotently (see schema.ts). `SqliteEventStore.open` is the same, returning a promise.
 * - `store.database` is the underlying better-sqlite3 handle, e.g. to share the file with
 *   SqliteKeyValueStore (adapters/kv). Do not run long transactions on it.
 *
 * Group commit: append/appendAtomic calls made during one event-loop turn are validated and
 * written together in one BEGIN IMMEDIATE … COMMIT transaction (one fsync), flushed with
 * setImmediate. Each call sees the database plus the calls before it in the same batch. A call that
 * conflicts or is a duplicate fails alone; an appendAtomic call is all or nothing. Promises settle
 * only after COMMIT returned. If the transaction itself fails (e.g. SQLITE_FULL) it is rolled back,
 * every call of that batch rejects with the error, and the in-memory caches are reloaded.
 *
 * Caches: the head position and head hash live in memory (loaded at open), and stream versions
 * are kept in a bounded Map; an indexed MAX(stream_version) lookup fills misses. If another
 * connection commits to the same file (detected with PRAGMA data_version at the start of each
 * batch), the caches are reloaded, so a second writer process is safe, if slower.
 *
 * Conventions beyond the port:
 * - A zero-event append only checks the expected version (its dedupe claim is neither checked nor
 *   taken) and returns { kind: 'appended', firstPosition: head + 1, lastPosition: head } (an empty
 *   range) with nextExpectedVersion = the stream's current version.
 * - appendAtomic's nextExpectedVersion is that of the first request's stream; appendAtomic([])
 *   rejects with a TypeError.
 * - Dedupe claims are checked before the version: a retried request reports 'duplicate'.
 * - data and metadata are stored as canonical JSON (sorted keys); they read back deep-equal.
 *   recorded_time holds metadata.time.
 * - Invalid input (bad stream id, expected version, event type, data that is not JSON, e.g. NaN or
 *   a bigint) rejects that call with a TypeError before it is queued.
 */
import type {
  AppendRequest,
  AppendResult,
  ChainVerification,
  EventMetadata,
  EventStore,
  FollowingAppender,
  FollowUp,
  RecordedEvent,
} from '../../../application/ports/event-store.js';
import type { PreparedRequest } from '../prepare-request.js';
import { AppendListeners, StreamVersionCache, checkPage, recordedFromRow, submitCall, type EventRow } from '../store-support.js';
import { ChainVerifier, GENESIS_HASH } from '../hash-chain.js';
import { planUnit } from '../plan-append.js';
import { BatchFollowUps } from '../follow-ups.js';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { GroupCommitQueue } from './group-commit.js';
import { ensureEventStoreSchema, openDatabase, type SqliteDatabase, type SqliteStatement } from './schema.js';
import { isThrowaway } from './throwaway-dirs.js';
import { StreamMemory } from './stream-memory.js';
import { DeferredCommits } from './deferred-commits.js';
import { explainSqliteFailure, isCorruption, StorageFileError } from './file-errors.js';

export interface SqliteEventStoreOptions {
  /** Path of the database file (parent directories are created), or ':memory:'. */
  readonly path: string;
  /** How long to wait for another connection's write lock (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** How many stream versions to keep in memory (default 100,000). */
  readonly streamVersionCacheSize?: number;
  /** Most recent committed events kept in memory to serve readAll without SQL (default 5,000; 0 disables). */
  readonly recentEventsCacheSize?: number;
  /** Rows per page when verifying the chain (default 1,000). */
  readonly verifyPageSize?: number;
  /** Receives errors thrown by onAppended listeners (default: process.emitWarning). */
  readonly onListenerError?: (error: unknown) => void;
  /**
   * How often to check that the open file is still the one at `path` (default 1000 ms; 0: only
   * after each commit). A deleted or replaced file makes the store refuse every append.
   */
  readonly fileCheckIntervalMs?: number;
  /** Called once when the file is found deleted or replaced. */
  readonly onFileLost?: (error: LogFileGoneError) => void;
}

/** The open log file is no longer the file at its path: appends are refused. */
export class LogFileGoneError extends StorageFileError {
  constructor(path: string, reason: string) {
    super(
      `the event log ${path} ${reason} while the server had it open: nothing more is recorded. ` +
        'Stop the server and restore the file (with its -wal file) from a backup; a restart on a new, empty log is refused while the read models remember the old one',
      path,
      'LOG_FILE_GONE',
    );
    this.name = 'LogFileGoneError';
  }
}

/** Whether the store can still record: false once its file was deleted or replaced under it. */
export interface StoreHealth {
  readonly ok: boolean;
  readonly reason?: string;
}

interface Job {
  readonly requests: readonly PreparedRequest[];
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
  /** written in the same transaction right after this job's unit, if that unit is written (ADR-0030) */
  readonly followUp?: FollowUp;
}

const EVENT_COLUMNS = 'global_position, stream_id, stream_version, type, data, metadata, prev_hash, hash';

export class SqliteEventStore implements EventStore, FollowingAppender {
  /** Opens (and creates if needed) the store; the same as the constructor. */
  static async open(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
    return new SqliteEventStore(options);
  }

  private readonly db: SqliteDatabase;
  private readonly queue: GroupCommitQueue<Job>;
  private readonly listeners: AppendListeners;
  private readonly streamVersions: StreamVersionCache;
  private readonly verifyPageSize: number;
  private readonly followUps: BatchFollowUps;

  private head = 0;
  private headHash = GENESIS_HASH;
  /**
   * The newest committed events, contiguous and ending at `head` (or empty): log consumers in
   * this process (signal processor, projections) read what was just written from here instead
   * of querying and parsing it again. Cleared whenever another connection writes the file.
   */
  private tail: RecordedEvent[] = [];
  private readonly tailSize: number;
  /** whole streams in memory: only for a throwaway file (a replay's; no other connection can write it) */
  private readonly streamMemory: StreamMemory | undefined;
  /** a throwaway log's batches: savepoints of one long transaction (deferred-commits.ts); undefined live */
  private readonly deferred: DeferredCommits | undefined;
  /** events written by the batch in progress; joins `tail` only once the batch commits */
  private batchEvents: RecordedEvent[] = [];
  private dataVersion = 0;
  private readonly path: string;
  /** device and inode of the file opened, to notice it deleted or replaced (undefined for ':memory:') */
  private readonly fileId: { dev: number; ino: number } | undefined;
  private fileTimer: NodeJS.Timeout | undefined;
  /** set once the file at `path` is no longer the open one */
  private lost: LogFileGoneError | undefined;
  private readonly onFileLost: ((error: LogFileGoneError) => void) | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  /** how a checkpoint save drops to synchronous=NORMAL and back (undefined when the log already runs lighter) */
  private readonly checkpointSync: CheckpointSync | undefined;
  private readonly stmt: {
    begin: Statement;
    commit: Statement;
    rollback: Statement;
    dataVersion: Statement;
    headRow: Statement;
    streamVersion: Statement;
    insertEvent: Statement;
    findDedupe: Statement;
    insertDedupe: Statement;
    readStream: Statement;
    readAll: Statement;
    readByCorrelation: Statement;
    loadCheckpoint: Statement;
    saveCheckpoint: Statement;
  };

  constructor(options: SqliteEventStoreOptions) {
    this.streamVersions = new StreamVersionCache(options.streamVersionCacheSize);
    this.tailSize = Math.max(0, Math.floor(options.recentEventsCacheSize ?? 5_000));
    this.streamMemory = this.tailSize > 0 && isThrowaway(options.path) ? new StreamMemory() : undefined;
    this.verifyPageSize = Math.max(1, Math.floor(options.verifyPageSize ?? 1000));
    this.listeners = new AppendListeners(options.onListenerError);
    this.followUps = new BatchFollowUps((error) => this.listeners.report(error));
    this.path = options.path;
    this.onFileLost = options.onFileLost;
    this.db = openDatabase({
      path: options.path,
      what: 'the event log',
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    });
    // a throwaway file (a replay's, throwaway-dirs.ts) is not watched: it is deleted with its directory when done
    const onDisk = options.path !== ':memory:' && options.path !== '' && !options.path.startsWith('file:') && !isThrowaway(options.path);
    try {
      ensureEventStoreSchema(this.db);
      const db = this.db;
      this.stmt = {
        begin: db.prepare('BEGIN IMMEDIATE'),
        commit: db.prepare('COMMIT'),
        rollback: db.prepare('ROLLBACK'),
        dataVersion: db.prepare('PRAGMA data_version').pluck(),
        headRow: db.prepare('SELECT global_position, hash FROM events ORDER BY global_position DESC LIMIT 1'),
        streamVersion: db.prepare('SELECT MAX(stream_version) FROM events WHERE stream_id = ?').pluck(),
        insertEvent: db.prepare(
          `INSERT INTO events (global_position, stream_id, stream_version, type, data, metadata,
             tenant_id, correlation_id, causation_id, recorded_time, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ),
        findDedupe: db.prepare('SELECT value FROM dedupe WHERE scope = ? AND key = ?').pluck(),
        insertDedupe: db.prepare('INSERT INTO dedupe (scope, key, value) VALUES (?, ?, ?)'),
        readStream: db.prepare(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND stream_version >= ? ORDER BY stream_version`,
        ),
        readAll: db.prepare(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?`,
        ),
        readByCorrelation: db.prepare(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE correlation_id = ? ORDER BY global_position`,
        ),
        loadCheckpoint: db.prepare('SELECT position FROM checkpoints WHERE name = ?').pluck(),
        saveCheckpoint: db.prepare(
          `INSERT INTO checkpoints (name, position) VALUES (?, ?)
           ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
        ),
      };
      this.checkpointSync = checkpointSynchronous(db);
      this.deferred = isThrowaway(options.path) ? new DeferredCommits(db) : undefined;
      this.dataVersion = this.stmt.dataVersion.get() as number;
      this.reloadHead();
    } catch (error) {
      this.db.close();
      throw explainSqliteFailure(options.path, 'the event log', error);
    }
    this.fileId = onDisk ? fileIdOf(options.path) : undefined;
    this.queue = new GroupCommitQueue<Job>((jobs) => this.flush(jobs));
    const every = options.fileCheckIntervalMs ?? 1000;
    if (this.fileId !== undefined && every > 0) {
      this.fileTimer = setInterval(() => this.checkFile(), every);
      this.fileTimer.unref();
    }
  }

  /**
   * Whether the store can still record. Not ok once the file at the path is no longer the one
   * open (deleted, or replaced by another file): what would be written now would be lost.
   */
  health(): StoreHealth {
    // the file is looked at after every commit and every fileCheckIntervalMs; this reads the verdict
    return this.lost ? { ok: false, reason: this.lost.message } : { ok: true };
  }

  /** The identity of this log, made with it (undefined for a log made before identities existed, until ensureLogId). */
  readLogId(): string | undefined {
    return this.guard(() => (this.db.prepare('SELECT log_id FROM log_identity WHERE id = 1').pluck().get() as string | undefined) ?? undefined);
  }

  /** The log's identity, created now if it has none yet. */
  ensureLogId(): string {
    return this.guard(() => {
      this.db.prepare('INSERT INTO log_identity (id, log_id, created_time) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING').run(randomUUID(), new Date().toISOString());
      return this.db.prepare('SELECT log_id FROM log_identity WHERE id = 1').pluck().get() as string;
    });
  }

  /** The hash of the event at a position (GENESIS for 0), or undefined when the log has no such event. */
  hashAt(position: number): string | undefined {
    if (position === 0) return GENESIS_HASH;
    return this.guard(() => (this.db.prepare('SELECT hash FROM events WHERE global_position = ?').pluck().get(position) as string | undefined) ?? undefined);
  }

  /** The file this store opened. */
  get filePath(): string {
    return this.path;
  }

  /** Compares the open file with the one at the path now; remembers a loss (for good). */
  private checkFile(): void {
    if (this.fileId === undefined || this.lost !== undefined || this.closed) return;
    let now: { dev: number; ino: number } | undefined;
    try {
      now = fileIdOf(this.path);
    } catch {
      return; // cannot look (e.g. EACCES on the directory): no evidence of a loss
    }
    if (now === undefined) this.lost = new LogFileGoneError(this.path, 'was deleted');
    else if (now.dev !== this.fileId.dev || now.ino !== this.fileId.ino) this.lost = new LogFileGoneError(this.path, 'was replaced by another file');
    if (this.lost !== undefined) {
      try {
        this.onFileLost?.(this.lost);
      } catch {
        // a reporter that throws must not break the store
      }
    }
  }

  /** Runs a read, explaining a damaged file. */
  private guard<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw isCorruption(error) ? explainSqliteFailure(this.path, 'the event log', error) : error;
    }
  }

  /** The underlying better-sqlite3 connection (e.g. for SqliteKeyValueStore on the same file). */
  get database(): SqliteDatabase {
    return this.db;
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return this.submit([request]);
  }

  appendAtomic(requests: readonly AppendRequest[]): Promise<AppendResult> {
    return this.submit(requests, true);
  }

  appendFollowedBy(request: AppendRequest, followUp: FollowUp): Promise<AppendResult> {
    return this.submit([request], false, followUp);
  }

  async readStream(streamId: string, fromVersion = 1): Promise<RecordedEvent[]> {
    if (this.streamMemory) return this.readStreamFromMemory(this.streamMemory, streamId, fromVersion);
    return this.guard(() => (this.stmt.readStream.all(streamId, fromVersion) as EventRow[]).map(toRecordedEvent));
  }

  private readStreamFromMemory(memory: StreamMemory, streamId: string, fromVersion: number): RecordedEvent[] {
    const known = memory.read(streamId, fromVersion);
    if (known) return known;
    const whole = this.guard(() => (this.stmt.readStream.all(streamId, 1) as EventRow[]).map(toRecordedEvent));
    memory.keep(streamId, whole);
    return whole.slice(Math.max(0, fromVersion - 1));
  }

  async readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]> {
    if (!(limit > 0)) return [];
    const first = this.tail[0];
    if (first !== undefined && afterPosition >= first.globalPosition - 1 && !this.changedElsewhere()) {
      const start = afterPosition - first.globalPosition + 1;
      return this.tail.slice(start, start + Math.floor(limit));
    }
    return this.guard(() => (this.stmt.readAll.all(afterPosition, Math.floor(limit)) as EventRow[]).map(toRecordedEvent));
  }

  async readByCorrelation(correlationId: string): Promise<RecordedEvent[]> {
    return this.guard(() => (this.stmt.readByCorrelation.all(correlationId) as EventRow[]).map(toRecordedEvent));
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    this.refreshIfChangedElsewhere();
    return this.head;
  }

  onAppended(listener: (headPosition: number) => void): () => void {
    return this.listeners.subscribe(listener);
  }

  async findDedupe(scope: string, key: string): Promise<string | undefined> {
    return (this.stmt.findDedupe.get(scope, key) as string | undefined) ?? undefined;
  }

  async loadCheckpoint(name: string): Promise<number> {
    return (this.stmt.loadCheckpoint.get(name) as number | undefined) ?? 0;
  }

  async saveCheckpoint(name: string, position: number): Promise<void> {
    if (!Number.isSafeInteger(position) || position < 0) {
      throw new TypeError(`checkpoint position must be a non-negative integer, got ${position}`);
    }
    const sync = this.checkpointSync;
    if (!sync) {
      this.stmt.saveCheckpoint.run(name, position);
      return;
    }
    // at least once: a checkpoint lost with the machine's power means a batch done again, which
    // changes nothing twice; so no fsync of its own (the next commit of events syncs it anyway)
    sync.relax.run();
    try {
      this.stmt.saveCheckpoint.run(name, position);
    } finally {
      sync.restore.run();
    }
  }

  async verifyChain(): Promise<ChainVerification> {
    const verifier = new ChainVerifier();
    let after = 0;
    // pages of rows; after a read error, one row at a time to find the first position that cannot be read
    let pageSize = this.verifyPageSize;
    for (;;) {
      this.assertOpen();
      let rows: EventRow[];
      try {
        rows = this.stmt.readAll.all(after, pageSize) as EventRow[];
      } catch (error) {
        if (pageSize > 1) {
          pageSize = 1;
          continue;
        }
        const explained = isCorruption(error) ? explainSqliteFailure(this.path, 'the event log', error) : error;
        verifier.reportUnreadable(verifier.nextPosition, `the log cannot be read after position ${after}: ${explained instanceof Error ? explained.message : String(explained)}`);
        return verifier.result();
      }
      if (rows.length === 0) break;
      const checked = checkPage(verifier, rows);
      if (checked === undefined) return verifier.result();
      after = checked;
      if (rows.length < pageSize) break;
      // Let appends and other work proceed between pages.
      if (pageSize > 1) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return verifier.result();
  }

  /** Waits for queued appends to commit, then closes the database. Idempotent. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closed = true;
      if (this.fileTimer) clearInterval(this.fileTimer);
      this.closing = (async () => {
        await this.queue.drain();
        this.listeners.clear();
        try {
          this.deferred?.commit();
        } finally {
          this.db.close();
        }
      })();
    }
    return this.closing;
  }

  // ---------------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed && !this.db.open) throw new Error('SqliteEventStore is closed');
  }

  private submit(requests: readonly AppendRequest[], atomic = false, followUp?: FollowUp): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('SqliteEventStore is closed'));
    if (this.lost) return Promise.reject(this.lost);
    return submitCall(requests, atomic, (job) => this.queue.enqueue(followUp ? { ...job, followUp } : job));
  }

  /** Runs one batch in one write transaction. Never throws: every job is settled. */
  private flush(jobs: Job[]): void {
    const outcomes: AppendResult[] = [];
    const batchVersions = new Map<string, number>();
    const headBefore = this.head;
    this.batchEvents = [];
    try {
      if (this.deferred) this.deferred.begin();
      else this.stmt.begin.run();
      this.refreshIfChangedElsewhere();
      const committedHead = this.head; // another connection's commits included
      for (const job of jobs) {
        const outcome = this.applyUnit(job.requests, batchVersions);
        outcomes.push(outcome);
        if (job.followUp && outcome.kind === 'appended') this.applyFollowUp(job.followUp, outcome, committedHead, batchVersions);
      }
      if (this.deferred) this.deferred.end();
      else this.stmt.commit.run();
    } catch (error) {
      this.recoverFromFailedBatch(error);
      this.checkFile();
      const reported = this.lost ?? (isCorruption(error) ? explainSqliteFailure(this.path, 'the event log', error) : error);
      this.followUps.failed(reported);
      for (const job of jobs) job.reject(reported);
      return;
    }
    // Committed into the file that was open: if that file is no longer at its path, the batch went
    // into a deleted (or replaced) file and is not durable. Refuse it, and everything after it.
    this.checkFile();
    if (this.lost) {
      this.batchEvents = [];
      this.followUps.failed(this.lost);
      for (const job of jobs) job.reject(this.lost);
      return;
    }
    for (const [streamId, version] of batchVersions) this.rememberVersion(streamId, version);
    this.extendTail(headBefore);
    this.followUps.committed(); // before the answers: an order decided with its signal leaves at once
    for (let i = 0; i < jobs.length; i++) jobs[i]!.resolve(outcomes[i]!);
    if (this.head !== headBefore) this.notify(this.head);
  }

  private extendTail(headBefore: number): void {
    const written = this.batchEvents;
    this.batchEvents = [];
    if (this.tailSize === 0 || written.length === 0) return;
    this.streamMemory?.committed(written);
    const last = this.tail[this.tail.length - 1];
    if (last !== undefined && last.globalPosition !== headBefore) this.tail = []; // not contiguous: start again
    for (const e of written) this.tail.push(e);
    if (this.tail.length > this.tailSize * 2) this.tail = this.tail.slice(this.tail.length - this.tailSize);
  }

  /** True when another connection committed since we last looked (the tail may then have gaps). */
  private changedElsewhere(): boolean {
    if ((this.stmt.dataVersion.get() as number) === this.dataVersion) return false;
    this.tail = [];
    this.streamMemory?.clear();
    return true;
  }

  private recoverFromFailedBatch(error: unknown): void {
    this.batchEvents = [];
    this.streamMemory?.clear();
    try {
      if (this.deferred) this.deferred.abort(error);
      else if (this.db.inTransaction) this.stmt.rollback.run();
    } catch {
      // SQLite may already have rolled back (e.g. after SQLITE_FULL); nothing else to undo.
    }
    this.streamVersions.clear();
    try {
      this.dataVersion = this.stmt.dataVersion.get() as number;
      this.reloadHead();
    } catch {
      // Leave the caches as they are; the next batch re-checks data_version.
    }
  }

  /**
   * Validates one append (or appendAtomic) against the database plus earlier units of this batch
   * (plan-append.ts, shared with PostgreSQL), and writes it if every request passes.
   */
  private applyUnit(requests: readonly PreparedRequest[], batchVersions: Map<string, number>): AppendResult {
    const plan = planUnit(requests, {
      version: (streamId) => batchVersions.get(streamId) ?? this.currentVersion(streamId),
      claim: (scope, key) => this.stmt.findDedupe.get(scope, key) as string | undefined,
    }, this.head, this.headHash);
    if (!plan.ok) return plan.result;
    let metadata: { json: string; parsed: EventMetadata } | undefined;
    for (const p of plan.events) {
      const { request, event } = p;
      this.stmt.insertEvent.run(
        p.position, p.streamId, p.version, event.type, event.dataJson, request.metadataJson,
        request.tenantId, request.correlationId, request.causationId, request.time, p.prevHash, p.hash,
      );
      if (this.tailSize > 0) {
        if (metadata?.json !== request.metadataJson) metadata = { json: request.metadataJson, parsed: JSON.parse(request.metadataJson) as EventMetadata };
        this.batchEvents.push({
          globalPosition: p.position, streamId: p.streamId, streamVersion: p.version, type: event.type,
          data: JSON.parse(event.dataJson) as Record<string, unknown>, metadata: metadata.parsed, prevHash: p.prevHash, hash: p.hash,
        });
      }
    }
    for (const claim of plan.claims) this.stmt.insertDedupe.run(claim.scope, claim.key, claim.value);
    for (const [streamId, version] of plan.versions) batchVersions.set(streamId, version);
    this.head = plan.head;
    this.headHash = plan.headHash;
    return plan.result;
  }

  /** Plans a follow-up right after the unit it follows and writes it as one unit of its own (ADR-0030). */
  private applyFollowUp(followUp: FollowUp, appended: { firstPosition: number; lastPosition: number }, committedHead: number, batchVersions: Map<string, number>): void {
    const requests = this.followUps.plan(followUp, appended, committedHead);
    if (requests !== undefined) this.followUps.wrote(this.applyUnit(requests, batchVersions));
  }

  private currentVersion(streamId: string): number {
    const cached = this.streamVersions.get(streamId);
    if (cached !== undefined) return cached;
    const version = (this.stmt.streamVersion.get(streamId) as number | null) ?? 0;
    this.rememberVersion(streamId, version);
    return version;
  }

  private rememberVersion(streamId: string, version: number): void {
    this.streamVersions.remember(streamId, version);
  }

  /** If another connection committed to this file since we last looked, reload the caches. */
  private refreshIfChangedElsewhere(): void {
    const dataVersion = this.stmt.dataVersion.get() as number;
    if (dataVersion !== this.dataVersion) {
      this.dataVersion = dataVersion;
      this.streamVersions.clear();
      this.tail = [];
      this.streamMemory?.clear();
      this.reloadHead();
    }
  }

  private reloadHead(): void {
    const row = this.stmt.headRow.get() as { global_position: number; hash: string } | undefined;
    this.head = row?.global_position ?? 0;
    this.headHash = row?.hash ?? GENESIS_HASH;
  }

  private notify(headPosition: number): void {
    this.listeners.notify(headPosition);
  }
}

type Statement = SqliteStatement;

/** Device and inode of the file at a path, or undefined when there is none. */
function fileIdOf(path: string): { dev: number; ino: number } | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat === undefined ? undefined : { dev: stat.dev, ino: stat.ino };
}

const toRecordedEvent = recordedFromRow;

interface CheckpointSync {
  readonly relax: SqliteStatement;
  readonly restore: SqliteStatement;
}

/**
 * Named checkpoints (reactors, deliveries) are saved at least once and their effects are
 * idempotent, so they need no fsync of their own: one an alert was a fifth of the log's fsyncs.
 * synchronous is the connection's, read at each commit: it is lowered for that one statement and
 * put back (FULL for the live log). A log already at NORMAL or OFF (a replay's) is left alone.
 */
function checkpointSynchronous(db: SqliteDatabase): CheckpointSync | undefined {
  const level = Number(db.pragma('synchronous', { simple: true }));
  if (!(level > 1)) return undefined; // 0 OFF, 1 NORMAL: nothing to save
  return { relax: db.prepare('PRAGMA synchronous = NORMAL'), restore: db.prepare(`PRAGMA synchronous = ${level}`) };
}
