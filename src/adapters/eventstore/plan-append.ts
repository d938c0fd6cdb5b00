/**
 * The append rules, once for both backends: one append (or appendAtomic) is checked against what
 * the store holds plus the earlier units of the same batch, and, if every request passes, laid
 * out as events with their positions, stream versions and hash chain. The backends only say where
 * versions and claims come from and write what is planned (SQLite row by row inside its
 * transaction, PostgreSQL as arrays in one statement).
 */
import type { AppendResult, DedupeClaim } from '../../application/ports/event-store.js';
import { computeEventHashFromCanonical } from './hash-chain.js';
import type { PreparedEvent, PreparedRequest } from './prepare-request.js';

/** What the batch knows so far: the stream's version and the claim's value (the store's, or set by an earlier unit of the batch). */
export interface AppendLookup {
  version(streamId: string): number;
  claim(scope: string, key: string): string | undefined;
}

export interface PlannedEvent {
  readonly position: number;
  readonly streamId: string;
  readonly version: number;
  readonly event: PreparedEvent;
  readonly request: PreparedRequest;
  readonly prevHash: string;
  readonly hash: string;
}

export type UnitPlan =
  | { readonly ok: false; readonly result: AppendResult }
  | {
      readonly ok: true;
      readonly result: AppendResult;
      readonly events: readonly PlannedEvent[];
      /** each stream's version after the unit */
      readonly versions: ReadonlyMap<string, number>;
      readonly claims: readonly DedupeClaim[];
      readonly head: number;
      readonly headHash: string;
    };

/** Checks one unit (nothing is planned unless every request passes) and plans its events after `head`. */
export function planUnit(requests: readonly PreparedRequest[], lookup: AppendLookup, head: number, headHash: string): UnitPlan {
  const startVersions: number[] = [];
  let unitVersions: Map<string, number> | undefined;
  let unitClaims: Map<string, string> | undefined;
  for (const request of requests) {
    if (request.events.length > 0 && request.dedupe !== undefined) {
      const { scope, key } = request.dedupe;
      const existing = unitClaims?.get(scope + '\u0000' + key) ?? lookup.claim(scope, key);
      if (existing !== undefined) return { ok: false, result: { kind: 'duplicate', existingValue: existing } };
      if (requests.length > 1) (unitClaims ??= new Map()).set(scope + '\u0000' + key, request.dedupe.value);
    }
    const current = unitVersions?.get(request.streamId) ?? lookup.version(request.streamId);
    if (request.expectedVersion !== 'any' && request.expectedVersion !== current) {
      return { ok: false, result: { kind: 'conflict', streamId: request.streamId, actualVersion: current } };
    }
    startVersions.push(current);
    if (requests.length > 1) (unitVersions ??= new Map()).set(request.streamId, current + request.events.length);
  }

  const events: PlannedEvent[] = [];
  const versions = new Map<string, number>();
  const claims: DedupeClaim[] = [];
  const firstPosition = head + 1;
  let firstStreamNextVersion = 0;
  for (let r = 0; r < requests.length; r++) {
    const request = requests[r]!;
    let version = startVersions[r]!;
    for (const event of request.events) {
      const position = head + 1;
      version++;
      const hash = computeEventHashFromCanonical(headHash, position, request.streamIdJson, version, event.typeJson, event.dataJson, request.metadataJson);
      events.push({ position, streamId: request.streamId, version, event, request, prevHash: headHash, hash });
      head = position;
      headHash = hash;
    }
    if (request.events.length > 0) {
      if (request.dedupe !== undefined) claims.push(request.dedupe);
      versions.set(request.streamId, version);
    }
    if (request.streamId === requests[0]!.streamId) firstStreamNextVersion = version;
  }
  return {
    ok: true,
    result: { kind: 'appended', firstPosition, lastPosition: head, nextExpectedVersion: firstStreamNextVersion },
    events, versions, claims, head, headHash,
  };
}
