import type { Balance, ExchangeOrder } from '../../../application/ports/exchange.js';
import type { Logger } from '../../../application/ports/logger.js';
import type { AccountEntry } from './account-entry.js';
import type { AccountRegistry } from './account-registry.js';
import type { CcxtOrderLike } from './ccxt-types.js';
import type { CcxtClients } from './ccxt-clients.js';
import type { ExchangeCaller } from './exchange-call.js';
import type { OrderCompletion } from './order-completion.js';
import { mapBalances } from './order-mapping.js';

export interface AccountReadDeps {
  readonly log: Logger;
  readonly registry: AccountRegistry;
  readonly caller: ExchangeCaller;
  readonly clients: CcxtClients;
  readonly completion: OrderCompletion;
}

/** An account's open orders and balances. */
export class AccountReads {
  constructor(private readonly deps: AccountReadDeps) {}

  /** The open orders of the account's market type; orders on markets the venue does not resolve, or that cannot be read, are skipped. */
  async fetchOpenOrders(accountId: string): Promise<ExchangeOrder[]> {
    const { registry, caller } = this.deps;
    const entry = registry.entry(accountId);
    await caller.loadVenueOrThrow(entry);
    const orders = await caller.read(entry, (client) => client.fetchOpenOrders(undefined, undefined, undefined, {}), false);
    return this.completeAll(entry, orders, 'open order skipped');
  }

  /**
   * ccxt orders as the port's, with their fills; orders on markets the venue does not resolve,
   * or that cannot be read, are skipped (and logged with `skipped`).
   */
  async completeAll(entry: AccountEntry, orders: readonly CcxtOrderLike[], skipped: string): Promise<ExchangeOrder[]> {
    const { completion, clients, log } = this.deps;
    const out: ExchangeOrder[] = [];
    for (const o of orders) {
      const market = typeof o.symbol === 'string' ? entry.venue.resolve(o.symbol) : undefined;
      if (!market) continue;
      try {
        out.push(await completion.complete(entry, market, o, {}, false));
      } catch (error) {
        log.warn({ accountId: entry.config.accountId, reason: clients.redact(entry, error instanceof Error ? error.message : String(error)) }, skipped);
      }
    }
    return out;
  }

  async fetchBalances(accountId: string): Promise<Balance[]> {
    const entry = this.deps.registry.entry(accountId);
    await this.deps.caller.loadVenueOrThrow(entry);
    return mapBalances(await this.deps.caller.read(entry, (client) => client.fetchBalance(), false));
  }
}
