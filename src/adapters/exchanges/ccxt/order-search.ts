import type { OrderSearch, OrderSearchResult } from '../../../application/ports/exchange.js';
import type { Logger } from '../../../application/ports/logger.js';
import { Dec, parseDec } from '../../../domain/shared/decimal.js';
import type { AccountEntry } from './account-entry.js';
import type { CcxtClients } from './ccxt-clients.js';
import type { CcxtClient, CcxtMarketLike, CcxtOrderLike, CcxtTradeLike } from './ccxt-types.js';
import type { ExchangeCaller } from './exchange-call.js';
import type { KnownOrders } from './known-orders.js';
import type { OrderCompletion } from './order-completion.js';
import type { OrderLookups } from './order-lookups.js';
import { contractSizeOf, portSymbolOf } from './order-mapping.js';
import { validateOrder } from './order-validation.js';
import { attributeTrades, type LostOrder } from './trade-attribution.js';

/** The search starts this long before the first possible send: our clock and the exchange's differ. */
export const SEARCH_SKEW_MS = 60_000;
const MAX_PAGES = 5;
/** unidentified orders whose fills could be the lost one's, looked up by exchange id to name them */
const MAX_NAMED = 5;

export interface OrderSearchDeps {
  readonly log: Logger;
  readonly caller: ExchangeCaller;
  readonly clients: CcxtClients;
  readonly knownOrders: KnownOrders;
  readonly completion: OrderCompletion;
  readonly lookups: OrderLookups;
}

/** Where an order can show on an exchange, in the order they are asked. */
export const SEARCH_SOURCES = ['order query', 'order list', 'open orders', 'trades'] as const;
type Source = (typeof SEARCH_SOURCES)[number];

/**
 * Looks for an order whose answer was lost everywhere the exchange could show it: the order
 * query by clientOrderId, the account's orders on the symbol since the send (Binance allOrders),
 * its open orders, and its trades since the send (Binance myTrades, which name the exchange's
 * order id only: see `attributeTrades`). Found anywhere: the order, with its fills. `absent` only
 * when every source answered; a source that failed, or fills that could be the order's but
 * cannot be told apart, make it `inconclusive` — the order is then looked up again, never resent.
 */
export class OrderSearcher {
  constructor(private readonly deps: OrderSearchDeps) {}

  async search(accountId: string, clientOrderId: string, s: OrderSearch): Promise<OrderSearchResult> {
    const { caller, completion, knownOrders } = this.deps;
    let entry: AccountEntry;
    let market: CcxtMarketLike;
    try {
      ({ entry, market } = await this.deps.lookups.target(accountId, clientOrderId, s.symbol));
    } catch (error) {
      return { kind: 'inconclusive', unread: ['exchange'], reason: this.text(undefined, error) };
    }
    const unread: Source[] = [];
    const reasons: string[] = [];
    const failed = (source: Source, error: unknown) => {
      unread.push(source);
      reasons.push(`${source}: ${this.text(entry, error)}`);
    };
    const found = async (raw: CcxtOrderLike, source: Source): Promise<OrderSearchResult> => ({
      kind: 'found',
      order: await completion.complete(entry, market, raw, { clientOrderId }, true),
      source,
    });

    try {
      const queried = await caller.read(entry, (client) => entry.profile.fetchByClientOrderId(client, clientOrderId, market.symbol), true);
      if (queried) return await found(queried, 'order query');
    } catch (error) {
      failed('order query', error);
    }
    if (s.quick) return unread.length > 0 ? { kind: 'inconclusive', unread, reason: reasons.join('; ') } : { kind: 'absent', sources: ['order query'] };

    const since = s.sentFrom - SEARCH_SKEW_MS;
    const claimed = knownOrders.exchangeIdsOfOthers(accountId, clientOrderId);
    const listed = async (source: Source, fetch: (client: CcxtClient, from: number) => Promise<CcxtOrderLike[]>): Promise<OrderSearchResult | undefined> => {
      try {
        const orders = await this.pages(entry, since, fetch);
        const mine = orders.find((o) => o.clientOrderId === clientOrderId);
        if (mine) return await found(mine, source);
        for (const o of orders) if (o.id !== undefined && o.id !== null) claimed.add(String(o.id));
      } catch (error) {
        failed(source, error);
      }
      return undefined;
    };
    const inList = await listed('order list', (client, from) => entry.profile.ordersSince(client, market.symbol, from, entry.profile.pageSize));
    if (inList) return inList;
    // open orders placed before the window: their fills inside it are not this order's
    const inOpen = await listed('open orders', async (client) => client.fetchOpenOrders(market.symbol, undefined, undefined, {}));
    if (inOpen) return inOpen;

    try {
      const trades = await this.pages(entry, since, (client, from) => client.fetchMyTrades(market.symbol, from, entry.profile.pageSize));
      const lost = this.lostOrder(entry, market, s);
      let verdict = attributeTrades(trades, claimed, lost);
      if (verdict.kind === 'ambiguous' && verdict.candidates.length > 0 && verdict.candidates.length <= MAX_NAMED) {
        // ask the exchange which order each candidate is: one of them may be this one, the others not
        for (const id of verdict.candidates) {
          const named = await this.byExchangeId(entry, market, id);
          if (named?.clientOrderId === clientOrderId) return await found(named, 'order query');
          if (named) claimed.add(id);
        }
        verdict = attributeTrades(trades, claimed, lost);
      }
      switch (verdict.kind) {
        case 'none':
          break;
        case 'one': {
          const rivals = knownOrders.unresolvedSince(accountId, portSymbolOf(market), since, clientOrderId);
          if (rivals.length > 0) {
            // another order sent meanwhile is unaccounted for too: the fill could be its, not this one's
            unread.push('trades');
            reasons.push(`trades: a fill the exchange does not name could be this order's or one of ${rivals.length} other order(s) whose answers were lost too`);
            break;
          }
          this.deps.log.warn({ accountId, clientOrderId, exchangeOrderId: verdict.exchangeOrderId }, 'order adopted by its trades: the exchange does not show the order itself yet');
          return await found(this.fromTrades(clientOrderId, market, s, lost, verdict.exchangeOrderId, verdict.trades), 'trades');
        }
        case 'ambiguous':
          unread.push('trades');
          reasons.push(`trades: ${verdict.reason}`);
          break;
      }
    } catch (error) {
      failed('trades', error);
    }

    if (unread.length > 0) return { kind: 'inconclusive', unread, reason: reasons.join('; ') };
    return { kind: 'absent', sources: [...SEARCH_SOURCES] };
  }

  /** The order with this exchange id, `undefined` when the exchange does not show it (or cannot be asked). */
  private async byExchangeId(entry: AccountEntry, market: CcxtMarketLike, exchangeOrderId: string): Promise<CcxtOrderLike | undefined> {
    try {
      return (await this.deps.caller.read(entry, (client) => client.fetchOrder(exchangeOrderId, market.symbol), true)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** Up to MAX_PAGES pages from `since`; throws when there are more (the order could be beyond them). */
  private async pages<T extends { id?: unknown; timestamp?: number | null | undefined }>(
    entry: AccountEntry,
    since: number,
    fetch: (client: CcxtClient, from: number) => Promise<T[]>,
  ): Promise<T[]> {
    const byId = new Map<string, T>();
    let from = since;
    for (let page = 0; page < MAX_PAGES; page++) {
      const batch = await this.deps.caller.read(entry, (client) => fetch(client, from), false);
      for (const item of batch) byId.set(String(item.id ?? `${byId.size}`), item);
      if (batch.length < entry.profile.pageSize) return [...byId.values()];
      const latest = Math.max(...batch.map((item) => item.timestamp ?? from));
      if (latest <= from) break;
      from = latest;
    }
    throw new Error(`more than ${MAX_PAGES} pages of entries since the send; the order could be among those not read`);
  }

  /** The order as it was sent: the same rounding as at placement (market orders without a notional check). */
  private lostOrder(entry: AccountEntry, market: CcxtMarketLike, s: OrderSearch): LostOrder {
    const checked = validateOrder(market, entry.venue.precisionMode, { side: s.side, type: s.type, quantity: s.quantity, ...(s.limitPrice !== undefined ? { limitPrice: s.limitPrice } : {}) });
    const asked = (parseDec(s.quantity) ?? new Dec(0)).dividedBy(contractSizeOf(market));
    const limit = checked.ok ? checked.price : s.limitPrice;
    return {
      side: s.side,
      type: s.type,
      amount: checked.ok ? new Dec(checked.amount) : asked,
      ...(limit !== undefined ? { limitPrice: new Dec(limit) } : {}),
    };
  }

  private fromTrades(clientOrderId: string, market: CcxtMarketLike, s: OrderSearch, lost: LostOrder, exchangeOrderId: string, trades: readonly CcxtTradeLike[]): CcxtOrderLike {
    return {
      id: exchangeOrderId,
      clientOrderId,
      symbol: market.symbol,
      side: s.side,
      type: s.type,
      status: 'closed',
      amount: lost.amount.toString(),
      filled: lost.amount.toString(),
      ...(lost.limitPrice ? { price: lost.limitPrice.toString() } : {}),
      trades,
    };
  }

  private text(entry: AccountEntry | undefined, error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return entry ? this.deps.clients.redact(entry, message) : message;
  }
}
