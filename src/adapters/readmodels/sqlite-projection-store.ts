import type Database from 'better-sqlite3';
import { openDatabase } from '../eventstore/sqlite/schema.js';
import { explainSqliteFailure } from '../eventstore/sqlite/file-errors.js';
import { StaleCheckpointError, type DocKey, type DocQuery, type ProjectionStore, type ReadDoc } from '../../application/ports/projection-store.js';
import { ParsedDocs } from './parsed-docs.js';
import { ListAnswers, type FileGeneration } from './list-answers.js';

interface DocRow {
  collection: string;
  tenant_id: string;
  id: string;
  account_id: string | null;
  strategy_id: string | null;
  signal_id: string | null;
  seq: number;
  data: string;
}

/** Which event log a derived file was built from, and a position and the hash of its event there. */
export interface LogBinding {
  readonly logId: string;
  readonly position: number;
  readonly hash: string;
}

const toDoc = (r: DocRow): ReadDoc => ({
  collection: r.collection,
  id: r.id,
  tenantId: r.tenant_id,
  ...(r.account_id !== null ? { accountId: r.account_id } : {}),
  ...(r.strategy_id !== null ? { strategyId: r.strategy_id } : {}),
  ...(r.signal_id !== null ? { signalId: r.signal_id } : {}),
  seq: r.seq,
  data: JSON.parse(r.data) as Record<string, unknown>,
});

/** The columns a read returns, as an array (better-sqlite3's raw mode: no object built per row). */
const READ_COLUMNS = 'id, account_id, strategy_id, signal_id, seq, data';
type ReadRow = [id: string, accountId: string | null, strategyId: string | null, signalId: string | null, seq: number, data: string];

/**
 * Read models in their own SQLite file. They are rebuildable from the log, so the file
 * uses synchronous=NORMAL: a power loss can only lose whole recent batches (documents
 * and checkpoint commit together), which the runner projects again.
 */
export class SqliteProjectionStore implements ProjectionStore {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly setCheckpoint: Database.Statement;
  private readonly getOne: Database.Statement;
  /** prepared once: a commit runs per processor batch, and preparing costs as much as the statement */
  private readonly readCheckpoint: Database.Statement;
  private readonly readProcessorCheckpoint: Database.Statement;
  private readonly claimCollection: Database.Statement;
  private readonly setProcessorCheckpoint: Database.Statement;
  /** list() statements by their SQL: at most 16 shapes (which filters are set); preparing one costs as much as a page read */
  private readonly listStatements = new Map<string, Database.Statement>();
  /** documents read before, parsed: reused while their stored text is the same */
  private readonly parsed: ParsedDocs;
  /** first pages of lists, kept until the file changes */
  private readonly answers: ListAnswers;
  /** SQLite's count of commits by other connections */
  private readonly dataVersion: Database.Statement;
  /** this connection's writes (data_version does not count them) */
  private ownWrites = 0;

  constructor(path: string, options: { readonly parsedDocs?: number; readonly listAnswerDocs?: number } = {}) {
    this.parsed = new ParsedDocs(options.parsedDocs);
    this.answers = new ListAnswers(options.listAnswerDocs);
    this.db = openDatabase({ path, synchronous: 'NORMAL', what: 'the read models' });
    try {
      this.createSchema();
    } catch (error) {
      this.db.close();
      throw explainSqliteFailure(path, 'the read models', error);
    }
    this.upsert = this.db.prepare(
      `INSERT INTO docs (collection, tenant_id, id, account_id, strategy_id, signal_id, seq, data)
       VALUES (@collection, @tenant_id, @id, @account_id, @strategy_id, @signal_id, @seq, @data)
       ON CONFLICT (collection, tenant_id, id) DO UPDATE SET account_id = excluded.account_id, strategy_id = excluded.strategy_id,
         signal_id = excluded.signal_id, seq = excluded.seq, data = excluded.data`,
    );
    this.getOne = this.db.prepare(`SELECT ${READ_COLUMNS} FROM docs WHERE collection = ? AND tenant_id = ? AND id = ?`).raw();
    this.setCheckpoint = this.db.prepare(
      'INSERT INTO projection_checkpoint (id, position) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position',
    );
    this.dataVersion = this.db.prepare('PRAGMA data_version').pluck();
    this.readCheckpoint = this.db.prepare('SELECT position FROM projection_checkpoint WHERE id = 1');
    this.readProcessorCheckpoint = this.db.prepare('SELECT position FROM processor_checkpoints WHERE name = ?');
    this.claimCollection = this.db.prepare('INSERT INTO processor_collections (collection, processor) VALUES (?, ?) ON CONFLICT (collection) DO NOTHING');
    this.setProcessorCheckpoint = this.db.prepare(
      'INSERT INTO processor_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    );
  }

  private createSchema(): void {
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS docs (
        collection TEXT NOT NULL, tenant_id TEXT NOT NULL, id TEXT NOT NULL,
        account_id TEXT, strategy_id TEXT, signal_id TEXT, seq INTEGER NOT NULL, data TEXT NOT NULL,
        UNIQUE (collection, tenant_id, id)
      ); -- a rowid table: documents are too large for WITHOUT ROWID to pay off (measured ~30% faster upserts)
      CREATE INDEX IF NOT EXISTS docs_by_seq ON docs (collection, tenant_id, seq);
      CREATE INDEX IF NOT EXISTS docs_by_account ON docs (collection, tenant_id, account_id, seq) WHERE account_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS docs_by_strategy ON docs (collection, tenant_id, strategy_id, seq) WHERE strategy_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS docs_by_signal ON docs (collection, tenant_id, signal_id, seq) WHERE signal_id IS NOT NULL;
      CREATE TABLE IF NOT EXISTS projection_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS processor_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS processor_collections (collection TEXT PRIMARY KEY, processor TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS log_binding (id INTEGER PRIMARY KEY CHECK (id = 1), log_id TEXT NOT NULL, position INTEGER NOT NULL, hash TEXT NOT NULL);
    `);
  }

  /**
   * The event log these read models were built from, and a position and hash they saw in it
   * (recorded at each start once checked), or undefined for read models made before bindings existed.
   */
  logBinding(): LogBinding | undefined {
    const row = this.db.prepare('SELECT log_id, position, hash FROM log_binding WHERE id = 1').get() as { log_id: string; position: number; hash: string } | undefined;
    return row ? { logId: row.log_id, position: row.position, hash: row.hash } : undefined;
  }

  bindToLog(binding: LogBinding): void {
    this.ownWrites++;
    this.db.prepare(
      'INSERT INTO log_binding (id, log_id, position, hash) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET log_id = excluded.log_id, position = excluded.position, hash = excluded.hash',
    ).run(binding.logId, binding.position, binding.hash);
  }

  /** How many documents there are (0 for fresh read models). */
  documentCount(): number {
    return this.db.prepare('SELECT COUNT(*) FROM docs').pluck().get() as number;
  }

  async checkpoint(): Promise<number> {
    const row = this.readCheckpoint.get() as { position: number } | undefined;
    return row?.position ?? 0;
  }

  async loadAll(): Promise<ReadDoc[]> {
    return (this.db.prepare('SELECT * FROM docs').all() as DocRow[]).map(toDoc);
  }

  async commit(docs: readonly ReadDoc[], checkpoint: number, expected?: number): Promise<void> {
    this.ownWrites++;
    this.db.transaction(() => {
      if (expected !== undefined) {
        const row = this.readCheckpoint.get() as { position: number } | undefined;
        if ((row?.position ?? 0) !== expected) throw new StaleCheckpointError(expected);
      }
      this.writeDocs(docs);
      this.setCheckpoint.run(checkpoint);
    })();
  }

  async processorCheckpoint(processorId: string): Promise<number> {
    const row = this.readProcessorCheckpoint.get(processorId) as { position: number } | undefined;
    return row?.position ?? 0;
  }

  async commitProcessor(processorId: string, docs: readonly ReadDoc[], checkpoint: number, expected: number): Promise<void> {
    this.ownWrites++;
    this.db.transaction(() => {
      const row = this.readProcessorCheckpoint.get(processorId) as { position: number } | undefined;
      if ((row?.position ?? 0) !== expected) throw new StaleCheckpointError(expected);
      this.writeDocs(docs);
      for (const collection of new Set(docs.map((d) => d.collection))) this.claimCollection.run(collection, processorId);
      this.setProcessorCheckpoint.run(processorId, checkpoint);
    })();
  }

  private writeDocs(docs: readonly ReadDoc[]): void {
    for (const d of docs) {
      this.upsert.run({
        collection: d.collection, tenant_id: d.tenantId, id: d.id, account_id: d.accountId ?? null, strategy_id: d.strategyId ?? null,
        signal_id: d.signalId ?? null, seq: d.seq, data: JSON.stringify(d.data),
      });
    }
  }

  async reset(options: { readonly processors?: boolean } = {}): Promise<void> {
    this.ownWrites++;
    this.parsed.clear();
    this.answers.clear();
    this.db.exec(
      options.processors
        ? 'DELETE FROM docs; DELETE FROM projection_checkpoint; DELETE FROM processor_checkpoints; DELETE FROM processor_collections;'
        : 'DELETE FROM docs WHERE collection NOT IN (SELECT collection FROM processor_collections); DELETE FROM projection_checkpoint;',
    );
  }

  async get(collection: string, tenantId: string, id: string): Promise<ReadDoc | undefined> {
    const row = this.getOne.get(collection, tenantId, id) as ReadRow | undefined;
    return row ? this.readDoc(collection, tenantId, row) : undefined;
  }

  async getMany(keys: readonly DocKey[]): Promise<ReadDoc[]> {
    const found: ReadDoc[] = [];
    for (const k of keys) {
      const row = this.getOne.get(k.collection, k.tenantId, k.id) as ReadRow | undefined;
      if (row) found.push(this.readDoc(k.collection, k.tenantId, row));
    }
    return found;
  }

  /** A read row as a document; its data parsed once per stored text (shared and frozen: see ParsedDocs). */
  private readDoc(collection: string, tenantId: string, row: ReadRow): ReadDoc {
    const [id, accountId, strategyId, signalId, seq, text] = row;
    const doc: { -readonly [K in keyof ReadDoc]: ReadDoc[K] } = { collection, id, tenantId, seq, data: this.parsed.parse(`${collection}\u0000${tenantId}\u0000${id}`, text) };
    if (accountId !== null) doc.accountId = accountId;
    if (strategyId !== null) doc.strategyId = strategyId;
    if (signalId !== null) doc.signalId = signalId;
    return Object.freeze(doc); // shared by kept list answers
  }

  async list(q: DocQuery): Promise<ReadDoc[]> {
    const where = ['collection = @collection', 'tenant_id = @tenantId'];
    if (q.accountId !== undefined) where.push('account_id = @accountId');
    if (q.strategyId !== undefined) where.push('strategy_id = @strategyId');
    if (q.signalId !== undefined) where.push('signal_id = @signalId');
    if (q.before !== undefined) where.push('seq < @before');
    const sql = `SELECT ${READ_COLUMNS} FROM docs WHERE ${where.join(' AND ')} ORDER BY seq DESC, id DESC LIMIT @limit`;
    const params: Record<string, string | number> = { collection: q.collection, tenantId: q.tenantId, limit: q.limit };
    if (q.accountId !== undefined) params.accountId = q.accountId;
    if (q.strategyId !== undefined) params.strategyId = q.strategyId;
    if (q.signalId !== undefined) params.signalId = q.signalId;
    if (q.before !== undefined) params.before = q.before;
    if (q.before !== undefined) return this.readList(sql, params, q);
    // first pages (no `before`) are what clients poll: kept until the file changes
    const query = `${sql}\u0000${JSON.stringify(params)}`;
    const now = this.generation();
    let docs = this.answers.get(query, now);
    if (docs === undefined) {
      docs = this.readList(sql, params, q);
      this.answers.set(query, now, docs);
    }
    return [...docs]; // the caller's own array: the kept one is shared
  }

  private readList(sql: string, params: Record<string, string | number>, q: DocQuery): ReadDoc[] {
    let statement = this.listStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql).raw();
      this.listStatements.set(sql, statement);
    }
    return (statement.all(params) as ReadRow[]).map((row) => this.readDoc(q.collection, q.tenantId, row));
  }

  /** Where the file is: a commit by any connection, this one included, moves it. */
  private generation(): FileGeneration {
    return { others: this.dataVersion.get() as number, own: this.ownWrites };
  }

  async close(): Promise<void> {
    this.parsed.clear();
    this.answers.clear();
    this.db.close();
  }
}
