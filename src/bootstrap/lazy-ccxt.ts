import type { Balance, ExchangeGateway, ExchangeOrder, Market, OrderSearch, OrderSearchResult, OrderUpdate, PlaceOrderListRequest, PlaceOrderListResult, PlaceOrderRequest, PlaceOrderResult } from '../application/ports/exchange.js';
import { holdsOrderLists } from '../adapters/exchanges/ccxt/order-list-venues.js';
import type { CcxtAccount, CcxtExchangeGateway, MonitorState } from '../adapters/exchanges/ccxt/index.js';

/**
 * The ccxt gateway, loaded on first need. ccxt is a large library (about 0.8 s to import); a
 * server whose accounts are all on the paper exchange never pays for it, and one with real
 * accounts loads it in the background at start-up. Calls made before it is loaded wait for it;
 * listeners added before are attached when it arrives.
 */
export class LazyCcxtGateway implements ExchangeGateway {
  private loading: Promise<CcxtExchangeGateway> | undefined;
  private gateway: CcxtExchangeGateway | undefined;
  private readonly registered = new Map<string, Promise<CcxtExchangeGateway>>();
  /** whether each registered account's venue holds one-cancels-other lists (known before ccxt is loaded) */
  private readonly lists = new Map<string, boolean>();
  private readonly updateListeners = new Set<(update: OrderUpdate) => void>();
  private readonly monitorListeners = new Set<(accountId: string, state: MonitorState) => void>();

  constructor(private readonly make: () => Promise<CcxtExchangeGateway>) {}

  /** The gateway if it is loaded (nothing is loaded by asking). */
  get loaded(): CcxtExchangeGateway | undefined {
    return this.gateway;
  }

  load(): Promise<CcxtExchangeGateway> {
    this.loading ??= this.make().then((g) => {
      g.onOrderUpdate((update) => {
        for (const l of this.updateListeners) l(update);
      });
      g.onMonitorStateChange((accountId, state) => {
        for (const l of this.monitorListeners) l(accountId, state);
      });
      this.gateway = g;
      return g;
    });
    return this.loading;
  }

  /** Registers the account once the gateway is loaded; its calls wait for that. Rejects for an exchange ccxt does not know. */
  register(account: CcxtAccount): Promise<CcxtExchangeGateway> {
    const done = this.load().then((g) => {
      g.registerAccount(account);
      return g;
    });
    this.registered.set(account.accountId, done);
    this.lists.set(account.accountId, holdsOrderLists(account.exchangeId, account.marketType));
    return done;
  }

  /** The loaded gateway once the account is registered on it. */
  ready(accountId: string): Promise<CcxtExchangeGateway> {
    return this.registered.get(accountId) ?? Promise.reject(new Error(`account ${accountId} is not set up on a ccxt exchange`));
  }

  markets(): readonly Market[] {
    return this.gateway?.markets() ?? [];
  }

  async placeOrder(accountId: string, request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    let g: CcxtExchangeGateway;
    try {
      g = await this.ready(accountId);
    } catch (error) {
      return { kind: 'rejected', code: 'ACCOUNT_NOT_TRADABLE', reason: error instanceof Error ? error.message : String(error) };
    }
    return g.placeOrder(accountId, request);
  }

  placesOrderLists(accountId: string): boolean {
    return this.lists.get(accountId) === true;
  }

  async placeOrderList(accountId: string, request: PlaceOrderListRequest): Promise<PlaceOrderListResult> {
    let g: CcxtExchangeGateway;
    try {
      g = await this.ready(accountId);
    } catch (error) {
      return { kind: 'rejected', code: 'ACCOUNT_NOT_TRADABLE', reason: error instanceof Error ? error.message : String(error) };
    }
    return g.placeOrderList(accountId, request);
  }

  async fetchOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null> {
    return (await this.ready(accountId)).fetchOrder(accountId, clientOrderId, symbol);
  }

  async searchOrder(accountId: string, clientOrderId: string, search: OrderSearch): Promise<OrderSearchResult> {
    let g: CcxtExchangeGateway;
    try {
      g = await this.ready(accountId);
    } catch (error) {
      return { kind: 'inconclusive', unread: ['exchange'], reason: error instanceof Error ? error.message : String(error) };
    }
    return g.searchOrder(accountId, clientOrderId, search);
  }

  async cancelOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null> {
    return (await this.ready(accountId)).cancelOrder(accountId, clientOrderId, symbol);
  }

  async fetchOpenOrders(accountId: string): Promise<ExchangeOrder[]> {
    return (await this.ready(accountId)).fetchOpenOrders(accountId);
  }

  async fetchBalances(accountId: string): Promise<Balance[]> {
    return (await this.ready(accountId)).fetchBalances(accountId);
  }

  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void {
    this.updateListeners.add(listener);
    return () => void this.updateListeners.delete(listener);
  }

  onMonitorStateChange(listener: (accountId: string, state: MonitorState) => void): () => void {
    this.monitorListeners.add(listener);
    return () => void this.monitorListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.loading) await (await this.loading.catch(() => undefined))?.close();
  }
}
