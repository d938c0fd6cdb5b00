import { deepFreeze } from '../../application/shared/deep-freeze.js';

/**
 * Parsed read-model documents, kept while their stored text is unchanged (issue 18, REST reads).
 *
 * A page of orders is 100 documents of ~0.5 KB each; parsing them again for every request was about
 * half of the request's CPU. A read still fetches each document's text from the store, and reuses
 * the earlier parse only when that text is exactly the one parsed before, so nothing can be served
 * stale: whichever connection or node rewrote a document, its text differs. The parsed objects are
 * shared between requests, so they are deeply frozen: a caller that tried to change one would fail
 * loudly instead of changing what the next request sees.
 *
 * Bounded: the oldest entries go first once `max` is passed.
 */
export class ParsedDocs {
  private readonly byKey = new Map<string, { readonly text: string; readonly data: Record<string, unknown> }>();

  constructor(private readonly max = 2000) {}

  /** The document parsed from `text`, reused when `key`'s last parse was of the same text. */
  parse(key: string, text: string): Record<string, unknown> {
    const known = this.byKey.get(key);
    if (known !== undefined) {
      if (known.text === text) return known.data;
      this.byKey.delete(key);
    }
    const data = deepFreeze(JSON.parse(text) as Record<string, unknown>);
    if (this.max <= 0) return data;
    this.byKey.set(key, { text, data });
    if (this.byKey.size > this.max) this.byKey.delete(this.byKey.keys().next().value as string);
    return data;
  }

  /** How many parses are kept (for tests). */
  get size(): number {
    return this.byKey.size;
  }

  clear(): void {
    this.byKey.clear();
  }
}
