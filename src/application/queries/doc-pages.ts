import type { DocQuery, ProjectionStore, ReadDoc } from '../ports/projection-store.js';

/** Documents per page read from the store while walking a collection. */
export const WALK_PAGE = 500;

/**
 * Every document of a collection of one tenant (narrowed by account / strategy), newest first, one
 * page at a time: at most one page is held while the caller consumes it.
 */
export async function* walkDocs(docs: Pick<ProjectionStore, 'list'>, query: Omit<DocQuery, 'limit' | 'before'>, pageSize = WALK_PAGE): AsyncGenerator<ReadDoc[]> {
  let before: number | undefined;
  for (;;) {
    const page = await docs.list({ ...query, limit: pageSize, ...(before !== undefined ? { before } : {}) });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    before = page[page.length - 1]!.seq;
  }
}
