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
