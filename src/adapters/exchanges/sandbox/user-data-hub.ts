import type { Clock } from '../../../application/ports/clock.js';
import type { ExchangeOrder, OrderUpdate } from '../../../application/ports/exchange.js';
import type { PaperOrderList } from '../paper/order-lists.js';
import type { PaperExchange } from '../paper/paper-exchange.js';
import { legsOf, listDone, listStatusEvent } from './order-list-views.js';
import type { OrderIndex } from './order-index.js';
import type { SymbolTable } from './symbols.js';
import { accountPosition, executionReport, type ExecutionType } from './user-data-events.js';
import { timesOf, type OrderTimes } from './wire-format.js';

export type UserDataSink = (event: Record<string, unknown>) => void;

/**
 * Turns the paper exchange's order updates into Binance user-data events per account
 * (`executionReport`, then `outboundAccountPosition` with the assets that changed) and fans
 * them out to the account's subscribers (WebSocket API subscriptions and listenKey streams).
 */
export class UserDataHub {
  private readonly sinks = new Map<string, Set<UserDataSink>>();
  /** Assets whose balance changed, per account, waiting for one coalesced balance event. */
  private readonly changedAssets = new Map<string, Set<string>>();
  private readonly unsubscribe: () => void;
  /** Lists whose ALL_DONE was published (one event per list; the oldest forgotten beyond a bound). */
  private readonly listsDone = new Set<string>();

  constructor(
    private readonly exchange: PaperExchange,
    private readonly index: OrderIndex,
    private readonly symbols: SymbolTable,
    private readonly clock: Clock,
  ) {
    this.unsubscribe = exchange.onOrderUpdate((update) => this.onUpdate(update));
  }

  subscribe(accountId: string, sink: UserDataSink): () => void {
    let set = this.sinks.get(accountId);
    if (!set) this.sinks.set(accountId, (set = new Set()));
    const entry: UserDataSink = (event) => sink(event);
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0 && this.sinks.get(accountId) === set) this.sinks.delete(accountId);
    };
  }

  /** An order accepted through the API: Binance reports NEW before any trade. */
  orderAccepted(accountId: string, order: ExchangeOrder, times: OrderTimes): void {
    this.report(accountId, 'NEW', order, times);
  }

  /** An order list accepted through the API: each leg's NEW, then the list's EXEC_STARTED (issue 17). */
  orderListAccepted(accountId: string, list: PaperOrderList, times: OrderTimes): void {
    for (const leg of legsOf(list)) this.report(accountId, 'NEW', leg, times);
    if (this.sinks.has(accountId)) this.publish(accountId, listStatusEvent(list, this.symbols.idOf(list.symbol), times.createdAt, this.clock.now()));
  }

  close(): void {
    this.unsubscribe();
    this.sinks.clear();
    this.changedAssets.clear();
    this.listsDone.clear();
  }

  private onUpdate(update: OrderUpdate): void {
    const { accountId, order, fill } = update;
    const kind: ExecutionType | undefined = fill ? 'TRADE' : order.status === 'cancelled' ? 'CANCELED' : order.status === 'expired' ? 'EXPIRED' : undefined;
    if (!kind) return;
    const indexed = this.index.byOrderId(accountId, Number(order.exchangeOrderId));
    this.report(accountId, kind, order, timesOf(order, indexed, this.clock.now()), fill);
    if (order.orderListId !== undefined && order.status !== 'open' && order.status !== 'partially_filled') void this.listEnded(accountId, order.orderListId);
  }

  /** A leg ended: once no leg of its list is open, the list's ALL_DONE (after the legs' reports). */
  private async listEnded(accountId: string, orderListId: string): Promise<void> {
    const key = `${accountId}\u0000${orderListId}`;
    if (!this.sinks.has(accountId) || this.listsDone.has(key)) return;
    let list: PaperOrderList | null;
    try {
      list = await this.exchange.fetchOrderList(accountId, { orderListId });
    } catch {
      return; // the exchange closed meanwhile
    }
    if (!list || !listDone(list) || this.listsDone.has(key)) return;
    this.listsDone.add(key);
    if (this.listsDone.size > 10_000) this.listsDone.delete(this.listsDone.values().next().value!);
    const now = this.clock.now();
    this.publish(accountId, listStatusEvent(list, this.symbols.idOf(list.symbol), now, now));
  }

  private report(accountId: string, kind: ExecutionType, order: ExchangeOrder, times: OrderTimes, fill?: OrderUpdate['fill']): void {
    if (!this.sinks.has(accountId)) return;
    const market = this.symbols.find(order.symbol);
    this.publish(accountId, executionReport(kind, order, this.symbols.idOf(order.symbol), times, this.clock.now(), fill));
    if (market) this.balanceChanged(accountId, [market.base, market.quote]);
  }

  private balanceChanged(accountId: string, assets: readonly string[]): void {
    let pending = this.changedAssets.get(accountId);
    const first = !pending;
    if (!pending) this.changedAssets.set(accountId, (pending = new Set()));
    for (const asset of assets) pending.add(asset);
    if (first) setImmediate(() => void this.pushBalances(accountId));
  }

  private async pushBalances(accountId: string): Promise<void> {
    const assets = this.changedAssets.get(accountId);
    this.changedAssets.delete(accountId);
    if (!assets || !this.sinks.has(accountId)) return;
    try {
      const balances = (await this.exchange.fetchBalances(accountId)).filter((balance) => assets.has(balance.asset));
      if (balances.length > 0) this.publish(accountId, accountPosition(balances, this.clock.now()));
    } catch {
      // the exchange closed meanwhile: nothing to push
    }
  }

  private publish(accountId: string, event: Record<string, unknown>): void {
    for (const sink of [...(this.sinks.get(accountId) ?? [])]) {
      try {
        sink(event);
      } catch {
        // one broken connection must not starve the others
      }
    }
  }
}
