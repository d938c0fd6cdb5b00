/**
 * Raw alert body -> AlertEnvelope: format detection, secret and idempotency-id extraction,
 * and a flat, lower-cased field map. Pure: the body is parsed whatever the Content-Type said
 * (TradingView sends application/json only when the message happens to be valid JSON).
 *
 * Accepted shapes:
 *   - JSON object (our native format, 3Commas Signal Bot JSON, any flat alias JSON).
 *     Nested objects are flattened with dots: {"order":{"amount":"1"}} -> fields["order.amount"].
 *     Numbers keep their exact source text (no binary-float round trip).
 *   - OctoBot-style text: KEY=VALUE pairs separated by newlines or ';'.
 *   - PineConnector-style line: `secret,command,SYMBOL[,key=value...]`.
 *
 * Security: the secret is removed from `fields`, and no error message ever quotes body content.
 */
import { err, ok, type DomainError, type Result } from '../shared/result.js';

export type AlertFormat = 'patriot-json' | '3commas-json' | 'octobot-kv' | 'pineconnector';

export interface AlertEnvelope {
  readonly format: AlertFormat;
  /** the shared secret the sender put in the body, if any (never stored, never logged) */
  readonly secret?: string;
  /** an explicit idempotency id the sender chose, if any */
  readonly explicitId?: string;
  /** lower-cased, flattened field names -> raw text values (JSON null -> undefined); never holds the secret */
  readonly fields: Readonly<Record<string, string | undefined>>;
}

/** Bounds that keep a hostile body cheap to reject. */
export const ALERT_LIMITS = {
  /** characters of body text */
  maxBodyLength: 64 * 1024,
  /** JSON nesting depth (objects and arrays); the top-level object is depth 1 */
  maxDepth: 8,
  /** number of leaf fields after flattening / key=value pairs */
  maxFields: 256,
  /** length of one (flattened) field name */
  maxKeyLength: 128,
} as const;

/** At most this many fields of a refused alert are kept to show what was received, each cut to RECEIVED_VALUE_MAX. */
export const RECEIVED_FIELDS_MAX = 12;
export const RECEIVED_VALUE_MAX = 80;
/** Field names that may hold a credential: never kept, whatever their nesting. */
const SENSITIVE_NAME = /secret|pass|token|key|signature|auth|credential/i;

/**
 * What a refused alert carried, to show the trader (issue 20): its first fields in order, values
 * cut short, and none whose name may hold a credential (the secret is never among the fields).
 */
export function receivedSummary(fields: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [name, value] of Object.entries(fields)) {
    if (n >= RECEIVED_FIELDS_MAX) break;
    if (value === undefined || SENSITIVE_NAME.test(name)) continue;
    out[name.slice(0, 40)] = value.length > RECEIVED_VALUE_MAX ? `${value.slice(0, RECEIVED_VALUE_MAX - 1)}…` : value;
    n++;
  }
  return out;
}

/** Top-level keys holding the secret, in priority order. */
const SECRET_KEYS = ['secret', 'passphrase', 'token'] as const;
/** Top-level keys holding an explicit idempotency id, in priority order. */
const ID_KEYS = ['id', 'alert_id', 'signal_id', 'idempotency_key'] as const;

const malformed = (message: string): DomainError => ({ code: 'MALFORMED_BODY', message });

export function readAlertEnvelope(body: string): Result<AlertEnvelope, DomainError> {
  if (body.length > ALERT_LIMITS.maxBodyLength) {
    return err({ code: 'BODY_TOO_LARGE', message: `Alert body is ${body.length} characters; the limit is ${ALERT_LIMITS.maxBodyLength}.` });
  }
  const text = (body.charCodeAt(0) === 0xfeff ? body.slice(1) : body).trim();
  if (text.length === 0) return err(malformed('Alert body is empty: put the alert message (JSON or KEY=VALUE lines) in the TradingView "Message" box.'));

  const first = text[0];
  if (first === '{' || first === '[') return readJsonEnvelope(text);
  return readTextEnvelope(text);
}

// ---------------------------------------------------------------------------------------------
// JSON

function readJsonEnvelope(text: string): Result<AlertEnvelope, DomainError> {
  const parsed = fastParseJson(text) ?? parseJson(text);
  if (!parsed.ok) return parsed;
  const root = parsed.value;
  if (root.kind !== 'object') {
    return err(malformed('Alert body is JSON but not an object: send {"action": ..., "ticker": ...}.'));
  }

  const collected = new Map<string, string | undefined>();
  const flat = flatten(root, '', collected);
  if (!flat.ok) return flat;

  const topLevel = new Map<string, JsonValue>();
  for (const [key, value] of root.entries) topLevel.set(key.trim().toLowerCase(), value);

  let secret: string | undefined;
  for (const key of SECRET_KEYS) {
    const value = topLevel.get(key);
    if (value === undefined) continue;
    // Every secret-looking key is removed from the fields, even the ones not chosen.
    collected.delete(key);
    const scalar = scalarText(value);
    if (secret === undefined && scalar !== undefined && scalar.length > 0) secret = scalar;
  }
  let explicitId: string | undefined;
  for (const key of ID_KEYS) {
    const scalar = scalarText(topLevel.get(key));
    if (scalar !== undefined && scalar.trim().length > 0) {
      explicitId = scalar.trim();
      break;
    }
  }

  const fields = toRecord(collected);
  const format: AlertFormat = is3Commas(fields) ? '3commas-json' : 'patriot-json';
  return ok(envelope(format, secret, explicitId, fields));
}

function is3Commas(fields: Readonly<Record<string, string | undefined>>): boolean {
  return 'bot_uuid' in fields || 'tv_instrument' in fields || 'order.currency_type' in fields || 'order.amount' in fields;
}

function scalarText(value: JsonValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  switch (value.kind) {
    case 'string':
    case 'number':
      return value.text;
    case 'boolean':
      return value.value ? 'true' : 'false';
    default:
      return undefined;
  }
}

function flatten(value: JsonValue, prefix: string, out: Map<string, string | undefined>): Result<void, DomainError> {
  if (value.kind === 'object' || value.kind === 'array') {
    const entries: readonly (readonly [string, JsonValue])[] =
      value.kind === 'object' ? value.entries : value.items.map((item, index) => [String(index), item] as const);
    for (const [rawKey, child] of entries) {
      const key = rawKey.trim().toLowerCase();
      const path = prefix.length === 0 ? key : `${prefix}.${key}`;
      if (path.length > ALERT_LIMITS.maxKeyLength) {
        return err(malformed(`A field name is longer than ${ALERT_LIMITS.maxKeyLength} characters.`));
      }
      const result = flatten(child, path, out);
      if (!result.ok) return result;
    }
    return ok(undefined);
  }
  if (prefix.length === 0) return err(malformed('A JSON field has an empty name.'));
  out.delete(prefix); // last occurrence wins, and keeps its position last
  out.set(prefix, value.kind === 'null' ? undefined : (scalarText(value) ?? ''));
  if (out.size > ALERT_LIMITS.maxFields) return err(tooManyFields());
  return ok(undefined);
}

const tooManyFields = (): DomainError => ({
  code: 'TOO_MANY_FIELDS',
  message: `Alert body has more than ${ALERT_LIMITS.maxFields} fields.`,
});

// A small strict JSON parser: bounded depth and size, numbers kept as source text.

type JsonValue =
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, JsonValue])[] }
  | { readonly kind: 'array'; readonly items: readonly JsonValue[] }
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' };

class JsonFailure {
  constructor(readonly error: DomainError) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The common case, fast: the platform's JSON.parse, used only when its result is exact — no
 * JSON numbers (a number would lose its source digits), nesting and field count within the
 * limits. Anything else (invalid JSON included, for its precise error) goes to `parseJson`.
 */
function fastParseJson(text: string): Result<JsonValue, DomainError> | undefined {
  let native: unknown;
  try {
    native = JSON.parse(text);
  } catch {
    return undefined;
  }
  let leaves = 0;
  const convert = (value: unknown, depth: number): JsonValue | undefined => {
    switch (typeof value) {
      case 'string':
        leaves++;
        return { kind: 'string', text: value };
      case 'boolean':
        leaves++;
        return { kind: 'boolean', value };
      case 'object': {
        if (value === null) {
          leaves++;
          return { kind: 'null' };
        }
        if (depth >= ALERT_LIMITS.maxDepth) return undefined;
        if (Array.isArray(value)) {
          const items: JsonValue[] = [];
          for (const item of value) {
            const converted = convert(item, depth + 1);
            if (converted === undefined) return undefined;
            items.push(converted);
          }
          return { kind: 'array', items };
        }
        const entries: (readonly [string, JsonValue])[] = [];
        for (const key of Object.keys(value)) {
          const converted = convert((value as Record<string, unknown>)[key], depth + 1);
          if (converted === undefined) return undefined;
          entries.push([key, converted]);
        }
        return { kind: 'object', entries };
      }
      default:
        return undefined; // a number: keep its exact text via the full parser
    }
  };
  const root = convert(native, 0);
  return root === undefined || leaves > ALERT_LIMITS.maxFields ? undefined : ok(root);
}

function parseJson(text: string): Result<JsonValue, DomainError> {
  let pos = 0;
  let leaves = 0;

  const fail = (what: string): never => {
    // Position only: the body may hold the secret, so never quote it.
    throw new JsonFailure(malformed(`Alert body is not valid JSON (${what} at character ${pos + 1}). Check quotes, commas and braces.`));
  };
  const skipWs = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };
  const countLeaf = (): void => {
    if (++leaves > ALERT_LIMITS.maxFields) throw new JsonFailure(tooManyFields());
  };

  const parseString = (): string => {
    pos++; // opening quote
    let out = '';
    let start = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(start, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        out += text.slice(start, pos);
        const e = text[pos + 1];
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = text.slice(pos + 2, pos + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
            out += String.fromCharCode(parseInt(hex, 16));
            pos += 4;
            break;
          }
          default:
            fail('bad escape');
        }
        pos += 2;
        start = pos;
        continue;
      }
      pos++;
    }
  };

  const parseValue = (depth: number): JsonValue => {
    skipWs();
    const c = text[pos];
    if (c === '{' || c === '[') {
      if (depth + 1 > ALERT_LIMITS.maxDepth) {
        throw new JsonFailure({ code: 'BODY_TOO_DEEP', message: `Alert JSON is nested deeper than ${ALERT_LIMITS.maxDepth} levels.` });
      }
      return c === '{' ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === '"') {
      countLeaf();
      return { kind: 'string', text: parseString() };
    }
    if (text.startsWith('true', pos)) {
      pos += 4;
      countLeaf();
      return { kind: 'boolean', value: true };
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      countLeaf();
      return { kind: 'boolean', value: false };
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      countLeaf();
      return { kind: 'null' };
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m !== null) {
      pos += m[0].length;
      countLeaf();
      return { kind: 'number', text: m[0] };
    }
    return fail(pos >= text.length ? 'unexpected end' : 'unexpected character');
  };

  const parseObject = (depth: number): JsonValue => {
    pos++;
    const entries: (readonly [string, JsonValue])[] = [];
    skipWs();
    if (text[pos] === '}') {
      pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      skipWs();
      if (text[pos] !== '"') fail('expected a quoted field name');
      const key = parseString();
      skipWs();
      if (text[pos] !== ':') fail("expected ':'");
      pos++;
      entries.push([key, parseValue(depth)]);
      skipWs();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', entries };
      }
      fail("expected ',' or '}'");
    }
  };

  const parseArray = (depth: number): JsonValue => {
    pos++;
    const items: JsonValue[] = [];
    skipWs();
    if (text[pos] === ']') {
      pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(parseValue(depth));
      skipWs();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return { kind: 'array', items };
      }
      fail("expected ',' or ']'");
    }
  };

  try {
    const value = parseValue(0);
    skipWs();
    if (pos < text.length) fail('unexpected text after the JSON value');
    return ok(value);
  } catch (e) {
    if (e instanceof JsonFailure) return err(e.error);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Text formats

const KV_KEY = /^[A-Za-z_][A-Za-z0-9_.]*$/;

function readTextEnvelope(text: string): Result<AlertEnvelope, DomainError> {
  const lines = text.split(/\r?\n|\r/).map((l) => l.trim()).filter((l) => l.length > 0);
  const firstLine = lines[0] ?? '';
  // PineConnector: `secret,command,SYMBOL[,k=v...]` on one line; its first two parts hold no '='.
  const commaParts = firstLine.split(',').map((p) => p.trim());
  if (lines.length === 1 && commaParts.length >= 3 && !commaParts[0]!.includes('=') && !commaParts[1]!.includes('=')) {
    return readPineConnector(commaParts);
  }
  return readKeyValue(text);
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}

function readKeyValue(text: string): Result<AlertEnvelope, DomainError> {
  const segments = text.split(/\r?\n|\r|;/).map((s) => s.trim()).filter((s) => s.length > 0);
  const collected = new Map<string, string | undefined>();
  for (const [index, segment] of segments.entries()) {
    const eq = segment.indexOf('=');
    const key = eq > 0 ? segment.slice(0, eq).trim() : '';
    if (!KV_KEY.test(key) || key.length > ALERT_LIMITS.maxKeyLength) {
      return err(
        malformed(
          `Alert body is neither JSON nor KEY=VALUE text (part ${index + 1} is not KEY=VALUE). ` +
            'Send a JSON object, KEY=VALUE lines (e.g. SYMBOL=BTCUSDT;SIGNAL=BUY), or secret,buy,SYMBOL.',
        ),
      );
    }
    const lower = key.toLowerCase();
    collected.delete(lower);
    collected.set(lower, unquote(segment.slice(eq + 1)));
    if (collected.size > ALERT_LIMITS.maxFields) return err(tooManyFields());
  }
  let secret: string | undefined;
  for (const key of SECRET_KEYS) {
    const value = collected.get(key);
    if (!collected.has(key)) continue;
    collected.delete(key);
    if (secret === undefined && value !== undefined && value.length > 0) secret = value;
  }
  const explicitId = firstPresent(collected, ID_KEYS);
  return ok(envelope('octobot-kv', secret, explicitId, toRecord(collected)));
}

function readPineConnector(parts: readonly string[]): Result<AlertEnvelope, DomainError> {
  const [licence, command, symbol, ...params] = parts;
  const collected = new Map<string, string | undefined>();
  collected.set('action', command);
  collected.set('symbol', symbol);
  for (const [index, param] of params.entries()) {
    if (param.length === 0) continue;
    const eq = param.indexOf('=');
    const key = eq > 0 ? param.slice(0, eq).trim() : '';
    if (!KV_KEY.test(key) || key.length > ALERT_LIMITS.maxKeyLength) {
      return err(malformed(`PineConnector-style alert: parameter ${index + 4} is not key=value (e.g. qty=0.01).`));
    }
    const lower = key.toLowerCase();
    collected.delete(lower);
    collected.set(lower, unquote(param.slice(eq + 1)));
    if (collected.size > ALERT_LIMITS.maxFields) return err(tooManyFields());
  }
  // An explicit secret= parameter wins over the licence-id position.
  let secret = licence !== undefined && licence.length > 0 ? licence : undefined;
  for (const key of SECRET_KEYS) {
    const value = collected.get(key);
    if (!collected.has(key)) continue;
    collected.delete(key);
    if (value !== undefined && value.length > 0) secret = value;
  }
  const explicitId = firstPresent(collected, ID_KEYS);
  return ok(envelope('pineconnector', secret, explicitId, toRecord(collected)));
}

// ---------------------------------------------------------------------------------------------

function firstPresent(map: ReadonlyMap<string, string | undefined>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = map.get(key)?.trim();
    if (value !== undefined && value.length > 0) return value;
  }
  return undefined;
}

/** A prototype-free record, so names like `__proto__` or `constructor` are plain data. */
function toRecord(map: ReadonlyMap<string, string | undefined>): Readonly<Record<string, string | undefined>> {
  const record = Object.create(null) as Record<string, string | undefined>;
  for (const [key, value] of map) record[key] = value;
  return Object.freeze(record);
}

function envelope(
  format: AlertFormat,
  secret: string | undefined,
  explicitId: string | undefined,
  fields: Readonly<Record<string, string | undefined>>,
): AlertEnvelope {
  return {
    format,
    ...(secret !== undefined ? { secret } : {}),
    ...(explicitId !== undefined ? { explicitId } : {}),
    fields,
  };
}
