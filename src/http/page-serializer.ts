import { isDeeplyFrozen } from '../application/shared/deep-freeze.js';

type Serialize = (doc: unknown) => string;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The item schema of a response shaped like a page (an object whose first property is `items`, an
 * array of objects), or undefined for any other response.
 */
export function pageItemSchema(schema: unknown): Record<string, unknown> | undefined {
  if (!isObject(schema) || schema.type !== 'object' || !isObject(schema.properties)) return undefined;
  const [first] = Object.keys(schema.properties);
  const items = schema.properties.items;
  if (first !== 'items' || !isObject(items) || items.type !== 'array' || !isObject(items.items) || items.items.type !== 'object') return undefined;
  return items.items;
}

const OPENING = '{"items":[]';

/**
 * A page's serialiser that keeps each item's JSON beside the item (issue 18, REST reads: serialising
 * a page of 100 orders again for every request was a quarter of a read's CPU). Only items known to
 * be immutable (deep-frozen read-model documents, see ParsedDocs) are kept, per item object, for as
 * long as the object lives; any other item is serialised every time.
 *
 * The answer is byte for byte what `whole` gives: the page without its items is serialised by
 * `whole` (its first property is `items`, so it opens with `{"items":[]`), and each item by `item`,
 * compiled by the same compiler from the page's own item schema; fast-json-stringify writes an
 * array as its items' JSON joined by commas. Anything unexpected goes to `whole`.
 */
export function pageSerializer(whole: Serialize, item: Serialize): Serialize {
  const kept = new WeakMap<object, string>();
  return (doc) => {
    if (!isObject(doc) || !Array.isArray(doc.items) || doc.items.length === 0) return whole(doc);
    const items: unknown[] = doc.items;
    if (!items.every(isObject)) return whole(doc);
    const rest = whole({ ...doc, items: [] });
    if (!rest.startsWith(OPENING)) return whole(doc);
    const parts: string[] = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as Record<string, unknown>;
      if (!isDeeplyFrozen(it)) {
        parts[i] = item(it);
        continue;
      }
      let json = kept.get(it);
      if (json === undefined) {
        json = item(it);
        kept.set(it, json);
      }
      parts[i] = json;
    }
    return `{"items":[${parts.join(',')}]${rest.slice(OPENING.length)}`;
  };
}
