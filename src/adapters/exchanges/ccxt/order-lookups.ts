import type { ExchangeOrder } from '../../../application/ports/exchange.js';
import type { AccountEntry } from './account-entry.js';
import type { AccountRegistry } from './account-registry.js';
import type { CcxtMarketLike } from './ccxt-types.js';
import { ExchangeCallError } from './exchange-call-error.js';
import type { ExchangeCaller } from './exchange-call.js';
import type { KnownOrders } from './known-orders.js';
import type { OrderCompletion } from './order-completion.js';

export interface OrderLookupDeps {
  readonly registry: AccountRegistry;
  readonly caller: ExchangeCaller;
  readonly knownOrders: KnownOrders;
  readonly completion: OrderCompletion;
}

/**
 * Look-up and cancel by clientOrderId (how each exchange does it is its profile's business, see
 * `exchange-profiles.ts`). `null` only on the exchange's "no such order", and not within the
 * not-found grace after this gateway sent the order; anything inconclusive throws.
 */
export class OrderLookups {
  constructor(private readonly deps: OrderLookupDeps) {}

  async fetchOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null> {
    const { entry, market } = await this.target(accountId, clientOrderId, symbol);
    const found = await this.deps.caller.read(entry, (client) => entry.profile.fetchByClientOrderId(client, clientOrderId, market.symbol), true);
    if (found === null) {
      this.deps.knownOrders.assertAbsenceIsDefinitive(clientOrderId);
      return null;
    }
    return this.deps.completion.complete(entry, market, found, { clientOrderId }, true);
  }

  async cancelOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null> {
    const { entry, market } = await this.target(accountId, clientOrderId, symbol);
    const cancelled = await this.deps.caller.read(entry, (client) => entry.profile.cancelByClientOrderId(client, clientOrderId, market.symbol), true);
    // Cancel answers are sparse (ids only on Bybit/OKX) or, on "unknown order", say nothing about
    // an order that is already final: report the order as the exchange now has it.
    try {
      const now = await this.fetchOrder(accountId, clientOrderId, market.symbol);
      if (now || cancelled === null) return now;
    } catch (error) {
      if (cancelled === null) throw error;
    }
    return this.deps.completion.complete(entry, market, { ...cancelled, status: cancelled.status ?? 'canceled' }, { clientOrderId }, false);
  }

  /** The account and the ccxt market of the order (the symbol given, or the one it was sent with). */
  async target(accountId: string, clientOrderId: string, symbol: string | undefined): Promise<{ entry: AccountEntry; market: CcxtMarketLike }> {
    const entry = this.deps.registry.entry(accountId);
    await this.deps.caller.loadVenueOrThrow(entry);
    const wanted = symbol ?? this.deps.knownOrders.symbolOf(clientOrderId);
    if (wanted === undefined) throw new ExchangeCallError({ kind: 'local', reason: `the symbol of order ${clientOrderId} is needed to look it up on ${entry.config.exchangeId}` });
    const market = entry.venue.resolve(wanted);
    if (!market) throw new ExchangeCallError({ kind: 'local', reason: `${wanted} is not a ${entry.venue.spec.marketType} market of ${entry.config.exchangeId}` });
    return { entry, market };
  }
}
