import type { AppendRequest, EventStore } from '../ports/event-store.js';
import type { PriceFeed } from '../ports/price-feed.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { EventOf, OrderIntent } from '../../domain/events.js';
import { streams } from '../../domain/events.js';
import { parseDec } from '../../domain/shared/decimal.js';
import { SingleFlight } from '../shared/single-flight.js';
import { clientOrderIdFor } from '../shared/client-order-id.js';
import { failedRouting, routeSignal, type RoutingDecision } from './route-signal.js';
import { TradingState } from './trading-state.js';
import type { Market } from '../ports/exchange.js';

const toNewEvent = (e: { type: string; data: object }) => ({ type: e.type, data: e.data as unknown as Record<string, unknown> });

export interface SignalProcessorDeps {
  readonly store: EventStore;
  readonly feed: PriceFeed;
  readonly clock: Clock;
  readonly log: Logger;
  readonly markets: readonly Market[];
  /** receives approved orders, in signal order */
  readonly submit: (intent: OrderIntent) => void;
  /** receives orders whose exchange state must be looked up (at start-up) */
  readonly reconcile: (clientOrderId: string, accountId: string) => void;
  readonly onProcessed?: (signalId: string, decision: RoutingDecision) => void;
  /** receives orders parked at the open-order cap of an account this node takes over */
  readonly adoptParked?: (clientOrderId: string, accountId: string) => void;
  /** an AccountOpened was read from the log (after start-up) */
  readonly onAccountOpened?: (accountId: string) => void;
  /** an account's exchange credentials changed (after start-up): clients holding the old ones must go */
  readonly onCredentialsChanged?: (accountId: string) => void;
  readonly batchSize?: number;
}

/**
 * The signal -> order workflow. Folds the whole log into a TradingState, then routes every
 * accepted signal that has no SignalProcessed yet, appending SignalProcessed together with
 * the order decisions atomically (the signal stream's expected version makes a second
 * routing of one signal impossible). Approved orders go to the executor only after commit.
 * Restart-safe: signals acknowledged but not routed before a crash are routed at start-up.
 *
 * Several nodes: every node folds the log (it is also the catalog ingest checks alerts
 * against), but only the node holding the leader lease routes (`setRouting`). Orders are
 * dispatched by the node that owns their account (`takeAccount`/`dropAccount`): the router
 * submits its own decisions for accounts it owns; any other owner submits each OrderApproved
 * it reads from the log. Taking an account first reconciles its live orders (look-ups, in log
 * order, ahead of anything new), so orders a dead owner left behind are neither lost nor sent twice.
 */
export class SignalProcessor {
  state: TradingState;
  private position = 0;
  private stopped = false;
  private routing = false;
  /** submit OrderApproved events read from the log (off while folding history) */
  private dispatching = false;
  private readonly owned = new Set<string>();
  private readonly takes = new Set<string>();
  private readonly flight = new SingleFlight(async () => {
    await this.readToHead();
    this.adoptTakenAccounts();
    if (this.routing) await this.routePending();
  }, () => this.stopped);
  private unsubscribe: (() => void) | undefined;
  /** events this processor applied to its state before reading them back from the log */
  private readonly appliedAhead = new Set<string>();

  constructor(private readonly deps: SignalProcessorDeps) {
    this.state = new TradingState(deps.markets);
  }

  /** Folds every event not yet seen into the state, without routing anything. */
  async catchUp(): Promise<void> {
    await this.readToHead();
  }

  /**
   * Follows the log from here on: OrderApproved events for owned accounts are dispatched, and
   * signals are routed once routing is on. Accounts and routing are handed over by the caller.
   */
  async run(): Promise<void> {
    await this.readToHead();
    this.dispatching = true;
    this.unsubscribe = this.deps.store.onAppended(() => void this.pump().catch((e: unknown) => this.deps.log.error({ err: String(e) }, 'signal processing failed')));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.flight.idle();
  }

  get checkpoint(): number {
    return this.position;
  }

  /** Routes pending signals from now on (this node leads), or stops routing. */
  async setRouting(on: boolean): Promise<void> {
    this.routing = on;
    if (on) await this.pump();
    else await this.flight.idle();
  }

  get isRouting(): boolean {
    return this.routing;
  }

  /**
   * This node now owns the account: once the state has caught up with the log, its live orders
   * are handed to `reconcile` (in log order), then new approvals for it are submitted.
   */
  async takeAccount(accountId: string): Promise<void> {
    if (this.owned.has(accountId)) return;
    this.takes.add(accountId);
    await this.pump();
  }

  /** This node no longer owns the account: nothing more is submitted for it. */
  dropAccount(accountId: string): void {
    this.takes.delete(accountId);
    this.owned.delete(accountId);
  }

  ownsAccount(accountId: string): boolean {
    return this.owned.has(accountId);
  }

  private adoptTakenAccounts(): void {
    if (this.takes.size === 0) return;
    const taken = new Set(this.takes);
    this.takes.clear();
    for (const id of taken) this.owned.add(id);
    for (const o of this.state.ordersToReconcile()) if (taken.has(o.accountId)) this.deps.reconcile(o.clientOrderId, o.accountId);
    for (const o of this.state.parkedOrders()) if (taken.has(o.accountId)) this.deps.adoptParked?.(o.clientOrderId, o.accountId);
  }

  /** Reads new events and routes pending signals; concurrent calls share one pass. */
  pump(): Promise<void> {
    return this.flight.run();
  }

  private async readToHead(): Promise<void> {
    const batchSize = this.deps.batchSize ?? 5000;
    for (;;) {
      const batch = await this.deps.store.readAll(this.position, batchSize);
      for (const e of batch) {
        const key = `${e.streamId}@${e.streamVersion}`;
        if (this.appliedAhead.delete(key)) continue;
        this.state.apply(e);
        if (!this.dispatching) continue;
        if (e.type === 'OrderApproved') {
          const intent = e.data as unknown as OrderIntent;
          if (this.owned.has(intent.accountId)) this.deps.submit(intent);
        } else if (e.type === 'AccountOpened') {
          this.deps.onAccountOpened?.(String((e.data as { accountId?: unknown }).accountId));
        } else if (e.type === 'AccountCredentialsChanged') {
          this.deps.onCredentialsChanged?.(String((e.data as { accountId?: unknown }).accountId));
        }
      }
      if (batch.length > 0) this.position = batch[batch.length - 1]!.globalPosition;
      if (batch.length < batchSize) return;
    }
  }

  private async routePending(): Promise<void> {
    const pending = this.state.pendingSignals();
    if (pending.length === 0 || this.stopped) return;
    const work: { signal: EventOf<'SignalReceived'>; decision: RoutingDecision; tenantId: string; append: Promise<unknown> }[] = [];
    for (const signal of pending) {
      const strategy = this.state.strategy(signal.data.strategyId);
      if (!strategy) {
        this.deps.log.error({ signalId: signal.data.signalId, strategyId: signal.data.strategyId }, 'signal for an unknown strategy left pending');
        continue;
      }
      let decision: RoutingDecision;
      try {
        decision = routeSignal(signal, strategy, {
          account: (id) => this.state.snapshot(id),
          market: (symbol) => this.state.market(symbol),
          listedSymbols: this.state.listedSymbols(),
          markPrice: (symbol) => {
            const tick = this.deps.feed.latest(symbol);
            return tick ? parseDec(tick.price) : undefined;
          },
          globalKillSwitch: this.state.globalKillSwitch(strategy.tenantId),
          clientOrderId: (accountId, leg) => clientOrderIdFor(strategy.tenantId, signal.data.signalId, accountId, leg),
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.deps.log.error({ signalId: signal.data.signalId, reason }, 'routing a signal failed; recorded as processed without orders');
        decision = failedRouting(signal, strategy, reason);
      }
      // Apply the decision now so the next signal of this batch sees its open orders.
      const signalStream = streams.signal(signal.data.signalId);
      this.state.apply(decision.processed);
      this.appliedAhead.add(`${signalStream}@2`);
      for (const o of decision.orders) {
        this.state.apply(o.event);
        this.appliedAhead.add(`${streams.order(o.intent.clientOrderId)}@1`);
      }
      const metadata = { tenantId: strategy.tenantId, time: new Date(this.deps.clock.now()).toISOString(), correlationId: signal.data.signalId, causationId: `${signalStream}@1` };
      // order decisions first, so readers of the log meet each order before the summary naming it
      const requests: AppendRequest[] = [
        ...decision.orders.map((o) => ({ streamId: streams.order(o.intent.clientOrderId), expectedVersion: 0, events: [toNewEvent(o.event)], metadata })),
        { streamId: signalStream, expectedVersion: 1, events: [toNewEvent(decision.processed)], metadata },
      ];
      work.push({ signal, decision, tenantId: strategy.tenantId, append: this.deps.store.appendAtomic(requests) });
    }
    const results = await Promise.allSettled(work.map((w) => w.append));
    let consistent = true;
    results.forEach((r, i) => {
      const w = work[i]!;
      if (r.status === 'fulfilled' && (r.value as { kind: string }).kind === 'appended') {
        for (const o of w.decision.orders) if (o.event.type === 'OrderApproved' && this.owned.has(o.intent.accountId)) this.deps.submit(o.intent);
        this.deps.onProcessed?.(w.signal.data.signalId, w.decision);
        return;
      }
      consistent = false;
      const reason = r.status === 'rejected' ? String(r.reason) : JSON.stringify(r.value);
      this.deps.log.warn({ signalId: w.signal.data.signalId, reason }, 'routing not recorded; rebuilding state from the log');
    });
    if (!consistent) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await this.rebuild();
    }
  }

  /**
   * Forgets the tentative state and folds the log again (after a failed or conflicting append).
   * An append reported as failed may still have committed, so the live orders of owned accounts
   * are looked up again: whatever did commit is then found or sent, once.
   */
  private async rebuild(): Promise<void> {
    this.state = new TradingState(this.deps.markets);
    this.appliedAhead.clear();
    this.position = 0;
    const dispatching = this.dispatching;
    this.dispatching = false;
    try {
      await this.readToHead();
    } finally {
      this.dispatching = dispatching;
    }
    for (const id of this.owned) this.takes.add(id);
    this.owned.clear();
    this.adoptTakenAccounts();
    void this.pump(); // route what is pending, against the rebuilt state
  }
}
