import type { Balance, ExchangeGateway, ExchangeOrder, Market, OrderSearch, OrderSearchResult, OrderUpdate, PlaceOrderListRequest, PlaceOrderListResult, PlaceOrderRequest, PlaceOrderResult } from '../../application/ports/exchange.js';
import { searchOrder } from '../../application/workflows/order-search.js';

/**
 * One ExchangeGateway over several: each account's calls go to the gateway its exchange is on
 * (the paper simulator, or ccxt for a real exchange). Updates from every gateway reach every
 * listener; markets are the union, by symbol (the first gateway listing a symbol wins).
 */
export class AccountRoutedExchange implements ExchangeGateway {
  constructor(
    private readonly gateways: readonly ExchangeGateway[],
    /** the gateway of an account; throws for an account that cannot trade (unknown, misconfigured) */
    private readonly route: (accountId: string) => ExchangeGateway,
  ) {}

  markets(): readonly Market[] {
    const bySymbol = new Map<string, Market>();
    for (const g of this.gateways) for (const m of g.markets()) if (!bySymbol.has(m.symbol)) bySymbol.set(m.symbol, m);
    return [...bySymbol.values()];
  }

  async placeOrder(accountId: string, request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    let gateway: ExchangeGateway;
    try {
      gateway = this.route(accountId);
    } catch (error) {
      // nothing was sent: a definitive refusal the user can act on
      return { kind: 'rejected', code: 'ACCOUNT_NOT_TRADABLE', reason: error instanceof Error ? error.message : String(error) };
    }
    return gateway.placeOrder(accountId, request);
  }

  placesOrderLists(accountId: string): boolean {
    try {
      const gateway = this.route(accountId);
      return gateway.placesOrderLists?.(accountId) === true && gateway.placeOrderList !== undefined;
    } catch {
      return false;
    }
  }

  async placeOrderList(accountId: string, request: PlaceOrderListRequest): Promise<PlaceOrderListResult> {
    let gateway: ExchangeGateway;
    try {
      gateway = this.route(accountId);
    } catch (error) {
      return { kind: 'rejected', code: 'ACCOUNT_NOT_TRADABLE', reason: error instanceof Error ? error.message : String(error) };
    }
    // nothing is sent as something else: a list goes only to an exchange that holds lists
    if (!gateway.placeOrderList || gateway.placesOrderLists?.(accountId) !== true) return { kind: 'rejected', code: 'NOT_SUPPORTED', reason: `the exchange of account ${accountId} has no one-cancels-other lists; nothing was sent` };
    return gateway.placeOrderList(accountId, request);
  }

  async fetchOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null> {
    return this.route(accountId).fetchOrder(accountId, clientOrderId, symbol);
  }

  async searchOrder(accountId: string, clientOrderId: string, search: OrderSearch): Promise<OrderSearchResult> {
    let gateway: ExchangeGateway;
    try {
      gateway = this.route(accountId);
    } catch (error) {
      return { kind: 'inconclusive', unread: ['exchange'], reason: error instanceof Error ? error.message : String(error) };
    }
    return searchOrder(gateway, accountId, clientOrderId, search);
  }

  async placementReceived(accountId: string, clientOrderId: string): Promise<boolean | undefined> {
    const gateway = this.route(accountId);
    return gateway.placementReceived ? gateway.placementReceived(accountId, clientOrderId) : undefined;
  }

  async cancelOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null> {
    return this.route(accountId).cancelOrder(accountId, clientOrderId, symbol);
  }

  async fetchOpenOrders(accountId: string): Promise<ExchangeOrder[]> {
    return this.route(accountId).fetchOpenOrders(accountId);
  }

  async fetchBalances(accountId: string): Promise<Balance[]> {
    return this.route(accountId).fetchBalances(accountId);
  }

  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void {
    const offs = this.gateways.map((g) => g.onOrderUpdate(listener));
    return () => {
      for (const off of offs) off();
    };
  }
}
