import { ParsedDocs } from '../parsed-docs.js';
import { inTransaction } from '../../postgres/transaction.js';
import { StaleCheckpointError, type DocKey, type DocQuery, type ProjectionStore, type ReadDoc } from '../../../application/ports/projection-store.js';
import { runMigrations } from '../../postgres/migrations.js';
import type { PgPool } from '../../postgres/pool.js';
import { READ_MODEL_MIGRATIONS } from './schema.js';

export interface PostgresProjectionStoreOptions {
  readonly pool: PgPool;
  /** the projection's name: its checkpoint row (default 'read-models') */
  readonly name?: string;
  /** documents per upsert statement (default 10,000); a larger commit is several statements in one transaction */
  readonly maxDocsPerStatement?: number;
}

interface DocRow {
  collection: string;
  tenant_id: string;
  id: string;
  account_id: string | null;
  strategy_id: string | null;
  signal_id: string | null;
  seq: number;
  data: Record<string, unknown>;
}

const COLUMNS = 'collection, tenant_id, id, account_id, strategy_id, signal_id, seq, data';
/** reads take the document as text, parsed by ParsedDocs (once per stored text: see parsed-docs.ts) */
const READ_COLUMNS = 'collection, tenant_id, id, account_id, strategy_id, signal_id, seq, data::text AS data';
type ReadRow = Omit<DocRow, 'data'> & { data: string };

const toDoc = (r: DocRow): ReadDoc => ({
  collection: r.collection,
  id: r.id,
  tenantId: r.tenant_id,
  ...(r.account_id !== null ? { accountId: r.account_id } : {}),
  ...(r.strategy_id !== null ? { strategyId: r.strategy_id } : {}),
  ...(r.signal_id !== null ? { signalId: r.signal_id } : {}),
  seq: r.seq,
  data: r.data,
});

/**
 * The documents travel as ONE json parameter, an array of positional arrays
 * [collection, tenant, id, account, strategy, signal, seq, data], parsed once as jsonb and
 * unpacked on the server by jsonb_array_elements: a single JSON.stringify on the client, no
 * per-row parameters, no array-literal escaping, one statement whatever the number of
 * documents. (Measured on 10,000 documents: faster than json_array_elements, json_to_recordset,
 * jsonb_to_recordset and unnest of eight arrays.)
 */
/** The upsert of the documents in $1, kept to the rows of `guard` (a WHERE clause) when given. */
const upsertDocs = (guard = '') => `
  INSERT INTO read_docs (${COLUMNS})
  SELECT e->>0, e->>1, e->>2, e->>3, e->>4, e->>5, (e->>6)::bigint, e->7 FROM (SELECT jsonb_array_elements($1::jsonb) AS e) AS rows
  ${guard}
  ON CONFLICT (collection, tenant_id, id) DO UPDATE SET account_id = EXCLUDED.account_id, strategy_id = EXCLUDED.strategy_id,
    signal_id = EXCLUDED.signal_id, seq = EXCLUDED.seq, data = EXCLUDED.data`;
const UPSERT_DOCS = upsertDocs();

const UPSERT_CHECKPOINT = `
  INSERT INTO projection_checkpoint (name, position) VALUES ($1, $2)
  ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position`;

/*
 * Read-model commits keep synchronous_commit on. Relaxing it looked safe (the read models are
 * rebuildable) but is not: the database can crash on its own while PATRIOT runs, and a commit it
 * had acknowledged and then lost would leave the running projection's checkpoint ahead of the
 * stored one, with those events never projected (found by the database-outage test).
 */

/** Documents and checkpoint in one statement: data-modifying CTEs commit (or fail) together. */
const COMMIT_ONE_STATEMENT = `
  WITH docs AS (${UPSERT_DOCS}),
  cp AS (INSERT INTO projection_checkpoint (name, position) VALUES ($2, $3) ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position)
  SELECT 1`;

/**
 * CTEs `moved` and `created`: the checkpoint `name` goes from `from` to `to` only if it is still
 * `from` (a missing row counts as 0). Under READ COMMITTED a concurrent committed move makes the
 * UPDATE's re-check fail, and a concurrent first insert makes ours do nothing: never two winners.
 */
const moveCheckpoint = (name: string, to: string, from: string) => `
  moved AS (UPDATE projection_checkpoint SET position = ${to} WHERE name = ${name} AND position = ${from} RETURNING 1),
  created AS (
    INSERT INTO projection_checkpoint (name, position) SELECT ${name}, ${to}
    WHERE ${from}::bigint = 0 AND NOT EXISTS (SELECT 1 FROM projection_checkpoint WHERE name = ${name})
    ON CONFLICT (name) DO NOTHING RETURNING 1),
  ok AS (SELECT 1 FROM moved UNION ALL SELECT 1 FROM created)`;

/** Moves the checkpoint $1 from $3 to $2 if it is still $3; one row back means it moved. */
const MOVE_CHECKPOINT = `WITH ${moveCheckpoint('$1', '$2', '$3')} SELECT count(*) AS n FROM ok`;

/** The conditional commit in one statement: the documents are written only if the checkpoint moved. */
const COMMIT_ONE_STATEMENT_IF = `
  WITH ${moveCheckpoint('$2', '$3', '$4')},
  docs AS (${upsertDocs('WHERE EXISTS (SELECT 1 FROM ok)')})
  SELECT count(*) AS n FROM ok`;

/**
 * PostgreSQL implementation of the ProjectionStore port (tables read_docs and
 * projection_checkpoint, created by READ_MODEL_MIGRATIONS when the store opens).
 *
 *   const store = await PostgresProjectionStore.open({ pool });
 *
 * commit() is one round trip for up to `maxDocsPerStatement` documents (a single statement
 * upserting every document and the checkpoint); larger commits are BEGIN, one statement per
 * chunk, COMMIT. getMany() is one query whatever the number of keys. The pool is shared, not
 * owned: close() never ends it.
 *
 * Several nodes: only the leader projects (application/workflows/lease-keeper). A commit names
 * the checkpoint it continues from and happens only if the stored one is still that
 * (compare-and-set in the same statement), so a node that lost the lead without noticing yet
 * cannot overwrite newer documents with older ones: its commit fails with StaleCheckpointError.
 */
export class PostgresProjectionStore implements ProjectionStore {
  /** Runs the read-model migrations (idempotent, safe when several nodes start at once) and opens the store. */
  static async open(options: PostgresProjectionStoreOptions): Promise<PostgresProjectionStore> {
    await runMigrations(options.pool, READ_MODEL_MIGRATIONS);
    return new PostgresProjectionStore(options);
  }

  readonly name: string;
  private readonly pool: PgPool;
  /** documents read before, parsed: reused while their stored text is the same */
  private readonly parsed = new ParsedDocs();
  private readonly maxDocsPerStatement: number;
  private closed = false;

  private constructor(options: PostgresProjectionStoreOptions) {
    this.pool = options.pool;
    this.name = options.name ?? 'read-models';
    this.maxDocsPerStatement = Math.max(1, options.maxDocsPerStatement ?? 10_000);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('projection store is closed');
  }

  async checkpoint(): Promise<number> {
    this.assertOpen();
    const r = await this.pool.query<{ position: number }>('SELECT position FROM projection_checkpoint WHERE name = $1', [this.name]);
    return r.rows[0]?.position ?? 0;
  }

  async loadAll(): Promise<ReadDoc[]> {
    this.assertOpen();
    return (await this.pool.query<DocRow>(`SELECT ${COLUMNS} FROM read_docs`)).rows.map(toDoc);
  }

  commit(docs: readonly ReadDoc[], checkpoint: number, expected?: number): Promise<void> {
    return this.commitAs(this.name, docs, checkpoint, expected);
  }

  /** Processors' checkpoints are rows of the same table, named by the processor's id. */
  async processorCheckpoint(processorId: string): Promise<number> {
    this.assertOpen();
    const r = await this.pool.query<{ position: number }>('SELECT position FROM projection_checkpoint WHERE name = $1', [processorCheckpointName(processorId)]);
    return r.rows[0]?.position ?? 0;
  }

  async commitProcessor(processorId: string, docs: readonly ReadDoc[], checkpoint: number, expected: number): Promise<void> {
    // the collections it writes are its own (a rebuild of the read models leaves them); recorded before, harmless if the commit then fails
    const collections = [...new Set(docs.map((d) => d.collection))];
    if (collections.length > 0) {
      await this.pool.query('INSERT INTO processor_collections (collection, processor) SELECT c, $2 FROM unnest($1::text[]) AS c ON CONFLICT (collection) DO NOTHING', [collections, processorId]);
    }
    await this.commitAs(processorCheckpointName(processorId), docs, checkpoint, expected);
  }

  private async commitAs(name: string, docs: readonly ReadDoc[], checkpoint: number, expected?: number): Promise<void> {
    this.assertOpen();
    if (!Number.isSafeInteger(checkpoint) || checkpoint < 0) throw new RangeError(`invalid checkpoint ${checkpoint}`);
    // The same key twice in one statement is refused by ON CONFLICT DO UPDATE: the last one wins, as with sequential upserts.
    const byKey = new Map<string, ReadDoc>();
    for (const d of docs) byKey.set(`${d.collection}\u0000${d.tenantId}\u0000${d.id}`, d);
    const unique = [...byKey.values()];
    const chunks: string[] = [];
    for (let i = 0; i < unique.length; i += this.maxDocsPerStatement) chunks.push(encodeDocs(unique.slice(i, i + this.maxDocsPerStatement)));
    if (chunks.length <= 1 && expected === undefined) {
      await this.pool.query(COMMIT_ONE_STATEMENT, [chunks[0] ?? '[]', name, checkpoint]);
      return;
    }
    if (chunks.length <= 1) {
      const r = await this.pool.query<{ n: string }>(COMMIT_ONE_STATEMENT_IF, [chunks[0] ?? '[]', name, checkpoint, expected]);
      if (Number(r.rows[0]?.n ?? 0) === 0) throw new StaleCheckpointError(expected!);
      return;
    }
    await inTransaction(this.pool, async (client) => {
      if (expected !== undefined) {
        // first, so a stale projector writes nothing (the moved row stays locked until COMMIT)
        const r = await client.query<{ n: string }>(MOVE_CHECKPOINT, [name, checkpoint, expected]);
        if (Number(r.rows[0]?.n ?? 0) === 0) throw new StaleCheckpointError(expected);
      }
      for (const chunk of chunks) await client.query(UPSERT_DOCS, [chunk]);
      if (expected === undefined) await client.query(UPSERT_CHECKPOINT, [name, checkpoint]);
    });
  }

  async reset(options: { readonly processors?: boolean } = {}): Promise<void> {
    this.assertOpen();
    await inTransaction(this.pool, async (client) => {
      if (options.processors) {
        await client.query('TRUNCATE read_docs');
        await client.query('DELETE FROM projection_checkpoint WHERE name = $1 OR name LIKE $2', [this.name, processorCheckpointName('%')]);
        await client.query('DELETE FROM processor_collections');
      } else {
        const kept = await client.query<{ n: string }>('SELECT count(*) AS n FROM processor_collections');
        if (Number(kept.rows[0]?.n ?? 0) === 0) await client.query('TRUNCATE read_docs');
        else await client.query('DELETE FROM read_docs WHERE collection NOT IN (SELECT collection FROM processor_collections)');
        await client.query('DELETE FROM projection_checkpoint WHERE name = $1', [this.name]);
      }
    });
  }

  /** A read row as a document, its data parsed once per stored text (shared and deep-frozen). */
  private readDoc(r: ReadRow): ReadDoc {
    return toDoc({ ...r, data: this.parsed.parse(`${r.collection}\u0000${r.tenant_id}\u0000${r.id}`, r.data) });
  }

  async get(collection: string, tenantId: string, id: string): Promise<ReadDoc | undefined> {
    this.assertOpen();
    const r = await this.pool.query<ReadRow>(`SELECT ${READ_COLUMNS} FROM read_docs WHERE collection = $1 AND tenant_id = $2 AND id = $3`, [
      collection,
      tenantId,
      id,
    ]);
    const row = r.rows[0];
    return row ? this.readDoc(row) : undefined;
  }

  async getMany(keys: readonly DocKey[]): Promise<ReadDoc[]> {
    this.assertOpen();
    if (keys.length === 0) return [];
    const r = await this.pool.query<ReadRow>(
      `SELECT ${READ_COLUMNS} FROM read_docs
       WHERE (collection, tenant_id, id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`,
      [keys.map((k) => k.collection), keys.map((k) => k.tenantId), keys.map((k) => k.id)],
    );
    return r.rows.map((row) => this.readDoc(row));
  }

  async list(q: DocQuery): Promise<ReadDoc[]> {
    this.assertOpen();
    const params: (string | number)[] = [q.collection, q.tenantId];
    const where = ['collection = $1', 'tenant_id = $2'];
    const add = (column: string, value: string | number, op = '='): void => {
      params.push(value);
      where.push(`${column} ${op} $${params.length}`);
    };
    if (q.accountId !== undefined) add('account_id', q.accountId);
    if (q.strategyId !== undefined) add('strategy_id', q.strategyId);
    if (q.signalId !== undefined) add('signal_id', q.signalId);
    if (q.before !== undefined) add('seq', q.before, '<');
    params.push(q.limit);
    const sql = `SELECT ${READ_COLUMNS} FROM read_docs WHERE ${where.join(' AND ')} ORDER BY seq DESC, id DESC LIMIT $${params.length}`;
    return (await this.pool.query<ReadRow>(sql, params)).rows.map((row) => this.readDoc(row));
  }

  /** The shared pool stays open. */
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A processor's checkpoint row: apart from the read models' own (whatever their name). */
function processorCheckpointName(processorId: string): string {
  return `processor:${processorId}`;
}

function encodeDocs(docs: readonly ReadDoc[]): string {
  return JSON.stringify(docs.map((d) => [d.collection, d.tenantId, d.id, d.accountId ?? null, d.strategyId ?? null, d.signalId ?? null, d.seq, d.data]));
}
