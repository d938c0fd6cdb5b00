import type { ExchangeOrder } from '../../../application/ports/exchange.js';
import type { Logger } from '../../../application/ports/logger.js';
import type { AccountEntry } from './account-entry.js';
import type { CcxtClients } from './ccxt-clients.js';
import type { CcxtMarketLike, CcxtOrderLike } from './ccxt-types.js';
import { ExchangeCallError } from './exchange-call-error.js';
import type { ExchangeCaller } from './exchange-call.js';
import type { CcxtGatewayOptions } from './gateway-options.js';
import type { KnownOrders } from './known-orders.js';
import { OrderMappingError, filledByFills, mapOrder, portSymbolOf, toDec, type OrderFallback } from './order-mapping.js';
import type { Scheduler } from './scheduler.js';

export interface OrderCompletionDeps {
  readonly options: Pick<CcxtGatewayOptions, 'maxOrderWaitMs'>;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly caller: ExchangeCaller;
  readonly clients: CcxtClients;
  readonly knownOrders: KnownOrders;
}

/** Turns a ccxt order into a port order with all its fills. */
export class OrderCompletion {
  constructor(private readonly deps: OrderCompletionDeps) {}

  /**
   * Maps a ccxt order and completes its fills: when the exchange reports more filled than the
   * trades in the answer (REST order look-ups carry no trades), the order's trades are fetched.
   * `strict`: a failed trade fetch throws (look-ups must be complete); otherwise the order is
   * returned with the fills known so far (the monitor and later look-ups add the rest).
   */
  async complete(entry: AccountEntry, market: CcxtMarketLike, raw: CcxtOrderLike, fallback: OrderFallback, strict: boolean): Promise<ExchangeOrder> {
    const { options, scheduler, log, caller, clients, knownOrders } = this.deps;
    const ctx = { market, symbol: portSymbolOf(market), fallback, now: () => scheduler.now() };
    const order = mapOrder(raw, ctx);
    knownOrders.remember(order.clientOrderId, entry.config.accountId, order.symbol, false, order.exchangeOrderId);
    const filled = toDec(order.filledQuantity);
    if (!filled || !filled.greaterThan(filledByFills(order))) return order;
    try {
      // a strict look-up may wait like any read; completing an answer in hand should not hold it long
      const maxWaitMs = strict ? undefined : (options.maxOrderWaitMs ?? 10_000);
      const trades = await caller.read(entry, (client) => entry.profile.fetchOrderTrades(client, order.exchangeOrderId, market.symbol), false, maxWaitMs);
      const mine = trades.filter((t) => t.order === undefined || t.order === null || t.order === order.exchangeOrderId);
      return mapOrder({ ...raw, trades: [...(raw.trades ?? []), ...mine] }, ctx);
    } catch (error) {
      if (strict) throw error instanceof OrderMappingError ? new ExchangeCallError({ kind: 'local', reason: error.message }) : error;
      log.warn({ accountId: entry.config.accountId, clientOrderId: order.clientOrderId, reason: clients.redact(entry, error instanceof Error ? error.message : String(error)) }, 'fills of the order could not be fetched yet');
      return order;
    }
  }
}
