/**
 * Deterministic JSON ("canonical JSON") for hashing the event log.
 *
 * Rules (shared by every event store backend, so hashes are portable):
 * - object keys are sorted recursively by UTF-16 code unit order (JavaScript's default sort);
 * - no whitespace; strings and numbers are written exactly as JSON.stringify writes them;
 * - object properties whose value is undefined, a function or a symbol are omitted, and the same
 *   values inside arrays become null (as JSON.stringify does);
 * - objects with a toJSON method (e.g. Date) are serialised through it;
 * - non-finite numbers and bigints are rejected with a TypeError instead of being silently
 *   turned into null: an event must round-trip exactly.
 */

export function canonicalJson(value: unknown): string {
  const out = write(value, '');
  if (out === undefined) {
    throw new TypeError('canonicalJson: the top-level value is not JSON-serialisable');
  }
  return out;
}

function write(value: unknown, key: string): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError(`canonicalJson: non-finite number at ${describe(key)}`);
      }
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError(`canonicalJson: bigint at ${describe(key)} (use a decimal string)`);
    case 'object':
      return writeObject(value, key);
    default:
      // undefined, function, symbol
      return undefined;
  }
}

function writeObject(value: object, key: string): string | undefined {
  const withToJson = value as { toJSON?: (key: string) => unknown };
  if (typeof withToJson.toJSON === 'function') {
    return write(withToJson.toJSON(key), key);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += write(value[i], String(i)) ?? 'null';
    }
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = write(record[k], k);
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(k) + ':' + v;
  }
  return out + '}';
}

function describe(key: string): string {
  return key === '' ? 'top level' : `key ${JSON.stringify(key)}`;
}
