import type { ReadDoc } from '../../application/ports/projection-store.js';

/** What the read models' file looked like: SQLite's data_version (commits by any other connection) and this connection's own writes. */
export interface FileGeneration {
  readonly others: number;
  readonly own: number;
}

/**
 * Answers of list queries, kept while the read models' file has not changed (issue 18, REST reads).
 *
 * A dashboard or API client asks for the same first page again and again, while the read models
 * change at most once per processor pass. An answer is reused only at the very generation it was
 * read at: any commit (this connection's own, counted by the store, or another connection's, which
 * SQLite's `PRAGMA data_version` reports, another node on the same data directory included) drops
 * every kept answer. Bounded by the number of documents the answers hold.
 */
export class ListAnswers {
  private readonly byQuery = new Map<string, readonly ReadDoc[]>();
  private held = 0;
  private at: FileGeneration | undefined;

  constructor(private readonly maxDocs = 2000) {}

  /** The answer kept for `query` at this generation, if any. */
  get(query: string, now: FileGeneration): readonly ReadDoc[] | undefined {
    if (!this.sameGeneration(now)) return undefined;
    return this.byQuery.get(query);
  }

  /** Keeps an answer read at `now` (dropping every answer of an older generation). */
  set(query: string, now: FileGeneration, docs: readonly ReadDoc[]): void {
    if (!this.sameGeneration(now)) {
      this.clear();
      this.at = now;
    }
    if (docs.length > this.maxDocs) return;
    const known = this.byQuery.get(query);
    if (known !== undefined) {
      this.byQuery.delete(query);
      this.held -= known.length;
    }
    this.byQuery.set(query, docs);
    this.held += docs.length;
    for (const [oldest, answer] of this.byQuery) {
      if (this.held <= this.maxDocs) break;
      this.byQuery.delete(oldest);
      this.held -= answer.length;
    }
  }

  /** How many answers are kept (for tests). */
  get size(): number {
    return this.byQuery.size;
  }

  clear(): void {
    this.byQuery.clear();
    this.held = 0;
    this.at = undefined;
  }

  private sameGeneration(now: FileGeneration): boolean {
    return this.at !== undefined && this.at.others === now.others && this.at.own === now.own;
  }
}
