import type { ExchangeGateway, OrderSearch, OrderSearchResult } from '../ports/exchange.js';

/**
 * Looks for an order whose answer was lost: through the gateway's own search when it has one
 * (ccxt: the order query, the account's orders and its trades since the send), else through its
 * order query alone (the paper exchange shows an order at once). A failed query is inconclusive.
 */
export async function searchOrder(gateway: ExchangeGateway, accountId: string, clientOrderId: string, search: OrderSearch): Promise<OrderSearchResult> {
  if (gateway.searchOrder) return gateway.searchOrder(accountId, clientOrderId, search);
  try {
    const order = await gateway.fetchOrder(accountId, clientOrderId, search.symbol);
    return order ? { kind: 'found', order, source: 'order query' } : { kind: 'absent', sources: ['order query'] };
  } catch (error) {
    return { kind: 'inconclusive', unread: ['order query'], reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Why an order that left without a recorded answer, and that the exchange does not have, is final. */
export const NOT_PLACED_REASON =
  'the order was sent but its answer was not recorded (a restart or a lost answer), and the exchange has no order with this id: it refused it or never received it; it is not sent again';

/** NOT_PLACED_REASON, naming the sources of the exchange that were asked. */
export function notPlacedReason(sources: readonly string[]): string {
  return sources.length <= 1 ? NOT_PLACED_REASON : `${NOT_PLACED_REASON} (asked after its visibility window: ${sources.join(', ')})`;
}

/** What the user sees while an order's fate is not known. Stable across look-ups, so it is recorded again only when it changes. */
export function unknownReason(result: Exclude<OrderSearchResult, { kind: 'found' }>): string {
  return result.kind === 'inconclusive'
    ? `the exchange has not shown this order, and its absence cannot be established: ${result.unread.join(', ')} could not be checked; it is looked up again and is never sent twice`
    : 'the exchange has not shown this order yet (exchanges may take a while to show a new order); it is looked up again and is never sent twice';
}
