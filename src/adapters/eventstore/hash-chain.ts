/**
 * The event log's hash chain, shared by every event store backend.
 *
 * hash(event) = SHA-256 hex of
 *   prevHash + canonicalJson({ globalPosition, streamId, streamVersion, type, data, metadata })
 * where prevHash is the previous event's hash and GENESIS_HASH (64 zeros) for position 1.
 */
import { createHash } from 'node:crypto';
import type { ChainVerification, EventMetadata } from '../../application/ports/event-store.js';
import { canonicalJson } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The hashed part of an event. */
export interface HashableEvent {
  readonly globalPosition: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
}

/** A stored event as the verifier sees it. */
export interface ChainRow extends HashableEvent {
  readonly prevHash: string;
  readonly hash: string;
}

export function sha256Hex(input: string): string {
  return createHash('sha256').update(input, 'utf8').digest('hex');
}

/** Reference implementation: hashes an event from its values. */
export function computeEventHash(prevHash: string, event: HashableEvent): string {
  return sha256Hex(
    prevHash +
      canonicalJson({
        globalPosition: event.globalPosition,
        streamId: event.streamId,
        streamVersion: event.streamVersion,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
      }),
  );
}

/**
 * Fast path for appends: the same hash as computeEventHash, built from already-serialised
 * canonical JSON of data and metadata (so each event is serialised once). Keys are written
 * in sorted order: data, globalPosition, metadata, streamId, streamVersion, type.
 */
export function computeEventHashFromCanonical(
  prevHash: string,
  globalPosition: number,
  streamIdJson: string,
  streamVersion: number,
  typeJson: string,
  canonicalData: string,
  canonicalMetadata: string,
): string {
  return sha256Hex(
    prevHash +
      '{"data":' +
      canonicalData +
      ',"globalPosition":' +
      globalPosition +
      ',"metadata":' +
      canonicalMetadata +
      ',"streamId":' +
      streamIdJson +
      ',"streamVersion":' +
      streamVersion +
      ',"type":' +
      typeJson +
      '}',
  );
}

/**
 * Walks stored rows in global-position order and checks that positions are contiguous from 1,
 * that each prev_hash links to the previous row's hash, and that each hash recomputes.
 * Feed rows with `check` (e.g. page by page); stop at the first failure.
 */
export class ChainVerifier {
  private expectedPosition = 1;
  private prevHash = GENESIS_HASH;
  private checked = 0;
  private failure: ChainVerification | undefined;

  /** Checks the next row; returns false (and remembers why) at the first broken row. */
  check(row: ChainRow): boolean {
    if (this.failure) return false;
    const fail = (reason: string): false => {
      this.failure = { ok: false, eventsChecked: this.checked, brokenAt: row.globalPosition, reason };
      return false;
    };
    if (row.globalPosition !== this.expectedPosition) {
      this.failure = {
        ok: false,
        eventsChecked: this.checked,
        brokenAt: this.expectedPosition,
        reason: `position gap: expected ${this.expectedPosition}, found ${row.globalPosition}`,
      };
      return false;
    }
    if (row.prevHash !== this.prevHash) {
      return fail(`prev_hash does not link to the hash of position ${row.globalPosition - 1}`);
    }
    let recomputed: string;
    try {
      recomputed = computeEventHash(row.prevHash, row);
    } catch (error) {
      return fail(`event cannot be hashed: ${(error as Error).message}`);
    }
    if (recomputed !== row.hash) {
      return fail('hash mismatch: the stored event differs from what was hashed');
    }
    this.checked++;
    this.expectedPosition++;
    this.prevHash = row.hash;
    return true;
  }

  /** Records a row that could not even be decoded (e.g. unparseable JSON). */
  reportUnreadable(globalPosition: number, reason: string): void {
    if (this.failure) return;
    if (globalPosition !== this.expectedPosition) {
      this.failure = {
        ok: false,
        eventsChecked: this.checked,
        brokenAt: this.expectedPosition,
        reason: `position gap: expected ${this.expectedPosition}, found ${globalPosition}`,
      };
      return;
    }
    this.failure = { ok: false, eventsChecked: this.checked, brokenAt: globalPosition, reason };
  }

  /** The position the next row must have. */
  get nextPosition(): number {
    return this.expectedPosition;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  result(): ChainVerification {
    return this.failure ?? { ok: true, eventsChecked: this.checked, lastPosition: this.expectedPosition - 1 };
  }
}

/** Verifies a whole sequence of rows (sync or async iterable) in order. */
export async function verify(rows: Iterable<ChainRow> | AsyncIterable<ChainRow>): Promise<ChainVerification> {
  const verifier = new ChainVerifier();
  for await (const row of rows) {
    if (!verifier.check(row)) break;
  }
  return verifier.result();
}
