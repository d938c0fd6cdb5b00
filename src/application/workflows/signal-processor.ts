import type { AppendRequest, EventAppender, EventReader, FollowUp, RecordedLike } from '../ports/event-store.js';
import type { Catalog, StrategySymbols } from '../ingest/catalog.js';
import type { AccountConfig } from '../../domain/accounts/account.js';
import type { AccountMarkets } from '../ports/account-markets.js';
import type { AccountPrices } from '../ports/account-prices.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { EventOf, OrderIntent, PatriotEventType } from '../../domain/events.js';
import type { Processor, RecordedOf } from '../processors/processor.js';
import { ProcessorRunner, type ProcessorObserver } from '../processors/processor-runner.js';
import { streams } from '../../domain/events.js';
import { orderDecider } from '../../domain/orders/order-decider.js';
import { parseDec } from '../../domain/shared/decimal.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import { clientOrderIdFor } from '../shared/client-order-id.js';
import { failedRouting, routeSignal, type RoutingDecision } from './route-signal.js';
import { controlRefusal, refusedRouting } from './strategy-control-routing.js';
import { routeCancel } from './route-cancel.js';
import { TradingState, TradingView } from './trading-state.js';
import type { Market } from '../ports/exchange.js';
import type { ListedMarket } from './route-signal.js';


export interface SignalProcessorDeps {
  readonly store: EventAppender & EventReader;
  readonly clock: Clock;
  readonly log: Logger;
  /** each account's own exchange's markets */
  readonly markets: AccountMarkets;
  /** each account's own exchange's prices */
  readonly prices: AccountPrices;
  /** a price older than this (ms) is stale: nothing is decided on it (default 5 s) */
  readonly maxPriceAgeMs?: number;
  /** how long routing waits for a price it does not have fresh (default 2 s) */
  readonly priceWaitMs?: number;
  /** how long routing waits for an account's market list when it has none at all (default 5 s) */
  readonly marketsWaitMs?: number;
  /** receives approved orders, in signal order */
  readonly submit: (intent: OrderIntent) => void;
  /**
   * Whether an order approved now would leave at once (ADR-0030): its attempt is then recorded in the
   * commit that approves it and it goes to `submitRecorded` (default: never; every order goes to `submit`).
   */
  readonly sendsAtOnce?: (intent: OrderIntent) => boolean;
  /** receives approved orders whose attempt was recorded with their approval, in signal order */
  readonly submitRecorded?: (intent: OrderIntent) => void;
  /** receives orders whose exchange state must be looked up (at start-up) */
  readonly reconcile: (clientOrderId: string, accountId: string) => void;
  readonly onProcessed?: (signalId: string, decision: RoutingDecision) => void;
  /** receives orders parked at the open-order cap of an account this node takes over */
  readonly adoptParked?: (clientOrderId: string, accountId: string) => void;
  /** takes over an armed PATRIOT-managed order (issue 17): its trigger is watched here now */
  readonly adoptArmed?: (clientOrderId: string, accountId: string) => void;
  /** an AccountOpened was read from the log (after start-up) */
  readonly onAccountOpened?: (accountId: string) => void;
  /** an account's exchange credentials changed (after start-up): clients holding the old ones must go */
  readonly onCredentialsChanged?: (accountId: string) => void;
  readonly batchSize?: number;
  /** a cancel of an order of an account this node owns was recorded (issue 17): ask the exchange */
  readonly cancel?: (clientOrderId: string, accountId: string) => void;
  /** where the folded state and the owned accounts are kept (default: a view of its own) */
  readonly view?: TradingView;
  /** where its failures and lag go (default: failures logged) */
  readonly observer?: ProcessorObserver;
  /** whether the account's exchange trails a stop by a price distance natively (issue 17; default: none does) */
  readonly trailsByDistance?: (account: AccountConfig) => boolean;
  /** whether the account's exchange holds one-cancels-other lists natively (issue 17; default: none does) */
  readonly placesOrderLists?: (account: AccountConfig) => boolean;
  /** on the routing leader, after routing: carries out the kill switch's pending actions (issue 17) */
  readonly killSwitchActions?: (state: TradingState) => Promise<unknown>;
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
 *
 * It is a processor (id `trading-state`, every node) run by a ProcessorRunner of its own: the
 * runner reads the log in batches, follows appends, retries a failed pass with back-off and
 * reports lag and failures; each batch is folded and its events dispatched (a typed reaction per
 * event type); at the end of each pass (`caughtUp`) taken accounts are adopted and pending signals
 * routed. Its checkpoint is in memory: the state is folded from the start of the log at start-up
 * (ingest and the API read it synchronously, so it is not in the host's registry).
 */
export class SignalProcessor {
  /** the folded state and the owned accounts (shared with the executor; see TradingView) */
  private readonly view: TradingView;
  private get current(): TradingState {
    return this.view.current;
  }
  private position = 0;
  /** a routing append failed: the tentative state must be folded again from the log before anything else */
  private stale = false;
  private stopped = false;
  private routing = false;
  /** submit OrderApproved events read from the log (off while folding history) */
  private dispatching = false;
  private get owned(): Set<string> {
    return this.view.owned;
  }
  private readonly takes = new Set<string>();
  /** reads the log for it (batches, following appends, back-off, lag) */
  private readonly runner: ProcessorRunner;
  /** events this processor applied to its state before reading them back from the log */
  private readonly appliedAhead = new Set<string>();

  /**
   * What ingest and configuration commands check against: always the processor's current state
   * (a rebuild swaps the state object; whoever holds this view never sees a stale one).
   */
  readonly catalog: Catalog & { account(accountId: string): AccountConfig | undefined } = {
    strategy: (strategyId) => this.current.strategy(strategyId),
    account: (accountId) => this.current.account(accountId),
    symbolsFor: (strategy) => this.symbolsFor(strategy),
    refreshMarkets: (strategy) => this.refreshMarkets(strategy),
    isPaused: (strategyId) => this.current.isPaused(strategyId),
  };

  constructor(private readonly deps: SignalProcessorDeps) {
    this.view = deps.view ?? new TradingView();
    const log = deps.log;
    this.runner = new ProcessorRunner(deps.store, this.asProcessor(), {
      // routing waits for nothing but the appends of the same moment, and folds each commit before the
      // next one is made, so that an alert can be routed in its own commit (ADR-0030)
      intervalMs: 'next-turn',
      maxRetryMs: 2000,
      observer: deps.observer ?? { failed: (id, e) => log.error({ processor: id, err: String(e) }, 'signal processing failed; trying again') },
    });
  }

  /** The fold, dispatch and routing as one processor for the runner. */
  private asProcessor(): Processor {
    return {
      id: 'trading-state',
      handles: 'all',
      runsOn: 'every-node',
      batchSize: this.deps.batchSize ?? 5000,
      checkpoint: () => Promise.resolve(this.position),
      process: async (events) => {
        // a rebuild first (a routing append failed): it folds the log to its head, this batch included
        if (this.stale) await this.rebuild();
        for (const e of events) {
          if (e.globalPosition <= this.position) continue; // folded by that rebuild already
          if (this.appliedAhead.delete(`${e.streamId}@${e.streamVersion}`)) continue;
          this.current.apply(e);
          this.dispatch(e);
        }
        // batch by batch: a read that fails later never makes a batch be applied (and dispatched) again
        if (events.length > 0) this.position = Math.max(this.position, events[events.length - 1]!.globalPosition);
      },
      caughtUp: async () => {
        if (this.stale) await this.rebuild();
        this.adoptTakenAccounts();
        if (this.routing) await this.routePending();
        if (this.routing && !this.stopped) await this.deps.killSwitchActions?.(this.current);
      },
    };
  }

  /** the last union per strategy, kept while the strategy and its accounts' lists are the same objects (alerts ask on every call) */
  private readonly symbolUnions = new Map<string, { strategy: StrategyConfig; lists: readonly (readonly Market[] | undefined)[]; value: StrategySymbols }>();

  /** What a strategy's accounts' exchanges list: the union of their symbols, and whether every list is known. */
  private symbolsFor(strategy: StrategyConfig): StrategySymbols {
    const accounts = strategy.accounts.flatMap((link) => this.current.account(link.accountId) ?? []);
    const lists = accounts.map((account) => this.deps.markets.list(account));
    const kept = this.symbolUnions.get(strategy.strategyId);
    if (kept && kept.strategy === strategy && kept.lists.length === lists.length && kept.lists.every((l, i) => l === lists[i])) return kept.value;
    const symbols = new Set<string>();
    for (const listed of lists) for (const m of listed ?? []) symbols.add(m.symbol);
    const value: StrategySymbols = {
      symbols: [...symbols],
      complete: lists.every((l) => l !== undefined),
      venues: [...new Set(accounts.map((account) => this.deps.markets.venueName(account)))],
    };
    this.symbolUnions.set(strategy.strategyId, { strategy, lists, value });
    return value;
  }

  /** Asks the strategy's accounts' exchanges for their lists again; waits at most `waitMs` (an alert's answer is waited for). */
  private async refreshMarkets(strategy: StrategyConfig, waitMs = 1500): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const refreshed = Promise.all(strategy.accounts.map((link) => {
      const account = this.current.account(link.accountId);
      return account ? this.deps.markets.refresh(account) : undefined;
    }));
    await Promise.race([refreshed, new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    })]);
    if (timer) clearTimeout(timer);
  }

  /**
   * Before routing: each account's market list is asked for again when the signal's symbol is
   * missing from it, and each account's price of the symbol is awaited briefly when it is not fresh.
   */
  private async prepare(pending: readonly EventOf<'SignalReceived'>[]): Promise<void> {
    const needs = new Map<string, { account: AccountConfig; symbols: Set<string> }>();
    for (const signal of pending) {
      const strategy = this.current.strategy(signal.data.strategyId);
      for (const link of strategy?.accounts ?? []) {
        const account = this.current.account(link.accountId);
        if (!account) continue;
        const need = needs.get(account.accountId) ?? { account, symbols: new Set<string>() };
        need.symbols.add(signal.data.signal.symbol);
        needs.set(account.accountId, need);
      }
    }
    const maxAge = this.deps.maxPriceAgeMs ?? 5000;
    await Promise.all([...needs.values()].map(async ({ account, symbols }) => {
      try {
        if (!this.deps.markets.list(account)) {
          // no list at all (its exchange not reached yet): ask now and keep asking for a few seconds
          const until = this.deps.clock.now() + (this.deps.marketsWaitMs ?? 5000);
          for (let tries = 1; ; tries++) {
            await this.deps.markets.refresh(account, true);
            if (this.deps.markets.list(account) || this.stopped || this.deps.clock.now() >= until || tries >= 10) break;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        } else if ([...symbols].some((s) => !this.deps.markets.market(account, s))) await this.deps.markets.refresh(account);
        const listed = [...symbols].filter((s) => this.deps.markets.market(account, s) !== undefined);
        await this.deps.prices.ensure('routing', account, listed, maxAge, this.deps.priceWaitMs ?? 2000);
      } catch (error) {
        this.deps.log.warn({ accountId: account.accountId, reason: String(error) }, 'markets or prices could not be prepared for routing');
      }
    }));
  }

  private marketIndexes = new WeakMap<readonly Market[], ReadonlyMap<string, ListedMarket>>();

  private marketsOf(accountId: string): ReadonlyMap<string, ListedMarket> | undefined {
    const account = this.current.account(accountId);
    const list = account ? this.deps.markets.list(account) : undefined;
    if (!list) return undefined;
    let index = this.marketIndexes.get(list);
    if (!index) {
      index = new Map(list.map((m) => [m.symbol, m]));
      this.marketIndexes.set(list, index);
    }
    return index;
  }

  /** The folded state now. Read it through this getter each time: a rebuild replaces it. */
  get state(): TradingState {
    return this.current;
  }

  /**
   * Resolves once every event committed before the call is folded into the state. It joins the
   * one fold (a pass started after the call), so nothing is ever applied or dispatched twice.
   */
  async catchUp(): Promise<void> {
    await this.pump();
  }

  /**
   * Follows the log from here on: OrderApproved events for owned accounts are dispatched, and
   * signals are routed once routing is on. Accounts and routing are handed over by the caller.
   */
  async run(): Promise<void> {
    await this.pump();
    this.dispatching = true;
    // A failed pass (the store is away) is tried again with back-off until one succeeds: signals
    // left pending by a failed routing append are routed once the store is back, even when no new
    // event arrives to wake the processor.
    await this.runner.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.runner.stop();
  }

  get checkpoint(): number {
    return this.position;
  }

  /** Routes pending signals from now on (this node leads), or stops routing. */
  async setRouting(on: boolean): Promise<void> {
    this.routing = on;
    if (on) await this.pump().then(() => undefined, () => this.runner.background()); // the store is away: keep trying in the background
    else await this.runner.idle();
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
    for (const o of this.current.ordersToReconcile()) if (taken.has(o.accountId)) this.deps.reconcile(o.clientOrderId, o.accountId);
    for (const o of this.current.parkedOrders()) if (taken.has(o.accountId)) this.deps.adoptParked?.(o.clientOrderId, o.accountId);
    for (const o of this.current.armedOrders()) if (taken.has(o.accountId)) this.deps.adoptArmed?.(o.clientOrderId, o.accountId);
  }

  /** Reads new events and routes pending signals; concurrent calls share one pass. */
  pump(): Promise<void> {
    return this.runner.catchUp();
  }

  /** Folds the whole log into a new state (a rebuild builds it aside). Only inside a pass of the runner. */
  private async foldAll(state: TradingState): Promise<number> {
    const batchSize = this.deps.batchSize ?? 5000;
    let position = 0;
    for (;;) {
      const batch = await this.deps.store.readAll(position, batchSize);
      for (const e of batch) state.apply(e);
      if (batch.length > 0) position = batch[batch.length - 1]!.globalPosition;
      if (batch.length < batchSize) return position;
    }
  }

  /** What a newly read event asks of this node, by event type (typed: each sees its own event's data). */
  private readonly reactions: { readonly [K in PatriotEventType]?: (event: RecordedOf<K>) => void } = {
    OrderApproved: (e) => {
      if (this.owned.has(e.data.accountId)) this.deps.submit(e.data);
    },
    AccountOpened: (e) => this.deps.onAccountOpened?.(e.data.accountId),
    OrderCancelRequested: (e) => {
      if (this.owned.has(e.data.accountId)) this.deps.cancel?.(e.data.clientOrderId, e.data.accountId);
    },
    AccountCredentialsChanged: (e) => this.deps.onCredentialsChanged?.(e.data.accountId),
  };

  /** Hands what a newly read event asks of this node to its owner (only while following the log). */
  private dispatch(e: RecordedLike): void {
    if (!this.dispatching) return;
    const react = this.reactions[e.type as PatriotEventType] as ((event: RecordedLike) => void) | undefined;
    react?.(e);
  }

  private async routePending(): Promise<void> {
    const pending = this.current.pendingSignals();
    if (pending.length === 0 || this.stopped) return;
    await this.prepare(pending);
    if (this.stopped || !this.routing) return;
    const work: { signal: EventOf<'SignalReceived'>; decision: RoutingDecision; leaving?: ReadonlySet<string>; tenantId: string; append: Promise<unknown> }[] = [];
    for (const signal of pending) {
      const strategy = this.current.strategyForRouting(signal.data.strategyId);
      if (!strategy) {
        this.deps.log.error({ signalId: signal.data.signalId, strategyId: signal.data.strategyId }, 'signal for an unknown strategy left pending');
        continue;
      }
      if (signal.data.signal.action === 'cancel') {
        work.push(this.routeCancelSignal(signal, strategy));
        continue;
      }
      const { decision, requests, leaving } = this.decide(signal, strategy);
      work.push({ signal, decision, leaving, tenantId: strategy.tenantId, append: this.deps.store.appendAtomic(requests) });
    }
    const results = await Promise.allSettled(work.map((w) => w.append));
    let consistent = true;
    results.forEach((r, i) => {
      const w = work[i]!;
      if (r.status === 'fulfilled' && (r.value as { kind: string }).kind === 'appended') {
        this.routed(w.signal.data.signalId, w.decision, w.leaving);
        return;
      }
      consistent = false;
      const reason = r.status === 'rejected' ? String(r.reason) : JSON.stringify(r.value);
      this.deps.log.warn({ signalId: w.signal.data.signalId, reason }, 'routing not recorded; rebuilding state from the log');
    });
    if (!consistent) {
      // Whatever did commit is read back from the log, once. The next pass (or this one's
      // repeat) rebuilds first; until a rebuild succeeds, the state in use stays the last whole one.
      this.stale = true;
      await this.rebuild();
    }
  }

  /**
   * Routes an alert in the commit that records it (ADR-0030): one durable commit for the signal, its
   * routing and the attempts of the orders that leave at once, where a pass would take two or three.
   * Only when nothing stands before it: this node routes, every committed event is folded and no
   * signal waits to be routed (signals are still routed in the order they were acknowledged), and
   * each of the strategy's accounts lists the symbol and has a fresh price for it (what a pass
   * would wait for). Otherwise the follow-up writes nothing, and the next pass routes the signal as
   * before. A follow-up that did not commit leaves the state to be folded again from the log.
   */
  routeInCommit(request: AppendRequest): FollowUp {
    let routed: { decision: RoutingDecision; leaving: ReadonlySet<string> | undefined } | undefined;
    return {
      plan: (_appended, committedHead) => {
        const event = request.events[0];
        if (request.events.length !== 1 || event?.type !== 'SignalReceived') return undefined;
        const signal = event as EventOf<'SignalReceived'>;
        const strategy = this.routableAtOnce(signal, committedHead);
        if (!strategy) return undefined;
        this.current.apply({ ...signal, metadata: request.metadata });
        this.appliedAhead.add(`${request.streamId}@1`);
        const { decision, requests, leaving } = this.decide(signal, strategy);
        routed = { decision, leaving };
        return requests;
      },
      settled: (outcome) => {
        if (outcome.kind === 'committed' && outcome.result.kind === 'appended' && routed) {
          this.routed((request.events[0] as EventOf<'SignalReceived'>).data.signalId, routed.decision, routed.leaving);
          return;
        }
        const reason = outcome.kind === 'failed' ? String(outcome.error) : JSON.stringify(outcome.result);
        this.deps.log.warn({ streamId: request.streamId, reason }, 'routing with the signal not recorded; rebuilding state from the log');
        this.stale = true; // the next pass folds the log again, then routes the signal if it is in the log
        this.runner.background();
      },
    };
  }

  /** The strategy to route a signal with at once, or undefined when it must wait for a pass (see routeInCommit). */
  private routableAtOnce(signal: EventOf<'SignalReceived'>, committedHead: number): StrategyConfig | undefined {
    if (!this.routing || this.stopped || this.stale || !this.dispatching) return undefined;
    if (this.position < committedHead || this.current.hasPendingSignals()) return undefined;
    if (signal.data.signal.action === 'cancel') return undefined;
    const strategy = this.current.strategyForRouting(signal.data.strategyId);
    if (!strategy) return undefined;
    const symbol = signal.data.signal.symbol;
    const maxAge = this.deps.maxPriceAgeMs ?? 5000;
    for (const link of strategy.accounts) {
      const account = this.current.account(link.accountId);
      if (!account || !this.marketsOf(link.accountId)?.has(symbol)) return undefined;
      const quote = this.deps.prices.quote(account, symbol);
      if (!quote || quote.ageMs > maxAge) return undefined;
    }
    return strategy;
  }

  /**
   * One signal's routing: the decision, applied to the state at once (the next signal sees its
   * orders), and the appends that record it. An approved order that will leave at once from this
   * node (`sendsAtOnce`) has its attempt recorded in the same append (ADR-0030): its id is in
   * `leaving`, and the executor sends it with nothing read or recorded first.
   */
  private decide(signal: EventOf<'SignalReceived'>, strategy: StrategyConfig): { decision: RoutingDecision; requests: AppendRequest[]; leaving?: ReadonlySet<string> } {
    let decision: RoutingDecision;
    const refused = controlRefusal(signal, this.current);
    if (refused) decision = refusedRouting(signal, strategy, refused.code, refused.message);
    else try {
      decision = routeSignal(signal, strategy, {
        account: (id) => this.current.snapshot(id),
        markets: (id) => this.marketsOf(id),
        venueName: (id) => {
          const account = this.current.account(id);
          return account ? this.deps.markets.venueName(account) : 'its exchange';
        },
        markPrice: (id, symbol) => {
          const account = this.current.account(id);
          const quote = account ? this.deps.prices.quote(account, symbol) : undefined;
          const price = quote ? parseDec(quote.price) : undefined;
          return quote && price ? { price, ageMs: quote.ageMs, source: quote.source } : undefined;
        },
        maxPriceAgeMs: this.deps.maxPriceAgeMs ?? 5000,
        globalKillSwitch: this.current.globalKillSwitch(strategy.tenantId),
        clientOrderId: (accountId, leg) => clientOrderIdFor(strategy.tenantId, signal.data.signalId, accountId, leg),
        tradesOn: (day, accountId, strategyId) => this.current.tradesOn(day, accountId, strategyId),
        trailsByDistance: (id) => {
          const account = this.current.account(id);
          return account !== undefined && (this.deps.trailsByDistance?.(account) ?? false);
        },
        placesOrderLists: (id) => {
          const account = this.current.account(id);
          return account !== undefined && (this.deps.placesOrderLists?.(account) ?? false);
        },
        lossStreak: (strategyId) => this.current.lossStreak(strategyId),
        strategyDayLoss: (strategyId, day, mark) => this.current.strategyDayLoss(strategyId, day, mark),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.deps.log.error({ signalId: signal.data.signalId, reason }, 'routing a signal failed; recorded as processed without orders');
      decision = failedRouting(signal, strategy, reason);
    }
    // Apply the decision now so the next signal of this batch sees its open orders.
    const signalStream = streams.signal(signal.data.signalId);
    const metadata = { tenantId: strategy.tenantId, time: new Date(this.deps.clock.now()).toISOString(), correlationId: signal.data.signalId, causationId: `${signalStream}@1` };
    this.current.apply(decision.processed);
    this.appliedAhead.add(`${signalStream}@2`);
    let leaving: Set<string> | undefined;
    // order decisions first, so readers of the log meet each order before the summary naming it
    const requests: AppendRequest[] = [];
    for (const o of decision.orders) {
      const stream = streams.order(o.intent.clientOrderId);
      this.current.apply({ ...o.event, metadata }); // with its time: trades per day count it (ADR-0019)
      this.appliedAhead.add(`${stream}@1`);
      const submitted = o.event.type === 'OrderApproved' && this.owned.has(o.intent.accountId) ? this.leavesAtOnce(o.event) : undefined;
      if (submitted) {
        this.current.apply({ ...submitted, metadata });
        this.appliedAhead.add(`${stream}@2`);
        (leaving ??= new Set()).add(o.intent.clientOrderId);
      }
      requests.push({ streamId: stream, expectedVersion: 0, events: submitted ? [o.event, submitted] : [o.event], metadata });
    }
    requests.push({ streamId: signalStream, expectedVersion: 1, events: [decision.processed], metadata });
    return { decision, requests, ...(leaving ? { leaving } : {}) };
  }

  /** The attempt recorded with an approval when the order leaves at once from here (ADR-0030); as the order's decider records one. */
  private leavesAtOnce(approved: EventOf<'OrderApproved'>): EventOf<'OrderSubmitted'> | undefined {
    if (!this.deps.submitRecorded || !this.deps.sendsAtOnce?.(approved.data)) return undefined;
    const decided = orderDecider.decide({ type: 'RecordSubmitted' }, orderDecider.evolve(orderDecider.initialState(), approved));
    const submitted = decided.ok ? decided.value[0] : undefined;
    return submitted?.type === 'OrderSubmitted' ? submitted : undefined;
  }

  /** A routing is committed: its approved orders go to the executor (those of accounts this node owns), in order. */
  private routed(signalId: string, decision: RoutingDecision, leaving: ReadonlySet<string> | undefined): void {
    for (const o of decision.orders) {
      if (o.event.type !== 'OrderApproved' || !this.owned.has(o.intent.accountId)) continue;
      if (leaving?.has(o.intent.clientOrderId)) this.deps.submitRecorded!(o.intent);
      else this.deps.submit(o.intent);
    }
    this.deps.onProcessed?.(signalId, decision);
  }

  /**
   * A `cancel` alert (issue 17): the cancel requests of the strategy's open orders are recorded
   * with the signal's SignalProcessed, in one append (the intent first; the owners of the accounts
   * read them back from the log and ask the exchanges). A request that meets an order which
   * became final meanwhile changes nothing (the order's status comes from the exchange's answers).
   */
  private routeCancelSignal(signal: EventOf<'SignalReceived'>, strategy: StrategyConfig): { signal: EventOf<'SignalReceived'>; decision: RoutingDecision; tenantId: string; append: Promise<unknown> } {
    const { decision, requests } = routeCancel(signal, strategy, (accountId, filter) => this.current.liveOrdersOf(accountId, filter));
    const signalStream = streams.signal(signal.data.signalId);
    this.current.apply(decision.processed);
    this.appliedAhead.add(`${signalStream}@2`);
    const metadata = { tenantId: strategy.tenantId, time: new Date(this.deps.clock.now()).toISOString(), correlationId: signal.data.signalId, causationId: `${signalStream}@1` };
    const appends: AppendRequest[] = [
      ...requests.map((r) => ({ streamId: streams.order(r.data.clientOrderId), expectedVersion: 'any' as const, events: [r], metadata })),
      { streamId: signalStream, expectedVersion: 1, events: [decision.processed], metadata },
    ];
    return { signal, decision, tenantId: strategy.tenantId, append: this.deps.store.appendAtomic(appends) };
  }

  /**
   * Forgets the tentative state and folds the log again (after a failed or conflicting append).
   * The new state is built aside and swapped in only when it is whole: if the log cannot be read
   * (the store is down), the last state stays in use (ingest keeps knowing every strategy) and
   * the next pass tries again. An append reported as failed may still have committed, so the live
   * orders of owned accounts are looked up again: whatever did commit is then found or sent, once.
   */
  private async rebuild(): Promise<void> {
    const fresh = new TradingState();
    const position = await this.foldAll(fresh);
    this.view.current = fresh;
    this.position = position;
    this.appliedAhead.clear();
    this.stale = false;
    for (const id of this.owned) this.takes.add(id);
    this.owned.clear();
    this.adoptTakenAccounts();
    void this.pump(); // route what is pending, against the rebuilt state (joins as one more pass)
  }
}
