import type { EventOf, OrderIntent, RiskReason } from '../events.js';
import { Dec, ZERO, decToString, parseDec } from '../shared/decimal.js';
import { assertNever, type Decider } from '../shared/decider.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';
import { hasLimitPrice, isConditional, triggers } from './order-types.js';
import { atLeastAsFar } from './managed-trigger.js';

/**
 * The order aggregate, one stream per order: `order-<clientOrderId>`.
 *
 *   none -> approved | rejected
 *   approved -> parked | accepted | exchange_rejected | unknown | partially_filled | filled | cancelled | expired
 *   parked   -> approved (released) | cancelled   (held back at the open-order cap; never sent)
 *   armed    -> approved (triggered) | cancelled  (PATRIOT holds the trigger; never sent before it; issue 17)
 *   unknown  -> accepted | exchange_rejected | partially_filled | filled | cancelled | expired
 *   accepted / partially_filled -> partially_filled | filled | cancelled | expired
 *
 * Exchange outcomes are facts reported (by the submitter, the fill monitor or the reconciler), so
 * the decider is idempotent for repeats: the same acceptance, a trade id already recorded, or the
 * same terminal outcome again decide no events rather than an error.
 *
 * One deliberate exception to "terminal states refuse transitions": a NEW trade on a cancelled or
 * expired order is recorded (a cancel can race a trade on the exchange, and the cancel response
 * often arrives before the user-data fill). A trade is an exchange fact; refusing it would leave
 * positions and balances permanently wrong. The status stays cancelled/expired unless that fill
 * completes the order (then it is filled). Fills still never exceed the order quantity (OVERFILL),
 * and a fill on an exchange_rejected order is refused (ORDER_TERMINAL): that order never existed.
 *
 * The one exception to that: `NOT_PLACED` is our conclusion (every source of the exchange showed
 * nothing once its visibility window had passed; ADR-0011), not the exchange's answer. Should the
 * exchange show the order after all, its acceptance and fills are recorded (the order is
 * adopted): refusing them would leave positions wrong. Nothing is ever sent again either way.
 *
 * The order's quantity is the intent's until the exchange reports holding less (its step
 * rounded it down): `OrderAccepted.sentQuantity`; fills complete the order at that quantity.
 */

export type OrderStatus =
  | 'none'
  | 'approved'
  | 'rejected'
  | 'accepted'
  | 'partially_filled'
  | 'filled'
  | 'cancelled'
  | 'expired'
  | 'exchange_rejected'
  | 'unknown'
  | 'parked'
  | 'armed';

const TERMINAL: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['filled', 'cancelled', 'expired', 'exchange_rejected', 'rejected']);
const NEEDS_RECONCILIATION: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['approved', 'unknown', 'accepted', 'partially_filled']);

/** No further exchange activity is expected for an order in this status. */
export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL.has(status);
}

/** The order may exist (or still be live) on the exchange: the reconciler must look it up. */
export function needsReconciliation(status: OrderStatus): boolean {
  return NEEDS_RECONCILIATION.has(status);
}

export interface OrderState {
  readonly status: OrderStatus;
  readonly intent?: OrderIntent;
  /** order quantity, parsed from the intent (ZERO before approval) */
  readonly quantity: Dec;
  readonly riskReasons?: readonly RiskReason[];
  readonly exchangeOrderId?: string;
  readonly filledQuantity: Dec;
  readonly tradeIds: ReadonlySet<string>;
  /** last terminal / unknown explanation (exchange rejection code+reason, cancel reason, unknown reason) */
  readonly exchangeRejection?: { readonly code: string; readonly reason: string };
  readonly cancelReason?: string;
  readonly unknownReason?: string;
  /** placement requests recorded as leaving (OrderSubmitted); an approved order with none never left */
  readonly attempts: number;
  /** a cancel asked for and not answered yet (OrderCancelRequested): the executor asks the exchange until the order is final */
  readonly cancelRequest?: { readonly by: string; readonly reason: string };
  /** a PATRIOT-managed trailing stop: its last recorded trail (trigger and best price) */
  readonly trail?: { readonly trigger: string; readonly extreme: string };
  /** a PATRIOT-managed order whose trigger was crossed (it is sent as a market / limit order) */
  readonly triggered?: { readonly trigger: string; readonly price: string };
}

export type OrderEventType =
  | 'OrderApproved'
  | 'OrderRejected'
  | 'OrderAccepted'
  | 'OrderExchangeRejected'
  | 'OrderStatusUnknown'
  | 'OrderFilled'
  | 'OrderCancelled'
  | 'OrderExpired'
  | 'OrderParked'
  | 'OrderReleased'
  | 'OrderSubmitted'
  | 'OrderCancelRequested'
  | 'OrderTriggered'
  | 'OrderTrailMoved';
export type OrderEvent = EventOf<OrderEventType>;

export interface RecordFillCommand {
  readonly type: 'RecordFill';
  readonly tradeId: string;
  /** the exchange's order id; used to record the acceptance when the fill is the first news of it */
  readonly exchangeOrderId: string;
  readonly quantity: Dec;
  readonly price: Dec;
  /** may be negative (maker rebate) */
  readonly fee: Dec;
  readonly feeCurrency: string;
  readonly liquidity: 'maker' | 'taker';
  /** ISO-8601 */
  readonly filledAt: string;
}

export interface RecordAcceptedCommand {
  readonly type: 'RecordAccepted';
  readonly exchangeOrderId: string;
  /** what the exchange holds (recorded when it differs from the intent: rounding to the exchange's step and tick) */
  readonly sent?: { readonly quantity: string; readonly price?: string };
  /** notes from the adapter on what it changed, in words */
  readonly adjustments?: readonly string[];
}

/** The reason recorded with a NOT_PLACED conclusion (an inference, which the exchange may still overturn). */
export const NOT_PLACED = 'NOT_PLACED';

export type OrderCommand =
  | { readonly type: 'Approve'; readonly intent: OrderIntent }
  | { readonly type: 'Reject'; readonly intent: OrderIntent; readonly reasons: readonly RiskReason[] }
  | RecordAcceptedCommand
  | { readonly type: 'RecordExchangeRejected'; readonly code: string; readonly reason: string }
  | { readonly type: 'RecordUnknown'; readonly reason: string }
  | RecordFillCommand
  | { readonly type: 'RecordCancelled'; readonly reason: string }
  | { readonly type: 'RecordExpired' }
  | { readonly type: 'Park'; readonly openOrders: number; readonly cap: number }
  | { readonly type: 'Release' }
  | { readonly type: 'RecordSubmitted' }
  | RequestCancelCommand
  | TriggerCommand
  | MoveTrailCommand;

/**
 * issue 17: the account's exchange price crossed an armed order's trigger. `trigger` is where the
 * watcher had it (a trailing stop's may be further along than the last recorded trail: recorded
 * with it); the price must be at or past it.
 */
export interface TriggerCommand {
  readonly type: 'Trigger';
  readonly trigger: Dec;
  /** a trailing stop: the best price behind that trigger */
  readonly extreme?: Dec;
  readonly price: Dec;
  readonly source: string;
  readonly quotedAt: string;
}

/** issue 17: an armed trailing stop followed the price; recorded only forward (a sell stop rises, a buy stop falls). */
export interface MoveTrailCommand {
  readonly type: 'MoveTrail';
  readonly trigger: Dec;
  readonly extreme: Dec;
}

/**
 * Cancel the order (issue 17). Open or of unknown fate: the request is recorded and the exchange
 * is asked after (never assumed). Never sent yet (parked, or approved without an attempt): it is
 * cancelled at once, and the expected version of the stream keeps a placement from slipping in
 * between. Final: ORDER_NOT_OPEN. Asked again while a request is pending: nothing new is recorded.
 */
export interface RequestCancelCommand {
  readonly type: 'RequestCancel';
  readonly by: string;
  readonly reason: string;
}

export const initialOrderState = (): OrderState => ({ status: 'none', quantity: ZERO, filledQuantity: ZERO, tradeIds: new Set<string>(), attempts: 0 });

type Decision = Result<readonly OrderEvent[], DomainError>;
const fail = (code: string, message: string): Decision => err({ code, message });
const none: Decision = ok([]);
const s = decToString;

function validateIntent(intent: OrderIntent): DomainError | undefined {
  const quantity = parseDec(intent.quantity);
  if (quantity === undefined || !quantity.greaterThan(0)) {
    return { code: 'INVALID_INTENT', message: `order quantity ${intent.quantity} is not a positive decimal` };
  }
  const reference = parseDec(intent.referencePrice);
  if (reference === undefined || !reference.greaterThan(0)) {
    return { code: 'INVALID_INTENT', message: `reference price ${intent.referencePrice} is not a positive decimal` };
  }
  if (isConditional(intent.type)) {
    const stop = intent.stopPrice === undefined ? undefined : parseDec(intent.stopPrice);
    if (stop === undefined || !stop.greaterThan(0)) {
      return { code: 'INVALID_INTENT', message: `a ${intent.type} order needs a positive stop price, got ${intent.stopPrice ?? 'none'}` };
    }
  }
  if (intent.trailingPercent !== undefined) {
    const trail = parseDec(intent.trailingPercent);
    if (intent.type !== 'stop_market' || !trail || !trail.greaterThan(0) || !trail.lessThan(100)) {
      return { code: 'INVALID_INTENT', message: `a trailing stop is a stop_market with a distance above 0 and under 100 %, got ${intent.type} ${intent.trailingPercent}` };
    }
  }
  if (intent.trailingDistance !== undefined) {
    const distance = parseDec(intent.trailingDistance);
    if (intent.type !== 'stop_market' || !distance || !distance.greaterThan(0) || intent.trailingPercent !== undefined) {
      return { code: 'INVALID_INTENT', message: `a trailing stop by distance is a stop_market with one distance above 0, got ${intent.type} ${intent.trailingDistance}` };
    }
  }
  if (intent.managed === true && !isConditional(intent.type)) {
    return { code: 'INVALID_INTENT', message: `only a stop or take-profit order can be held by PATRIOT, not a ${intent.type} order` };
  }
  if (intent.managed === true && intent.orderList) {
    return { code: 'INVALID_INTENT', message: 'a leg of a one-cancels-other list is held by the exchange, not by PATRIOT' };
  }
  if (hasLimitPrice(intent.type)) {
    const limit = intent.limitPrice === undefined ? undefined : parseDec(intent.limitPrice);
    if (limit === undefined || !limit.greaterThan(0)) {
      return { code: 'INVALID_INTENT', message: `a limit order needs a positive limit price, got ${intent.limitPrice ?? 'none'}` };
    }
  }
  return undefined;
}

/** The intent of an order that went through approval, or the error explaining why it did not. */
function approvedIntent(state: OrderState, action: string): Result<OrderIntent, DomainError> {
  if (state.status === 'none' || state.status === 'rejected' || state.intent === undefined) {
    return err({
      code: 'ORDER_NOT_APPROVED',
      message: state.status === 'rejected' ? `cannot ${action}: the order was rejected by risk and never sent` : `cannot ${action}: the order was never approved`,
    });
  }
  return ok(state.intent);
}

/** Concluded NOT_PLACED by us, not refused by the exchange: the exchange may still show it (then it is adopted). */
function concludedAbsent(state: OrderState): boolean {
  return state.status === 'exchange_rejected' && state.exchangeRejection?.code === NOT_PLACED;
}

/** Sent quantity and price when they differ from the intent's (both valid decimals); notes when given. */
function sentFields(command: RecordAcceptedCommand, intent: OrderIntent): { sentQuantity?: string; sentPrice?: string; adjustments?: readonly string[] } {
  const quantity = command.sent ? parseDec(command.sent.quantity) : undefined;
  const asked = parseDec(intent.quantity);
  const price = command.sent?.price !== undefined ? parseDec(command.sent.price) : undefined;
  const limit = intent.limitPrice !== undefined ? parseDec(intent.limitPrice) : undefined;
  return {
    ...(quantity && quantity.greaterThan(0) && asked && !quantity.equals(asked) ? { sentQuantity: s(quantity) } : {}),
    ...(hasLimitPrice(intent.type) && price && price.greaterThan(0) && limit && !price.equals(limit) ? { sentPrice: s(price) } : {}),
    ...(command.adjustments && command.adjustments.length > 0 ? { adjustments: [...command.adjustments] } : {}),
  };
}

function terminal(state: OrderState, action: string): Decision {
  return fail('ORDER_TERMINAL', `cannot ${action}: the order is already ${state.status}`);
}

function decideFill(command: RecordFillCommand, state: OrderState, intent: OrderIntent): Decision {
  if (state.tradeIds.has(command.tradeId)) return none;
  if (state.status === 'armed') return fail('ORDER_NOT_SENT', `fill ${command.tradeId}: the order is held by PATRIOT and was never sent`);
  if (state.status === 'exchange_rejected' && !concludedAbsent(state)) return terminal(state, `record fill ${command.tradeId}`);
  if (!command.quantity.greaterThan(0)) {
    return fail('INVALID_FILL', `fill ${command.tradeId} quantity ${s(command.quantity)} must be positive`);
  }
  if (!command.price.greaterThan(0)) {
    return fail('INVALID_FILL', `fill ${command.tradeId} price ${s(command.price)} must be positive`);
  }
  if (state.exchangeOrderId !== undefined && state.exchangeOrderId !== command.exchangeOrderId) {
    return fail(
      'EXCHANGE_ORDER_ID_MISMATCH',
      `fill ${command.tradeId} names exchange order ${command.exchangeOrderId}, but the order was accepted as ${state.exchangeOrderId}`,
    );
  }
  const cumulative = state.filledQuantity.plus(command.quantity);
  if (cumulative.greaterThan(state.quantity)) {
    return fail(
      'OVERFILL',
      `fill ${command.tradeId} of ${s(command.quantity)} would bring the filled quantity to ${s(cumulative)}, above the order quantity ${s(state.quantity)} (already filled ${s(state.filledQuantity)})`,
    );
  }
  const events: OrderEvent[] = [];
  if (state.status === 'approved' || state.status === 'unknown' || concludedAbsent(state)) {
    events.push({
      type: 'OrderAccepted',
      data: { clientOrderId: intent.clientOrderId, accountId: intent.accountId, exchangeOrderId: command.exchangeOrderId },
    });
  }
  events.push({
    type: 'OrderFilled',
    data: {
      clientOrderId: intent.clientOrderId,
      accountId: intent.accountId,
      strategyId: intent.strategyId,
      tradeId: command.tradeId,
      symbol: intent.symbol,
      side: intent.side,
      quantity: s(command.quantity),
      price: s(command.price),
      fee: s(command.fee),
      feeCurrency: command.feeCurrency,
      liquidity: command.liquidity,
      filledAt: command.filledAt,
      cumulativeQuantity: s(cumulative),
      complete: cumulative.equals(state.quantity),
    },
  });
  return ok(events);
}

export function decideOrder(command: OrderCommand, state: OrderState): Decision {
  switch (command.type) {
    case 'Approve':
    case 'Reject': {
      if (state.status !== 'none') {
        return fail('ORDER_EXISTS', `order ${state.intent?.clientOrderId ?? command.intent.clientOrderId} already exists (${state.status})`);
      }
      if (command.type === 'Approve') {
        // only an approval is validated: a rejection must always be recordable, whatever the intent
        const invalid = validateIntent(command.intent);
        if (invalid) return err(invalid);
        return ok([{ type: 'OrderApproved', data: command.intent }]);
      }
      if (command.reasons.length === 0) return fail('REJECT_WITHOUT_REASONS', 'a risk rejection must give at least one reason');
      return ok([{ type: 'OrderRejected', data: { ...command.intent, reasons: command.reasons } }]);
    }

    case 'RecordAccepted': {
      const intent = approvedIntent(state, 'record acceptance');
      if (!intent.ok) return intent;
      const accepted: Decision = ok([
        {
          type: 'OrderAccepted',
          data: { clientOrderId: intent.value.clientOrderId, accountId: intent.value.accountId, exchangeOrderId: command.exchangeOrderId, ...sentFields(command, intent.value) },
        },
      ]);
      switch (state.status) {
        case 'approved':
        case 'unknown':
          return accepted;
        case 'exchange_rejected':
          return concludedAbsent(state) ? accepted : terminal(state, 'record acceptance');
        default:
          // accepted, partially_filled, filled, cancelled, expired: the acceptance is known
          // (or, for a cancel/expiry of a never-accepted order, no longer relevant).
          if (state.exchangeOrderId === undefined) return terminal(state, 'record acceptance');
          if (state.exchangeOrderId !== command.exchangeOrderId) {
            return fail(
              'EXCHANGE_ORDER_ID_MISMATCH',
              `the order was accepted as exchange order ${state.exchangeOrderId}, not ${command.exchangeOrderId}`,
            );
          }
          return none;
      }
    }

    case 'RecordExchangeRejected': {
      const intent = approvedIntent(state, 'record an exchange rejection');
      if (!intent.ok) return intent;
      switch (state.status) {
        case 'approved':
        case 'unknown':
          return ok([
            {
              type: 'OrderExchangeRejected',
              data: { clientOrderId: intent.value.clientOrderId, accountId: intent.value.accountId, code: command.code, reason: command.reason },
            },
          ]);
        case 'exchange_rejected':
          return none;
        case 'accepted':
        case 'partially_filled':
          return fail('INVALID_TRANSITION', `cannot record an exchange rejection: the exchange already accepted the order (${state.status})`);
        default:
          return terminal(state, 'record an exchange rejection');
      }
    }

    case 'RecordUnknown': {
      const intent = approvedIntent(state, 'record an unknown outcome');
      if (!intent.ok) return intent;
      // approved: the answer was lost; unknown: recorded again only when the reason the user sees changed
      if (state.status !== 'approved' && (state.status !== 'unknown' || state.unknownReason === command.reason)) return none;
      return ok([{ type: 'OrderStatusUnknown', data: { clientOrderId: intent.value.clientOrderId, accountId: intent.value.accountId, reason: command.reason } }]);
    }

    case 'RecordFill': {
      const intent = approvedIntent(state, `record fill ${command.tradeId}`);
      if (!intent.ok) return intent;
      return decideFill(command, state, intent.value);
    }

    case 'RecordCancelled': {
      const intent = approvedIntent(state, 'record a cancellation');
      if (!intent.ok) return intent;
      if (state.status === 'cancelled') return none;
      if (isTerminal(state.status)) return terminal(state, 'record a cancellation');
      return ok([{ type: 'OrderCancelled', data: { clientOrderId: intent.value.clientOrderId, accountId: intent.value.accountId, reason: command.reason } }]);
    }

    case 'RecordExpired': {
      const intent = approvedIntent(state, 'record an expiry');
      if (!intent.ok) return intent;
      if (state.status === 'expired') return none;
      if (isTerminal(state.status)) return terminal(state, 'record an expiry');
      return ok([{ type: 'OrderExpired', data: { clientOrderId: intent.value.clientOrderId, accountId: intent.value.accountId } }]);
    }

    case 'Park': {
      const intent = approvedIntent(state, 'park the order');
      if (!intent.ok) return intent;
      if (state.status === 'parked') return none;
      if (state.status !== 'approved') return fail('INVALID_TRANSITION', `only an order not yet sent can be parked; this one is ${state.status}`);
      if (intent.value.type !== 'limit') return fail('INVALID_TRANSITION', 'only limit orders are parked (a market order does not rest on the book)');
      return ok([{ type: 'OrderParked', data: { clientOrderId: intent.value.clientOrderId, accountId: intent.value.accountId, openOrders: command.openOrders, cap: command.cap } }]);
    }

    case 'Release': {
      const intent = approvedIntent(state, 'release the order');
      if (!intent.ok) return intent;
      if (state.status !== 'parked') return fail('INVALID_TRANSITION', `only a parked order can be released; this one is ${state.status}`);
      return ok([{ type: 'OrderReleased', data: { clientOrderId: intent.value.clientOrderId, accountId: intent.value.accountId } }]);
    }

    case 'RecordSubmitted': {
      const intent = approvedIntent(state, 'send the order');
      if (!intent.ok) return intent;
      // an unknown order may be sent again only when the exchange proved the earlier request never arrived (the caller's duty)
      if (state.status !== 'approved' && state.status !== 'unknown') return fail('INVALID_TRANSITION', `only an approved order can be sent; this one is ${state.status}`);
      // a cancel was asked for and the order is not on the exchange (the caller's duty, as above): it is cancelled, not sent
      if (state.cancelRequest) return ok([{ type: 'OrderCancelled', data: { clientOrderId: intent.value.clientOrderId, accountId: intent.value.accountId, reason: cancelledBeforeSent(state.cancelRequest) } }]);
      return ok([{ type: 'OrderSubmitted', data: { clientOrderId: intent.value.clientOrderId, accountId: intent.value.accountId, attempt: state.attempts + 1 } }]);
    }

    case 'RequestCancel':
      return decideCancelRequest(command, state);

    case 'Trigger':
      return decideTrigger(command, state);

    case 'MoveTrail': {
      const intent = approvedIntent(state, 'move the trail');
      if (!intent.ok) return intent;
      if (state.status !== 'armed') return fail('ORDER_NOT_ARMED', `only an armed order held by PATRIOT trails; this one is ${state.status}`);
      const current = parseDec(state.trail?.trigger ?? intent.value.stopPrice);
      if (!current || intent.value.trailingPercent === undefined && intent.value.trailingDistance === undefined) return fail('INVALID_TRANSITION', 'the order does not trail');
      if (!atLeastAsFar(intent.value.side, command.trigger, current) || command.trigger.equals(current)) return none;
      return ok([{ type: 'OrderTrailMoved', data: { clientOrderId: intent.value.clientOrderId, accountId: intent.value.accountId, extreme: s(command.extreme), trigger: s(command.trigger) } }]);
    }

    default:
      return assertNever(command);
  }
}

function decideTrigger(command: TriggerCommand, state: OrderState): Decision {
  const intent = approvedIntent(state, 'trigger the order');
  if (!intent.ok) return intent;
  const { clientOrderId, accountId, type, side } = intent.value;
  if (state.triggered) return none; // triggered already: it is on its way
  if (state.status !== 'armed' || !isConditional(type)) return fail('ORDER_NOT_ARMED', `only an armed order held by PATRIOT triggers; this one is ${state.status}`);
  const recorded = parseDec(state.trail?.trigger ?? intent.value.stopPrice);
  const trails = intent.value.trailingPercent !== undefined || intent.value.trailingDistance !== undefined;
  if (!recorded || !(trails ? atLeastAsFar(side, command.trigger, recorded) : command.trigger.equals(recorded))) {
    return fail('TRIGGER_MISMATCH', `the trigger ${s(command.trigger)} is not the order's (${recorded ? s(recorded) : 'none'})`);
  }
  if (!triggers(type, side, command.trigger, command.price)) return fail('NOT_TRIGGERED', `the price ${s(command.price)} has not crossed the trigger ${s(command.trigger)}`);
  const events: OrderEvent[] = [];
  if (!command.trigger.equals(recorded)) {
    events.push({ type: 'OrderTrailMoved', data: { clientOrderId, accountId, extreme: s(command.extreme ?? command.price), trigger: s(command.trigger) } });
  }
  events.push({ type: 'OrderTriggered', data: { clientOrderId, accountId, trigger: s(command.trigger), price: s(command.price), source: command.source, quotedAt: command.quotedAt } });
  return ok(events);
}

const cancelledBeforeSent = (request: { readonly by: string; readonly reason: string }): string =>
  `cancelled before it was sent (${request.reason}; by ${request.by})`;

function decideCancelRequest(command: RequestCancelCommand, state: OrderState): Decision {
  if (state.status === 'none' || state.intent === undefined) return fail('ORDER_NOT_FOUND', 'no such order');
  if (state.status === 'rejected') return fail('ORDER_NOT_OPEN', 'the order was rejected by risk and never sent: there is nothing to cancel');
  if (isTerminal(state.status)) return fail('ORDER_NOT_OPEN', `the order is already ${state.status}: there is nothing to cancel`);
  if (state.cancelRequest) return none; // asked already: the executor is on it
  const { clientOrderId, accountId } = state.intent;
  const requested: OrderEvent = { type: 'OrderCancelRequested', data: { clientOrderId, accountId, by: command.by, reason: command.reason } };
  if (state.status === 'parked' || state.status === 'armed' || (state.status === 'approved' && state.attempts === 0)) {
    return ok([requested, { type: 'OrderCancelled', data: { clientOrderId, accountId, reason: cancelledBeforeSent(command) } }]);
  }
  return ok([requested]);
}

/**
 * The order's status after one of its events: the one order state machine. `evolveOrder` takes
 * its status from here, and so do the read model and the write side's in-memory trading state,
 * so they cannot disagree (a late partial fill on a cancelled order leaves it cancelled everywhere).
 */
export function orderStatusAfter(status: OrderStatus, event: OrderEvent): OrderStatus {
  switch (event.type) {
    case 'OrderApproved':
      return event.data.managed === true ? 'armed' : 'approved';
    case 'OrderRejected':
      return 'rejected';
    case 'OrderAccepted':
      // approved, unknown, or concluded not placed and shown by the exchange after all (adopted)
      return status === 'none' || status === 'approved' || status === 'unknown' || status === 'exchange_rejected' ? 'accepted' : status;
    case 'OrderExchangeRejected':
      return 'exchange_rejected';
    case 'OrderStatusUnknown':
      return 'unknown';
    case 'OrderFilled':
      // a late fill on a cancelled/expired order (the cancel raced a trade) keeps that status
      if (event.data.complete) return 'filled';
      return status === 'cancelled' || status === 'expired' ? status : 'partially_filled';
    case 'OrderCancelled':
      return 'cancelled';
    case 'OrderExpired':
      return 'expired';
    case 'OrderParked':
      return 'parked';
    case 'OrderReleased':
    case 'OrderSubmitted':
      return 'approved';
    case 'OrderCancelRequested':
      return status; // a request: the exchange's answer changes the status
    case 'OrderTriggered':
      return status === 'armed' ? 'approved' : status;
    case 'OrderTrailMoved':
      return status;
    default:
      return assertNever(event);
  }
}

export function evolveOrder(state: OrderState, event: OrderEvent): OrderState {
  const status = orderStatusAfter(state.status, event);
  switch (event.type) {
    case 'OrderApproved':
      return { ...state, status, intent: event.data, quantity: new Dec(event.data.quantity) };
    case 'OrderRejected': {
      const { reasons, ...intent } = event.data;
      return { ...state, status, intent, quantity: parseDec(intent.quantity) ?? ZERO, riskReasons: reasons };
    }
    case 'OrderAccepted': {
      // the exchange holds less than asked (rounded down to its step): that is what fills complete
      const sent = event.data.sentQuantity !== undefined ? parseDec(event.data.sentQuantity) : undefined;
      const quantity = sent && sent.greaterThan(0) && sent.lessThan(state.quantity) ? sent : state.quantity;
      return { ...state, status, exchangeOrderId: event.data.exchangeOrderId, quantity };
    }
    case 'OrderExchangeRejected':
      return { ...state, status, exchangeRejection: { code: event.data.code, reason: event.data.reason } };
    case 'OrderStatusUnknown':
      return { ...state, status, unknownReason: event.data.reason };
    case 'OrderFilled': {
      const tradeIds = new Set(state.tradeIds);
      tradeIds.add(event.data.tradeId);
      return { ...state, status, filledQuantity: new Dec(event.data.cumulativeQuantity), tradeIds };
    }
    case 'OrderCancelled': {
      const { cancelRequest: _answered, ...rest } = state;
      return { ...rest, status, cancelReason: event.data.reason };
    }
    case 'OrderCancelRequested':
      return { ...state, status, cancelRequest: { by: event.data.by, reason: event.data.reason } };
    case 'OrderSubmitted':
      return { ...state, status, attempts: event.data.attempt };
    case 'OrderTriggered':
      return { ...state, status, triggered: { trigger: event.data.trigger, price: event.data.price } };
    case 'OrderTrailMoved':
      return { ...state, status, trail: { trigger: event.data.trigger, extreme: event.data.extreme } };
    case 'OrderExpired':
    case 'OrderParked':
    case 'OrderReleased':
      return { ...state, status };
    default:
      return assertNever(event);
  }
}

export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState> = {
  initialState: initialOrderState,
  decide: decideOrder,
  evolve: evolveOrder,
};
