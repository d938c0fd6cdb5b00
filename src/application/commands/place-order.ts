import { createHash } from 'node:crypto';
import type { EventStore } from '../ports/event-store.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { Catalog } from '../ingest/catalog.js';
import { interpretAlert, latestConfig } from '../ingest/interpret-alert.js';
import { readAlertEnvelope } from '../../domain/signals/alert-envelope.js';
import type { NormalizedSignal } from '../../domain/signals/signal.js';
import { signalDecider } from '../../domain/signals/signal-decider.js';
import { streams } from '../../domain/events.js';
import { err, ok, type DomainError, type Result } from '../../domain/shared/result.js';

export interface PlaceOrderDeps {
  readonly store: EventStore;
  readonly catalog: Catalog;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** folds what the log holds now (a strategy created, resumed or remapped a moment ago, on any node) */
  readonly catchUp: () => Promise<void>;
}

export interface PlaceOrderRequest {
  readonly strategyId: string;
  /** the alert's fields as a JSON object's text, exactly as a webhook body would carry them, without the secret */
  readonly body: string;
  /** who places it: named in the signal's causation (`api:manual-order:<userId>`), so its trace shows who */
  readonly userId: string;
  /** the client's Idempotency-Key: the same key places once (and answers the first signal again) */
  readonly requestKey?: string;
}

export interface OrderPlaced {
  readonly signalId: string;
  /** true: the same Idempotency-Key was seen before; nothing new was recorded */
  readonly repeated: boolean;
  readonly signal?: NormalizedSignal;
  readonly lastPosition?: number;
}

/**
 * 400: the body cannot be read as alert fields (MALFORMED_BODY, TOO_MANY_FIELDS, SECRET_NOT_ACCEPTED, ...);
 * 404 STRATEGY_NOT_FOUND; 409 STRATEGY_PAUSED, IDEMPOTENCY_KEY_REUSED; 413 BODY_TOO_LARGE;
 * 422: the fields do not make an order, with the webhook's codes (INVALID_BRACKET, PERCENT_OVER_100, UNKNOWN_SYMBOL, ...).
 */
export type PlaceOrderError = DomainError & { readonly status: 400 | 404 | 409 | 413 | 422 };

/** The causation of a signal placed through the API or the dashboard, naming the user. */
export const MANUAL_ORDER_CAUSATION = 'api:manual-order';
/** The SignalReceived format of an order placed through the API or the dashboard. */
export const MANUAL_ORDER_FORMAT = 'manual';

const fail = (status: PlaceOrderError['status'], code: string, message: string) => err<PlaceOrderError>({ status, code, message });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * An order placed by hand (issue 17): the same fields as an alert, read by the webhook's own parser
 * and normaliser (so they mean the same order), recorded as a signal of the strategy (SignalReceived
 * first) and then routed, sized, risk-checked and executed by the same processor as an alert. Unlike
 * an alert, a bad one is refused with nothing recorded: the trader is there to read the answer.
 */
export async function placeOrder(deps: PlaceOrderDeps, tenantId: string, request: PlaceOrderRequest): Promise<Result<OrderPlaced, PlaceOrderError>> {
  let strategy = deps.catalog.strategy(request.strategyId);
  if (!strategy) {
    await deps.catchUp();
    strategy = deps.catalog.strategy(request.strategyId);
  }
  if (!strategy || strategy.tenantId !== tenantId) return fail(404, 'STRATEGY_NOT_FOUND', 'no such strategy');
  const bodySha256 = sha256(request.body);
  const idempotencyKey = request.requestKey !== undefined ? requestKeyOf(request.userId, request.requestKey) : undefined;

  // the same Idempotency-Key again: the first answer, nothing recorded
  if (idempotencyKey !== undefined) {
    const existing = await deps.store.findDedupe(strategy.strategyId, idempotencyKey);
    if (existing !== undefined) return repeatOf(deps, existing, bodySha256);
  }

  // no order needs one, and the stores cannot keep it (PostgreSQL refuses it in JSON)
  if (/\u0000|\\u0000/i.test(request.body)) return fail(400, 'MALFORMED_BODY', 'the order contains a NUL character');
  const envelope = readAlertEnvelope(request.body);
  if (!envelope.ok) return fail(envelope.error.code === 'BODY_TOO_LARGE' ? 413 : 400, envelope.error.code, envelope.error.message);
  if (envelope.value.secret !== undefined) return fail(400, 'SECRET_NOT_ACCEPTED', 'an order placed through the API is authenticated by your login: leave the webhook secret out');
  if (deps.catalog.isPaused?.(strategy.strategyId)) strategy = await latestConfig(deps, strategy);
  if (deps.catalog.isPaused?.(strategy.strategyId)) return fail(409, 'STRATEGY_PAUSED', 'the strategy is paused: resume it to place orders through it');

  const receivedAt = new Date(deps.clock.now()).toISOString();
  const interpreted = await interpretAlert(deps, strategy, envelope.value, receivedAt);
  if (!interpreted.ok) return fail(422, interpreted.error.code, interpreted.error.message);

  const signalId = deps.ids.next('sig');
  const key = idempotencyKey ?? `api-order:${sha256(signalId)}`;
  const decided = signalDecider.decide(
    { type: 'Receive', signalId, strategyId: strategy.strategyId, idempotencyKey: key, receivedAt, bodySha256, format: MANUAL_ORDER_FORMAT, signal: interpreted.value },
    signalDecider.initialState(),
  );
  if (!decided.ok) throw new Error(`signal decider refused a new order: ${decided.error.code}`);
  const result = await deps.store.append({
    streamId: streams.signal(signalId),
    expectedVersion: 0,
    events: decided.value,
    metadata: { tenantId, time: receivedAt, correlationId: signalId, causationId: `${MANUAL_ORDER_CAUSATION}:${request.userId}` },
    dedupe: { scope: strategy.strategyId, key, value: signalId },
  });
  switch (result.kind) {
    case 'appended':
      return ok({ signalId, repeated: false, signal: interpreted.value, lastPosition: result.lastPosition });
    case 'duplicate': // the same key, sent twice at once: the other one was recorded
      return repeatOf(deps, result.existingValue, bodySha256);
    case 'conflict':
      throw new Error(`fresh signal stream ${signalId} already exists`);
  }
}

/** The first order of an Idempotency-Key: answered again when the body is the same, refused when it is not (a key is for retries). */
async function repeatOf(deps: PlaceOrderDeps, signalId: string, bodySha256: string): Promise<Result<OrderPlaced, PlaceOrderError>> {
  const [first] = await deps.store.readStream(streams.signal(signalId));
  const data = first?.data as { bodySha256?: string } | undefined;
  if (data?.bodySha256 !== undefined && data.bodySha256 !== bodySha256) {
    return fail(409, 'IDEMPOTENCY_KEY_REUSED', `this Idempotency-Key already placed signal ${signalId} with other fields: use a new key for a new order`);
  }
  return ok({ signalId, repeated: true });
}

/** The dedupe key of a client's Idempotency-Key, per user (scoped to the strategy by the claim). */
function requestKeyOf(userId: string, key: string): string {
  return `api-order:${sha256(JSON.stringify({ order: { userId, key } }))}`;
}
