import { createHash } from 'node:crypto';
import type { AppendRequest, EventAppender, EventStore } from '../ports/event-store.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { TradingState } from '../workflows/trading-state.js';
import type { NormalizedSignal } from '../../domain/signals/signal.js';
import { signalDecider } from '../../domain/signals/signal-decider.js';
import { closeQuantity } from '../../domain/sizing/close-quantity.js';
import { streams } from '../../domain/events.js';
import { err, ok, type DomainError, type Result } from '../../domain/shared/result.js';

export interface ClosePositionDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** the folded state now (read it through this each time: a rebuild replaces it) */
  readonly state: () => TradingState;
  /** folds what the log holds now (a fill recorded a moment ago, on any node) */
  readonly catchUp: () => Promise<void>;
}

export interface CloseRequest {
  readonly accountId: string;
  /** unified symbol, e.g. BTC/USDT or BTC/USDT:USDT */
  readonly symbol: string;
  /** close only this strategy's share; absent: every strategy's share on the account */
  readonly strategyId?: string;
  /** close only a long or only a short (like exit_long / exit_short); absent: whatever is open */
  readonly side?: 'long' | 'short';
  /** the client's Idempotency-Key: the same key closes once */
  readonly requestKey?: string;
}

export interface CloseRecorded {
  /** one close signal per strategy whose share is closed, routed like an alert's close */
  readonly signals: readonly { readonly strategyId: string; readonly signalId: string; readonly repeated: boolean }[];
  readonly lastPosition?: number;
}

/** Errors: ACCOUNT_NOT_FOUND, STRATEGY_NOT_FOUND (404); STRATEGY_NOT_ON_ACCOUNT (422); NOTHING_TO_CLOSE, NO_LONG_TO_CLOSE, NO_SHORT_TO_CLOSE (409). */
export type CloseError = DomainError & { readonly status: 404 | 409 | 422 };

const fail = (status: CloseError['status'], code: string, message: string) => err<CloseError>({ status, code, message });

/**
 * Closes a position through the same machinery as an alert's close: records a close signal per
 * strategy (SignalReceived, format "api", naming the one account), which the routing leader sizes,
 * risk-checks and approves (OrderApproved first, reduce-only) and the account's owner executes.
 * Checked here first on this node's state, so a close with nothing to do is answered at once and
 * nothing is recorded; routing decides again on the log's order (the authoritative decision).
 */
export async function closePosition(deps: ClosePositionDeps, tenantId: string, request: CloseRequest): Promise<Result<CloseRecorded, CloseError>> {
  await deps.catchUp();
  const state = deps.state();
  const account = state.account(request.accountId);
  if (!account || account.tenantId !== tenantId) return fail(404, 'ACCOUNT_NOT_FOUND', 'no such account');
  const snapshot = state.snapshot(account.accountId)!;
  const accountPosition = snapshot.positionQuantity(request.symbol);
  // a strategy that trades the account, or one that still holds a position in the symbol there (unlinked since): its position can be closed
  const linked = (strategyId: string) => {
    const s = state.strategy(strategyId);
    if (s === undefined || s.tenantId !== tenantId) return undefined;
    const trades = s.accounts.some((l) => l.accountId === account.accountId);
    return trades || !snapshot.strategyPositionQuantity(strategyId, request.symbol).isZero() ? s : undefined;
  };

  // the same Idempotency-Key again: the first request's answer, even once there is nothing left to close
  if (request.requestKey !== undefined) {
    const candidates = request.strategyId !== undefined ? [request.strategyId] : state.allStrategies().filter((s) => linked(s.strategyId)).map((s) => s.strategyId);
    const repeated: { strategyId: string; signalId: string; repeated: boolean }[] = [];
    for (const strategyId of candidates) {
      const signalId = await deps.store.findDedupe(strategyId, closeKey(account.accountId, strategyId, request, request.requestKey));
      if (signalId !== undefined) repeated.push({ strategyId, signalId, repeated: true });
    }
    if (repeated.length > 0) return ok({ signals: repeated });
  }

  let targets: string[];
  if (request.strategyId !== undefined) {
    const strategy = state.strategy(request.strategyId);
    if (!strategy || strategy.tenantId !== tenantId) return fail(404, 'STRATEGY_NOT_FOUND', 'no such strategy');
    if (!linked(strategy.strategyId)) return fail(422, 'STRATEGY_NOT_ON_ACCOUNT', `strategy ${strategy.strategyId} does not trade account ${account.accountId}`);
    targets = [strategy.strategyId];
  } else {
    targets = state.positionHolders(account.accountId, request.symbol).map((h) => h.strategyId).filter((id) => linked(id) !== undefined);
    if (targets.length === 0) {
      const check = closeQuantity({ symbol: request.symbol, position: accountPosition, accountPosition, ...(request.side ? { closeSide: request.side } : {}) });
      return check.ok
        ? fail(409, 'NOTHING_TO_CLOSE', `no strategy trading account ${account.accountId} holds a position in ${request.symbol}`)
        : fail(409, check.error.code, check.error.message);
    }
  }
  // side-aware: only the strategies whose own position this close takes
  const checks = targets.map((strategyId) => ({
    strategyId,
    check: closeQuantity({
      symbol: request.symbol, position: snapshot.strategyPositionQuantity(strategyId, request.symbol), accountPosition,
      ...(request.side ? { closeSide: request.side } : {}),
    }),
  }));
  const closable = checks.filter((c) => c.check.ok).map((c) => c.strategyId);
  if (closable.length === 0) {
    const first = checks[0]!.check;
    return first.ok ? fail(409, 'NOTHING_TO_CLOSE', 'nothing to close') : fail(409, first.error.code, first.error.message);
  }

  const signals: { strategyId: string; signalId: string; repeated: boolean }[] = [];
  let lastPosition: number | undefined;
  for (const strategyId of closable) {
    const recorded = await recordClose(deps, tenantId, strategyId, account.accountId, request);
    signals.push({ strategyId, signalId: recorded.signalId, repeated: recorded.repeated });
    if (recorded.lastPosition !== undefined) lastPosition = recorded.lastPosition;
  }
  return ok({ signals, ...(lastPosition !== undefined ? { lastPosition } : {}) });
}

async function recordClose(
  deps: ClosePositionDeps, tenantId: string, strategyId: string, accountId: string, request: CloseRequest,
): Promise<{ signalId: string; repeated: boolean; lastPosition?: number }> {
  const signalId = deps.ids.next('sig');
  const idempotencyKey = closeKey(accountId, strategyId, request, request.requestKey ?? signalId);
  const signal: NormalizedSignal = { action: 'close', ticker: request.symbol, symbol: request.symbol, ...(request.side ? { closeSide: request.side } : {}), comment: 'closed through the API' };
  const bodySha256 = idempotencyKey.slice('api-close:'.length);
  return recordCloseSignal(deps, { tenantId, strategyId, accountId, signalId, signal, idempotencyKey, bodySha256, causationId: 'api:close-position' });
}

/**
 * Records one close signal (format "api", naming the one account) for the routing leader, done
 * once per idempotency key: the same key again answers the first signal (`repeated`). Also the
 * kill switch's flatten records its closes through this.
 */
export async function recordCloseSignal(
  deps: { readonly store: EventAppender; readonly clock: Clock },
  close: CloseSignal,
): Promise<{ signalId: string; repeated: boolean; lastPosition?: number }> {
  const result = await deps.store.append(closeSignalAppend(close, new Date(deps.clock.now()).toISOString()));
  switch (result.kind) {
    case 'appended':
      return { signalId: close.signalId, repeated: false, lastPosition: result.lastPosition };
    case 'duplicate':
      return { signalId: result.existingValue, repeated: true };
    case 'conflict':
      throw new Error(`fresh signal stream ${close.signalId} already exists`);
  }
}

/** One close signal to record. */
export interface CloseSignal {
  readonly tenantId: string;
  readonly strategyId: string;
  readonly accountId: string;
  readonly signalId: string;
  readonly signal: NormalizedSignal;
  readonly idempotencyKey: string;
  readonly bodySha256: string;
  readonly causationId: string;
}

/** The append of one close signal (a fresh stream, its idempotency key claimed with it), to record alone or with others. */
export function closeSignalAppend(close: CloseSignal, receivedAt: string): AppendRequest {
  const { tenantId, strategyId, accountId, signalId, idempotencyKey, bodySha256 } = close;
  const decided = signalDecider.decide(
    { type: 'Receive', signalId, strategyId, idempotencyKey, receivedAt, bodySha256, format: 'api', signal: close.signal, accountId },
    signalDecider.initialState(),
  );
  if (!decided.ok) throw new Error(`signal decider refused a new close: ${decided.error.code}`);
  return {
    streamId: streams.signal(signalId),
    expectedVersion: 0,
    events: decided.value,
    metadata: { tenantId, time: receivedAt, correlationId: signalId, causationId: close.causationId },
    dedupe: { scope: strategyId, key: idempotencyKey, value: signalId },
  };
}

/** The dedupe key of one strategy's close: the request's digest (its key, account, symbol, side). */
function closeKey(accountId: string, strategyId: string, request: CloseRequest, key: string): string {
  const described = JSON.stringify({ close: { accountId, symbol: request.symbol, strategyId, side: request.side ?? null, key } });
  return `api-close:${createHash('sha256').update(described).digest('hex')}`;
}
