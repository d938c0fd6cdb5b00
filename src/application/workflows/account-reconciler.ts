import type { EventAppender, EventReader } from '../ports/event-store.js';
import type { ExchangeGateway } from '../ports/exchange.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ReconciliationDifference } from '../../domain/events.js';
import { streams } from '../../domain/events.js';
import { Dec, ZERO, decToString, parseDec } from '../../domain/shared/decimal.js';
import type { TradingState } from './trading-state.js';

export interface ReconcilerDeps {
  readonly store: Pick<EventAppender, 'append'> & Pick<EventReader, 'readStream'>;
  readonly exchange: ExchangeGateway;
  readonly clock: Clock;
  readonly log: Logger;
  /** the node's current view of the log */
  readonly state: () => TradingState;
  /** looks an order up on the exchange and records what it finds (the executor's reconcile) */
  readonly lookUp: (clientOrderId: string, accountId: string) => void;
  readonly tenantOf: (accountId: string) => string | undefined;
  /**
   * Whether the account's balances are its exchange's (a real exchange): then what the exchange
   * reports is adopted as the account's balances whenever none of its orders is live.
   */
  readonly adoptsBalances?: (accountId: string) => boolean;
}

/**
 * Compares an account with its exchange: every order open there is either one of ours (looked
 * up when our log does not have it open, so its fills and status get recorded) or a foreign
 * one, and every balance should equal what our recorded fills make it. Differences are recorded
 * as one AccountReconciled event, an observation: balances are not overwritten (a fill still on
 * its way would otherwise be counted twice), orders are corrected only through their own facts.
 */
export class AccountReconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  /** Returns the differences found (also recorded when there are any). Throws if the exchange cannot be read. */
  async reconcile(accountId: string, trigger: string): Promise<readonly ReconciliationDifference[]> {
    const { exchange, state } = this.deps;
    const differences: ReconciliationDifference[] = [];
    for (const order of await exchange.fetchOpenOrders(accountId)) {
      if (state().isLive(order.clientOrderId)) continue;
      const known = (await this.deps.store.readStream(streams.order(order.clientOrderId))).length > 0;
      const difference = { clientOrderId: order.clientOrderId, exchangeOrderId: order.exchangeOrderId, symbol: order.symbol };
      differences.push({ kind: known ? 'open_on_exchange_only' : 'foreign_order', ...difference });
      if (known) this.deps.lookUp(order.clientOrderId, accountId);
    }
    // balances only while nothing is on its way: a fill not recorded yet is not a difference
    const adopts = this.deps.adoptsBalances?.(accountId) ?? false;
    const events: { type: string; data: Record<string, unknown> }[] = [];
    if (!state().hasOrdersInFlight(accountId)) {
      const { differences: balances, atExchange, recorded } = await this.balanceDifferences(accountId);
      // the first look at a real account shows what it held before PATRIOT: its holdings, not differences
      const firstLook = adopts && !state().balancesObserved(accountId);
      if (!firstLook) differences.push(...balances);
      // adopted only while no order is live at all: the exchange's figures then include every fill we will ever record
      if (adopts && !state().hasLiveOrders(accountId) && (firstLook || balances.length > 0)) {
        const observed = [...atExchange.entries()].filter(([, total]) => !total.isZero()).map(([asset, total]) => ({ asset, total: decToString(total) }));
        const cleared = [...recorded.keys()].filter((asset) => !observed.some((b) => b.asset === asset));
        events.push({ type: 'AccountBalancesObserved', data: { accountId, trigger, balances: observed, cleared } });
      }
    }
    if (differences.length > 0) {
      this.deps.log.warn({ accountId, trigger, differences: differences.length }, 'account differs from its exchange');
      events.unshift({ type: 'AccountReconciled', data: { accountId, trigger, differences } });
    }
    if (events.length > 0) {
      await this.deps.store.append({
        streamId: streams.account(accountId),
        expectedVersion: 'any',
        events,
        metadata: { tenantId: this.deps.tenantOf(accountId) ?? 'unknown', time: new Date(this.deps.clock.now()).toISOString(), causationId: `reconcile:${trigger}` },
      });
    }
    return differences;
  }

  private async balanceDifferences(accountId: string): Promise<{ differences: ReconciliationDifference[]; atExchange: Map<string, Dec>; recorded: ReadonlyMap<string, Dec> }> {
    const recorded = this.deps.state().balances(accountId) ?? new Map<string, Dec>();
    const atExchange = new Map<string, Dec>();
    for (const b of await this.deps.exchange.fetchBalances(accountId)) atExchange.set(b.asset, parseDec(b.total) ?? ZERO);
    const differences: ReconciliationDifference[] = [];
    for (const asset of [...new Set([...recorded.keys(), ...atExchange.keys()])].sort()) {
      const ours = recorded.get(asset) ?? ZERO;
      const theirs = atExchange.get(asset) ?? ZERO;
      if (!ours.equals(theirs)) differences.push({ kind: 'balance', asset, recorded: decToString(ours), exchange: decToString(theirs) });
    }
    return { differences, atExchange, recorded };
  }
}
