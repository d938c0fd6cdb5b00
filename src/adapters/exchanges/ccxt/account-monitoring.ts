import type { OrderUpdate } from '../../../application/ports/exchange.js';
import type { Logger } from '../../../application/ports/logger.js';
import type { AccountReads } from './account-reads.js';
import type { AccountRegistry } from './account-registry.js';
import type { CcxtClients } from './ccxt-clients.js';
import type { CcxtOrderLike } from './ccxt-types.js';
import type { ExchangeCaller } from './exchange-call.js';
import type { CcxtGatewayOptions } from './gateway-options.js';
import type { KnownOrders } from './known-orders.js';
import type { OrderLookups } from './order-lookups.js';
import { OrderMonitor, type MonitorState } from './order-monitor.js';
import type { Scheduler } from './scheduler.js';

export interface AccountMonitoringDeps {
  readonly options: Pick<CcxtGatewayOptions, 'monitor'>;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly registry: AccountRegistry;
  readonly caller: ExchangeCaller;
  readonly clients: CcxtClients;
  /** the REST fallbacks of the monitor */
  readonly reads: AccountReads;
  readonly lookups: OrderLookups;
  readonly knownOrders: KnownOrders;
}

/** Orders sent this long ago or less are looked up by the stream audit until their end is seen. */
const RECENT_MS = 10 * 60_000;

/**
 * Wires an `OrderMonitor` per account: ccxt pro `watchOrders` (on the account's pro instance)
 * with the REST reads as polling fallback; updates go to the `onOrderUpdate` listeners.
 */
export class AccountMonitoring {
  private readonly listeners = new Set<(update: OrderUpdate) => void>();
  private readonly monitorListeners = new Set<(accountId: string, state: MonitorState) => void>();

  constructor(private readonly deps: AccountMonitoringDeps) {}

  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onMonitorStateChange(listener: (accountId: string, state: MonitorState) => void): () => void {
    this.monitorListeners.add(listener);
    return () => this.monitorListeners.delete(listener);
  }

  state(accountId: string): MonitorState | undefined {
    return this.deps.registry.get(accountId)?.monitor?.state;
  }

  start(accountId: string): void {
    const { options, scheduler, log, registry, caller, clients, reads, lookups, knownOrders } = this.deps;
    const entry = registry.entry(accountId);
    if (entry.monitor) return;
    const generation = entry.generation;
    const monitor = new OrderMonitor(
      accountId,
      {
        watch: async () => {
          let orders: CcxtOrderLike[];
          try {
            const pro = await clients.pro(entry, generation, () => caller.loadVenueOrThrow(entry));
            orders = await pro.watchOrders();
          } catch (error) {
            // stream errors can carry the socket URL (a listenKey) or echo the key: scrub before the monitor logs it
            throw new Error(clients.redact(entry, error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)));
          }
          return reads.completeAll(entry, orders, 'streamed order skipped');
        },
        fetchOpenOrders: () => reads.fetchOpenOrders(accountId),
        fetchOrder: (clientOrderId, symbol) => lookups.fetchOrder(accountId, clientOrderId, symbol),
        close: async () => {
          const pro = entry.pro;
          if (pro) await pro.close?.();
        },
        // a silent stream: drop the instance (its connection and any subscription state), the next watch makes a fresh one
        recycle: async () => {
          const pro = entry.pro;
          entry.pro = undefined;
          if (pro) clients.blank(pro);
        },
        recentlySent: () => knownOrders.sentSince(accountId, scheduler.now() - RECENT_MS),
      },
      (update) => this.emit(update),
      scheduler,
      options.monitor ?? {},
      log,
      (state) => {
        for (const listener of [...this.monitorListeners]) listener(accountId, state);
      },
    );
    entry.monitor = monitor;
    monitor.start();
  }

  async stop(accountId: string): Promise<void> {
    const entry = this.deps.registry.get(accountId);
    const monitor = entry?.monitor;
    if (!entry || !monitor) return;
    entry.monitor = undefined;
    await monitor.stop();
    if (entry.pro) this.deps.clients.blank(entry.pro);
    entry.pro = undefined;
  }

  private emit(update: OrderUpdate): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(update);
      } catch (error) {
        this.deps.log.error({ accountId: update.accountId, clientOrderId: update.order.clientOrderId, reason: error instanceof Error ? error.message : String(error) }, 'order update listener failed');
      }
    }
  }
}
