import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppendRequest, AppendResult, EventStore, RecordedEvent } from '../ports/event-store.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { Catalog } from './catalog.js';
import { readAlertEnvelope, receivedSummary } from '../../domain/signals/alert-envelope.js';
import { signalDecider, type SignalCommand } from '../../domain/signals/signal-decider.js';
import type { NormalizedSignal } from '../../domain/signals/signal.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import type { DomainError } from '../../domain/shared/result.js';
import { streams } from '../../domain/events.js';
import { sourceAllowlist, type SourceAllowlist } from '../shared/source-allowlist.js';
import { aggregateStream } from '../shared/aggregate-stream.js';
import type { AlertRepeatCounter } from '../ports/alert-repeats.js';
import { checkSignature, type WebhookSigning } from './alert-signature.js';
import { interpretAlert, latestConfig } from './interpret-alert.js';

export type IngestOutcome =
  | { readonly kind: 'accepted'; readonly signalId: string }
  | { readonly kind: 'duplicate'; readonly signalId: string }
  /**
   * Refused. `signalId` is set when the refusal was recorded as an audit event; `unauthenticated`
   * when the sender did not prove it knows the strategy's secret; `retryAfterMs` with RATE_LIMITED.
   */
  | { readonly kind: 'refused'; readonly code: string; readonly message: string; readonly signalId?: string; readonly unauthenticated?: true; readonly retryAfterMs?: number };

export interface AlertRequest {
  readonly strategyId: string;
  /** raw body as received, whatever the content type */
  readonly body: string;
  /** secret from the URL (`?token=`), for senders that cannot put it in the body */
  readonly urlToken?: string;
  /** the sender's address (the client behind trusted proxies), checked against the strategy's allowedSources */
  readonly source?: string;
  /** the body's bytes as received (what a signature covers); default: `body` as UTF-8 */
  readonly rawBody?: Buffer;
  /** the X-Patriot-Signature header, if sent */
  readonly signature?: string;
}

export interface IngestDeps {
  readonly store: EventStore;
  readonly catalog: Catalog;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** the strategy's webhook secret (cached by the caller, so usually synchronous; never logged) */
  readonly secretOf: (strategyId: string) => string | undefined | Promise<string | undefined>;
  /** folds what the log holds now into the catalog (asked when a strategy is not in it, or its configuration here would refuse the alert) */
  readonly catchUp?: () => Promise<void>;
  /** the secret as the store holds it now (asked when the one at hand does not match: rotated a moment ago, perhaps on another node) */
  readonly freshSecretOf?: (strategyId: string) => Promise<string | undefined>;
  /**
   * Spends one unit of the strategy's alert budget, asked only once the alert is authenticated
   * (so nobody without the secret can use up a strategy's budget); the ms to wait when it is spent.
   */
  readonly admit?: (strategyId: string) => { readonly retryAfterMs: number } | undefined | Promise<{ readonly retryAfterMs: number } | undefined>;
  /** counts repeats of alerts beside the log: only a signal's first repeat is logged */
  readonly repeats: AlertRepeatCounter;
  /** the strategy's signing setting (cached by the caller; never logged); absent: no strategy signs */
  readonly signingOf?: (strategyId: string) => WebhookSigning | undefined | Promise<WebhookSigning | undefined>;
  /** the signing setting as the store holds it now (asked before refusing on a cached one changed on another node) */
  readonly freshSigningOf?: (strategyId: string) => Promise<WebhookSigning | undefined>;
  /**
   * How an accepted signal is appended (default: `store.append`). The composition root may route it
   * in the same commit (ADR-0030); the answer is the signal's append, as with `store.append`.
   */
  readonly appendSignal?: (request: AppendRequest) => Promise<AppendResult>;
}

const WRONG_SECRET = { kind: 'refused', code: 'INVALID_SECRET', message: 'the secret does not match this strategy', unauthenticated: true } as const;

const SOURCE_REFUSED = { kind: 'refused', code: 'SOURCE_NOT_ALLOWED', message: 'this address may not send alerts to this strategy', unauthenticated: true } as const;

/** Each configuration version's list, compiled once. */
const allowlists = new WeakMap<readonly string[], SourceAllowlist>();
function allowlistOf(entries: readonly string[]): SourceAllowlist {
  let list = allowlists.get(entries);
  if (!list) {
    list = sourceAllowlist(entries);
    allowlists.set(entries, list);
  }
  return list;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

const expectedDigests = new Map<string, Buffer>();

/** Constant-time comparison of digests, which also hides the length of the expected secret. */
export function secretsMatch(given: string, expected: string): boolean {
  let digest = expectedDigests.get(expected);
  if (!digest) {
    digest = sha256(expected);
    if (expectedDigests.size > 10_000) expectedDigests.clear();
    expectedDigests.set(expected, digest);
  }
  return timingSafeEqual(sha256(given), digest) && given.length === expected.length;
}

/** The answer the original alert got: the same signal id, and the same refusal if it was refused. */
function answerOf(first: RecordedEvent | undefined, signalId: string): IngestOutcome {
  if (first?.type === 'SignalRejected') {
    const data = first.data as { code: string; message: string };
    return { kind: 'refused', code: data.code, message: data.message, signalId };
  }
  return { kind: 'duplicate', signalId };
}

/**
 * A repeat gets the original's answer and is counted, so the trader sees that TradingView sent it
 * again, without the log growing per repeat: the first repeat of a signal is logged once
 * (AlertRepeated, for audit), every repeat counts in `repeats` beside the log (count, first and
 * last time). The decision is taken on the original signal's state (it must exist, which nothing
 * can undo); the event goes to the signal's own repeats stream whatever its version, so the
 * processor's optimistic check on the signal stream stays untouched.
 */
async function repeatOf(deps: IngestDeps, tenantId: string, signalId: string, repeat: { receivedAt: string; bodySha256: string }): Promise<IngestOutcome> {
  const { state, history } = await aggregateStream(deps.store, streams.signal(signalId), signalDecider);
  const decided = signalDecider.decide({ type: 'RecordRepeat', ...repeat }, state);
  if (decided.ok) {
    const logFirst = async () => {
      await deps.store.append({
        streamId: streams.repeats(signalId),
        expectedVersion: 'any',
        events: decided.value,
        metadata: { tenantId, time: repeat.receivedAt, correlationId: signalId },
      });
    };
    await deps.repeats.count(signalId, repeat.receivedAt, logFirst);
  }
  return answerOf(history[0], signalId);
}

/**
 * Validates, authenticates and deduplicates one alert, and appends it durably.
 * Only the returned outcome decides the HTTP answer; nothing here throws for bad input.
 */
export async function ingestAlert(deps: IngestDeps, request: AlertRequest): Promise<IngestOutcome> {
  let strategy = deps.catalog.strategy(request.strategyId);
  if (!strategy && deps.catchUp) {
    // not folded here yet: it may have been configured a moment ago (on any node). Reading the log
    // fails while the store is away, and then the alert is answered "not recorded, send again".
    await deps.catchUp();
    strategy = deps.catalog.strategy(request.strategyId);
  }
  const found = strategy ? deps.secretOf(strategy.strategyId) : undefined;
  const expected = typeof found === 'object' ? await found : found;
  // an unknown strategy answers exactly like a wrong secret: its ids cannot be probed
  const envelope = readAlertEnvelope(request.body);
  if (!envelope.ok && request.urlToken === undefined) return { kind: 'refused', code: envelope.error.code, message: envelope.error.message, unauthenticated: true };
  const given = (envelope.ok ? envelope.value.secret : undefined) ?? request.urlToken;
  if (given === undefined) return { kind: 'refused', code: 'MISSING_SECRET', message: 'the alert carries no secret (put "secret" in the body or ?token= in the URL)', unauthenticated: true };
  if (!strategy || expected === undefined) return WRONG_SECRET;
  if (!secretsMatch(given, expected)) {
    // a secret rotated a moment ago (perhaps on another node) is not refused for the cache's sake
    const fresh = deps.freshSecretOf ? await deps.freshSecretOf(strategy.strategyId) : undefined;
    if (fresh === undefined || fresh === expected || !secretsMatch(given, fresh)) return WRONG_SECRET;
  }
  // a strategy with a signing key: a signature, if sent, must match (and must be sent when required)
  if (deps.signingOf) {
    const found = deps.signingOf(strategy.strategyId);
    const body = request.rawBody ?? Buffer.from(request.body, 'utf8');
    let refused = checkSignature(request.signature, body, found instanceof Promise ? await found : found, deps.clock.now());
    // a key rotated or a requirement lifted a moment ago on another node: decided on the stored setting
    if (refused && deps.freshSigningOf) refused = checkSignature(request.signature, body, await deps.freshSigningOf(strategy.strategyId), deps.clock.now());
    if (refused) return { kind: 'refused', code: refused.code, message: refused.message, unauthenticated: true };
  }
  // after the secret: a sender outside the list learns nothing about which strategies exist
  const refusesSource = (s: StrategyConfig) => s.allowedSources !== undefined && request.source !== undefined && !allowlistOf(s.allowedSources).allows(request.source);
  if (refusesSource(strategy)) {
    // the list may have been widened a moment ago on another node: decide on the configuration the log holds now
    strategy = await latestConfig(deps, strategy);
    if (refusesSource(strategy)) return SOURCE_REFUSED;
  }
  const admitted = deps.admit?.(strategy.strategyId);
  // usually answered at once; a budget shared by several nodes is now and then asked of the database
  const over = admitted instanceof Promise ? await admitted : admitted;
  if (over) return { kind: 'refused', code: 'RATE_LIMITED', message: `too many alerts for this strategy; retry in ${Math.ceil(over.retryAfterMs / 1000)} s`, retryAfterMs: over.retryAfterMs };

  // Authenticated from here on: a refusal is worth an audit record the trader can see.
  const bodySha256 = sha256(request.body).toString('hex');
  // Claims are scoped to the strategy, so the body's hash alone identifies a repeat.
  const idempotencyKey = (envelope.ok ? envelope.value.explicitId : undefined) ?? bodySha256;
  const receivedAt = new Date(deps.clock.now()).toISOString();
  const signalId = deps.ids.next('sig');
  const base = { signalId, strategyId: strategy.strategyId, idempotencyKey, receivedAt, bodySha256 };

  let failure: DomainError | undefined;
  let signal: NormalizedSignal | undefined;
  // resumed a moment ago (perhaps on another node): decided on what the log holds now
  if (deps.catalog.isPaused?.(strategy.strategyId)) strategy = await latestConfig(deps, strategy);
  if (deps.catalog.isPaused?.(strategy.strategyId)) failure = { code: 'STRATEGY_PAUSED', message: 'the strategy is paused: its alerts are recorded and refused until it is resumed' };
  else if (!envelope.ok) failure = envelope.error;
  else {
    const interpreted = await interpretAlert(deps, strategy, envelope.value, receivedAt);
    if (interpreted.ok) signal = interpreted.value;
    else failure = interpreted.error;
  }
  const command: SignalCommand = signal
    ? { type: 'Receive', ...base, format: envelope.ok ? envelope.value.format : 'unknown', signal }
    : { type: 'RejectAlert', ...base, code: failure!.code, message: failure!.message, ...(envelope.ok ? { received: receivedSummary(envelope.value.fields) } : {}) };
  const decided = signalDecider.decide(command, signalDecider.initialState());
  if (!decided.ok) throw new Error(`signal decider refused a new stream: ${decided.error.code}`);

  const append: AppendRequest = {
    streamId: streams.signal(signalId),
    expectedVersion: 0,
    events: decided.value,
    metadata: { tenantId: strategy.tenantId, time: receivedAt, correlationId: signalId },
    dedupe: { scope: strategy.strategyId, key: idempotencyKey, value: signalId },
  };
  const result = await (signal && deps.appendSignal ? deps.appendSignal(append) : deps.store.append(append));
  switch (result.kind) {
    case 'duplicate':
      return repeatOf(deps, strategy.tenantId, result.existingValue, { receivedAt, bodySha256 });
    case 'conflict':
      throw new Error(`fresh signal stream ${signalId} already exists`);
    case 'appended':
      if (failure) return { kind: 'refused', code: failure.code, message: failure.message, signalId };
      return { kind: 'accepted', signalId };
  }
}
