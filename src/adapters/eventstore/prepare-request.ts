/**
 * Validates an append request and serialises it once (canonical JSON), before it is queued.
 * Shared by both backends: invalid input rejects that call with a TypeError.
 */
import type { AppendRequest, DedupeClaim, ExpectedVersion } from '../../application/ports/event-store.js';
import { canonicalJson } from './canonical-json.js';

export interface PreparedEvent {
  readonly type: string;
  readonly typeJson: string;
  readonly dataJson: string;
}

export interface PreparedRequest {
  readonly streamId: string;
  readonly streamIdJson: string;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly PreparedEvent[];
  readonly metadataJson: string;
  readonly tenantId: string;
  readonly time: string;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly dedupe: DedupeClaim | undefined;
}

export function prepareRequest(request: AppendRequest): PreparedRequest {
  const { streamId, expectedVersion, events, metadata, dedupe } = request;
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new TypeError('append: streamId must be a non-empty string');
  }
  if (expectedVersion !== 'any' && !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 0)) {
    throw new TypeError(`append: expectedVersion must be 'any' or an integer >= 0, got ${String(expectedVersion)}`);
  }
  if (!Array.isArray(events)) throw new TypeError('append: events must be an array');
  if (metadata === null || typeof metadata !== 'object') throw new TypeError('append: metadata is required');
  if (typeof metadata.tenantId !== 'string' || typeof metadata.time !== 'string') {
    throw new TypeError('append: metadata.tenantId and metadata.time must be strings');
  }
  if (metadata.correlationId !== undefined && typeof metadata.correlationId !== 'string') {
    throw new TypeError('append: metadata.correlationId must be a string');
  }
  if (metadata.causationId !== undefined && typeof metadata.causationId !== 'string') {
    throw new TypeError('append: metadata.causationId must be a string');
  }
  if (
    dedupe !== undefined &&
    (typeof dedupe.scope !== 'string' || typeof dedupe.key !== 'string' || typeof dedupe.value !== 'string')
  ) {
    throw new TypeError('append: dedupe scope, key and value must be strings');
  }
  // PostgreSQL text cannot hold NUL; refuse it up front instead of failing the whole batch.
  const noNul = (value: string, what: string): void => {
    if (value.includes('\u0000')) throw new TypeError(`append: ${what} must not contain NUL characters`);
  };
  noNul(streamId, 'streamId');
  if (dedupe !== undefined) {
    noNul(dedupe.scope, 'dedupe scope');
    noNul(dedupe.key, 'dedupe key');
    noNul(dedupe.value, 'dedupe value');
  }
  const prepared: PreparedEvent[] = events.map((event) => {
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new TypeError('append: event type must be a non-empty string');
    }
    if (event.data === null || typeof event.data !== 'object' || Array.isArray(event.data)) {
      throw new TypeError(`append: data of event ${event.type} must be an object`);
    }
    noNul(event.type, 'event type');
    const dataJson = canonicalJson(event.data);
    // JSON escapes U+0000 inside strings as \u0000, so canonical JSON never holds a raw NUL.
    return { type: event.type, typeJson: JSON.stringify(event.type), dataJson };
  });
  const metadataJson = canonicalJson(metadata);
  noNul(metadata.tenantId, 'metadata.tenantId');
  noNul(metadata.time, 'metadata.time');
  if (metadata.correlationId !== undefined) noNul(metadata.correlationId, 'metadata.correlationId');
  if (metadata.causationId !== undefined) noNul(metadata.causationId, 'metadata.causationId');
  return {
    streamId,
    streamIdJson: JSON.stringify(streamId),
    expectedVersion,
    events: prepared,
    metadataJson,
    tenantId: metadata.tenantId,
    time: metadata.time,
    correlationId: metadata.correlationId ?? null,
    causationId: metadata.causationId ?? null,
    dedupe: dedupe === undefined ? undefined : { scope: dedupe.scope, key: dedupe.key, value: dedupe.value },
  };
}
