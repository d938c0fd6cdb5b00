/** Port: the append-only, hash-chained event log. Implemented by adapters/eventstore/*. */

export interface EventMetadata {
  readonly tenantId: string;
  /** ISO-8601 time the event was decided (from the Clock port). */
  readonly time: string;
  /** The signal (alert) that started the chain of work, if any. */
  readonly correlationId?: string;
  /** The event or command id that directly caused this event. */
  readonly causationId?: string;
}

export interface NewEvent {
  readonly type: string;
  /** JSON-serialisable; decimals are strings (a PatriotEvent's data as it is). */
  readonly data: object;
}

export interface RecordedEvent {
  readonly globalPosition: number;
  readonly streamId: string;
  /** 1-based, contiguous per stream. */
  readonly streamVersion: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
  readonly prevHash: string;
  readonly hash: string;
}

/** The stream's current version: 0 means "the stream must not exist yet"; 'any' skips the check. */
export type ExpectedVersion = number | 'any';

export interface DedupeClaim {
  /** e.g. the strategy id */
  readonly scope: string;
  /** the idempotency key */
  readonly key: string;
  /** what a later duplicate gets back (e.g. the signal id) */
  readonly value: string;
}

export interface AppendRequest {
  readonly streamId: string;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly NewEvent[];
  readonly metadata: EventMetadata;
  /** Claimed atomically with the append; if already claimed nothing is appended. */
  readonly dedupe?: DedupeClaim;
}

export type AppendResult =
  | { readonly kind: 'appended'; readonly firstPosition: number; readonly lastPosition: number; readonly nextExpectedVersion: number }
  | { readonly kind: 'conflict'; readonly streamId: string; readonly actualVersion: number }
  | { readonly kind: 'duplicate'; readonly existingValue: string };

export type ChainVerification =
  | { readonly ok: true; readonly eventsChecked: number; readonly lastPosition: number }
  | { readonly ok: false; readonly eventsChecked: number; readonly brokenAt: number; readonly reason: string };

/** Writing to the log: what commands and workflows that decide need. */
export interface EventAppender {
  /** Appends one stream's events; durable (committed) when the promise resolves. */
  append(request: AppendRequest): Promise<AppendResult>;
  /**
   * Appends to several streams atomically: every request is appended, or none is
   * (the first failing request's result is returned for all of them).
   */
  appendAtomic(requests: readonly AppendRequest[]): Promise<AppendResult>;
}

/**
 * Appends decided in the same commit as an append they follow (ADR-0030): the signal's routing
 * written with the signal, one durable commit instead of two. `plan` runs inside the store's write,
 * synchronously, only once the request it follows is written (never for a duplicate or a
 * conflict); what it returns is appended right after, as one all-or-nothing unit, in the same
 * commit. `settled` runs once per planned follow-up, after that commit or its failure.
 */
export interface FollowUp {
  /**
   * What to append with the request just written (undefined: nothing). `committedHead` is the log's
   * head before the commit under way: everything up to it is durable, what lies between it and
   * `appended` is being committed with this request.
   */
  plan(appended: { readonly firstPosition: number; readonly lastPosition: number }, committedHead: number): readonly AppendRequest[] | undefined;
  /** the planned follow-up's own result once committed; `failed` when nothing of it is in the log */
  settled(outcome: FollowUpOutcome): void;
}

export type FollowUpOutcome =
  | { readonly kind: 'committed'; readonly result: AppendResult }
  | { readonly kind: 'failed'; readonly error: unknown };

/** A store that can write a follow-up in the same commit as the append it follows (SQLite's). */
export interface FollowingAppender {
  /** As append; the follow-up's plan runs if (and only if) this request is written. */
  appendFollowedBy(request: AppendRequest, followUp: FollowUp): Promise<AppendResult>;
}

/** Reading the log: one stream (to decide on it), or everything in order (to follow it). */
export interface EventReader {
  /** Events of one stream with version >= fromVersion, in order. */
  readStream(streamId: string, fromVersion?: number): Promise<RecordedEvent[]>;
  /** Events with globalPosition > afterPosition, in order, at most `limit`. */
  readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]>;
  /** Highest committed global position (0 when empty). */
  headPosition(): Promise<number>;
  /** Called (asynchronously) after each commit with the new head position. */
  onAppended(listener: (headPosition: number) => void): () => void;
}

/** Named checkpoints of log consumers (reactors) that live beside the log. */
export interface CheckpointStore {
  loadCheckpoint(name: string): Promise<number>;
  saveCheckpoint(name: string, position: number): Promise<void>;
}

/** What an audit reads: one alert's trace, the chain's integrity. */
export interface EventAudit {
  /** Every event whose metadata.correlationId is this id (the trace of one alert), in log order. */
  readByCorrelation(correlationId: string): Promise<RecordedEvent[]>;
  /** Recomputes the hash chain from the start; reports the first broken position. */
  verifyChain(): Promise<ChainVerification>;
}

/** Ingest's look-up of an alert already claimed (without claiming). */
export interface DedupeLookup {
  findDedupe(scope: string, key: string): Promise<string | undefined>;
}

/**
 * The whole store, as adapters implement it and the composition root holds it. Application code
 * asks for the narrow parts it uses (a reader, an appender, checkpoints), so each dependency says
 * what it does with the log.
 */
export interface EventStore extends EventAppender, EventReader, CheckpointStore, EventAudit, DedupeLookup {
  close(): Promise<void>;
}

/** A recorded event as readers see it, typed or not (a processor's handlers see typed data). */
export type RecordedLike = Omit<RecordedEvent, 'type' | 'data'> & { readonly type: string; readonly data: object };
