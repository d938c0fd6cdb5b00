import type { OrderIntent } from '../../domain/events.js';
import { isTerminal, type OrderState } from '../../domain/orders/order-decider.js';
import type { ExchangeGateway, ExchangeOrder } from '../ports/exchange.js';

/**
 * What a recorded cancel request still needs (issue 17):
 * - `nothing`: no request pending, or the order is final (the request was answered or overtaken);
 * - `placement_outcome`: the order may be on the exchange (sent, answer not recorded): find it first;
 * - `exchange`: the order is open on the exchange: ask it to cancel.
 * Parked orders and orders never sent are cancelled when the request is recorded (the decider).
 */
export function cancelNeeds(state: OrderState): 'nothing' | 'placement_outcome' | 'exchange' {
  if (!state.cancelRequest || !state.intent || isTerminal(state.status)) return 'nothing';
  switch (state.status) {
    case 'approved':
    case 'unknown':
      return 'placement_outcome';
    case 'accepted':
    case 'partially_filled':
      return 'exchange';
    default:
      return 'nothing';
  }
}

export type CancelAnswer =
  /** the order as the exchange has it after the request (cancelled, or filled if a fill won the race) */
  | { readonly kind: 'answered'; readonly order: ExchangeOrder; readonly reason?: undefined }
  /** the exchange says it has no such order (contradicts our log: the order is looked up) */
  | { readonly kind: 'absent'; readonly reason: string }
  /** timeout, 5xx, connection lost: the cancel may or may not have happened */
  | { readonly kind: 'unknown'; readonly reason: string };

/** Asks the exchange to cancel; never throws (a thrown error is an unknown outcome). */
export async function askToCancel(exchange: ExchangeGateway, intent: OrderIntent): Promise<CancelAnswer> {
  try {
    const order = await exchange.cancelOrder(intent.accountId, intent.clientOrderId, intent.symbol);
    return order ? { kind: 'answered', order } : { kind: 'absent', reason: 'the exchange shows no such order' };
  } catch (error) {
    return { kind: 'unknown', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The reason recorded with a cancellation someone asked for. */
export const cancelledReason = (request: { readonly by: string; readonly reason: string }): string => `cancelled (${request.reason}; by ${request.by})`;
