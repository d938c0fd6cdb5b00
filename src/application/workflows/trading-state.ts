import type { RecordedEvent } from '../ports/event-store.js';
import type { AccountSnapshot } from './route-signal.js';
import type { EventOf, PatriotEvent } from '../../domain/events.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import type { AccountConfig } from '../../domain/accounts/account.js';
import { applyPortfolioEvent, emptyPortfolio, positionQuantity, type Portfolio } from '../../domain/portfolio/portfolio.js';
import { NOT_PLACED, isTerminal, orderStatusAfter, type OrderEvent, type OrderStatus } from '../../domain/orders/order-decider.js';
import { ignoreUnknown } from '../../domain/shared/decider.js';
import { InFlightOrders, OpenOrderCounts, type InFlightOrder } from './order-tallies.js';
import type { Dec } from '../../domain/shared/decimal.js';
import { ZERO, parseDec } from '../../domain/shared/decimal.js';
import { sizingBasisOf } from './sizing-basis.js';
import { utcDay } from '../../domain/risk/trade-limits.js';
import { NO_STREAK, applyStreakFill, dayLoss, type LossStreak } from '../../domain/positions/loss-streak.js';
import { splitSymbol } from '../../domain/portfolio/balances.js';
import { EMPTY_BOOK, applyStrategyFill, holdersOf, strategyPosition, type StrategyPositionBook } from '../../domain/positions/strategy-positions.js';

/** An account's kill switch actions not done yet (KillSwitchActionsRequested without its KillSwitchActionsDone). */
export interface PendingKillSwitchActions {
  readonly accountId: string;
  readonly tenantId: string;
  readonly requestId: string;
  readonly cancelOrders: boolean;
  readonly flatten: boolean;
  readonly by: string;
  /** the orders this request asked to cancel so far (OrderCancelRequested by `kill-switch:<requestId>`), in log order */
  readonly cancelled: string[];
}

/** Who the kill switch's cancel requests are recorded as (the request they belong to is read back from it). */
export const killSwitchCancelBy = (requestId: string): string => `kill-switch:${requestId}`;

/** Stands for "some final status" of an order no longer kept: every event the order decider records on a final order leaves it final. */
const FINAL: OrderStatus = 'cancelled';

/** An order concluded NOT_PLACED: what it was, in case the exchange shows it after all. */
interface ConcludedAbsent {
  readonly details: { readonly symbol: string; readonly strategyId: string } | undefined;
  readonly inFlight?: InFlightOrder;
}

/**
 * The write side's in-memory view of the log, folded event by event: configured strategies
 * and accounts, each account's portfolio (positions, balances, kill switch) and open orders for risk,
 * the global kill switch, signals not yet processed, and orders whose exchange state is
 * not final.
 */
export class TradingState {
  private readonly strategies = new Map<string, StrategyConfig>();
  private readonly accounts = new Map<string, { config: AccountConfig; portfolio: Portfolio }>();
  private readonly pending = new Map<string, EventOf<'SignalReceived'>>();
  private readonly liveOrders = new Map<string, { accountId: string; status: OrderStatus }>();
  /** accounts whose balances were read from their exchange at least once */
  private readonly observed = new Set<string>();
  /** orders concluded NOT_PLACED: final unless the exchange shows them after all */
  private readonly concludedAbsent = new Map<string, ConcludedAbsent>();
  /** tenants whose kill switch for all their accounts is engaged */
  private readonly tenantKillSwitches = new Set<string>();
  /** strategies paused and deleted (ADR-0019): a deleted one is unknown to ingest and configuration, still routable for what it left pending */
  private readonly pausedStrategies = new Set<string>();
  private readonly deletedStrategies = new Set<string>();
  /** approved orders that open or add, per `${day}|a:${accountId}` and `${day}|s:${strategyId}` (ADR-0019); only the last days are kept */
  private readonly tradeCounts = new Map<string, number>();
  /** per strategy: its losing trades in a row (ADR-0019) */
  private readonly streaks = new Map<string, LossStreak>();
  /** per account: each strategy's own position, from its fills (ADR-0019) */
  private readonly strategyBooks = new Map<string, StrategyPositionBook>();

  apply(recorded: Pick<RecordedEvent, 'type'> & { readonly data: object; readonly metadata?: { readonly tenantId?: string; readonly time?: string } }): void {
    const event = { type: recorded.type, data: recorded.data } as PatriotEvent;
    switch (event.type) {
      case 'StrategyConfigured':
        this.strategies.set(event.data.strategyId, event.data);
        return;
      case 'StrategyPaused':
        this.pausedStrategies.add(event.data.strategyId);
        return;
      case 'StrategyResumed':
        this.pausedStrategies.delete(event.data.strategyId);
        return;
      case 'StrategyDeleted':
        this.deletedStrategies.add(event.data.strategyId);
        this.pausedStrategies.delete(event.data.strategyId);
        return;
      case 'AccountOpened':
        this.accounts.set(event.data.accountId, { config: event.data, portfolio: applyPortfolioEvent(emptyPortfolio(event.data), event) });
        return;
      // the "global" switch is global to its tenant: one tenant never stops another's trading
      case 'GlobalKillSwitchEngaged':
        if (recorded.metadata?.tenantId !== undefined) this.tenantKillSwitches.add(recorded.metadata.tenantId);
        return;
      case 'GlobalKillSwitchReleased':
        if (recorded.metadata?.tenantId !== undefined) this.tenantKillSwitches.delete(recorded.metadata.tenantId);
        return;
      case 'SignalReceived':
        this.pending.set(event.data.signalId, event);
        return;
      case 'SignalProcessed':
        this.pending.delete(event.data.signalId);
        return;
      case 'SignalRejected':
      case 'AlertRepeated':
      case 'UserRegistered':
      case 'UserDisabled':
      case 'UserEnabled':
      case 'UserRoleChanged':
      case 'UserPasswordReset':
      case 'UserApiKeyRevoked':
      case 'AccountReconciled':
      case 'AccountCredentialsChanged':
      case 'ExchangeCircuitChanged':
      case 'AccountPricesChanged':
      case 'AccountOwnerChanged':
        return;
      case 'AccountFuturesSettingsChanged': {
        const a = this.accounts.get(event.data.accountId);
        if (a) this.accounts.set(event.data.accountId, { ...a, config: { ...a.config, futures: event.data.settings } });
        return;
      }
      case 'KillSwitchEngaged':
      case 'KillSwitchReleased':
        this.applyToAccount(event.data.accountId, event);
        return;
      case 'KillSwitchActionsRequested': {
        const { accountId, ...actions } = event.data;
        const tenantId = this.accounts.get(accountId)?.config.tenantId;
        if (tenantId !== undefined) this.killSwitchActions.set(accountId, { accountId, tenantId, ...actions, cancelled: [] });
        return;
      }
      case 'KillSwitchActionsDone':
        if (this.killSwitchActions.get(event.data.accountId)?.requestId === event.data.requestId) this.killSwitchActions.delete(event.data.accountId);
        return;
      case 'AccountBalancesObserved':
        this.applyToAccount(event.data.accountId, event);
        this.observed.add(event.data.accountId);
        return;
      case 'OrderApproved':
        this.countTrade(event.data, recorded.metadata?.time);
        this.applyToAccount(event.data.accountId, event);
        this.applyToOrder(event);
        return;
      case 'OrderRejected':
      case 'OrderAccepted':
      case 'OrderExchangeRejected':
      case 'OrderStatusUnknown':
      case 'OrderCancelled':
      case 'OrderExpired':
      case 'OrderParked':
      case 'OrderReleased':
      case 'OrderSubmitted':
      case 'OrderTriggered':
      case 'OrderTrailMoved':
        this.applyToAccount(event.data.accountId, event);
        this.applyToOrder(event);
        return;
      case 'OrderCancelRequested': {
        this.applyToAccount(event.data.accountId, event);
        this.applyToOrder(event);
        const actions = this.killSwitchActions.get(event.data.accountId);
        if (actions && event.data.by === killSwitchCancelBy(actions.requestId)) actions.cancelled.push(event.data.clientOrderId);
        return;
      }
      case 'OrderFilled':
        this.applyToAccount(event.data.accountId, event);
        this.applyToOrder(event);
        this.applyToStrategyBook(event);
        this.applyToStreak(event);
        return;
      default:
        // a new event type is a compile error here; an unknown one in the log (a newer version's) changes nothing
        ignoreUnknown(event);
    }
  }

  /**
   * The order's status from the order decider's state machine. Final orders are not kept (their
   * number only grows): one missing here is final, which no event makes live again, except an
   * order concluded NOT_PLACED that the exchange shows after all (kept apart, and adopted).
   */
  private applyToOrder(event: OrderEvent): void {
    const id = event.data.clientOrderId;
    const live = this.liveOrders.get(id);
    const detailsBefore = this.orderDetails.get(id);
    const before: OrderStatus = live?.status ?? (this.concludedAbsent.has(id) ? 'exchange_rejected' : event.type === 'OrderApproved' || event.type === 'OrderRejected' ? 'none' : FINAL);
    const status = orderStatusAfter(before, event);
    const absent = this.concludedAbsent.get(id);
    this.concludedAbsent.delete(id);
    if (status === 'exchange_rejected' && event.type === 'OrderExchangeRejected' && event.data.code === NOT_PLACED) {
      // what the order was, kept with it: shown by the exchange after all, it is live again as it was
      const inFlight = this.inFlight.get(id);
      this.concludedAbsent.set(id, { details: this.orderDetails.get(id), ...(inFlight ? { inFlight } : {}) });
    } else if (absent !== undefined && !isTerminal(status)) {
      if (absent.details) this.orderDetails.set(id, absent.details);
      if (absent.inFlight) this.inFlight.set(id, absent.inFlight);
    }
    if (isTerminal(status)) {
      this.liveOrders.delete(id);
      this.cancelsRequested.delete(id);
    } else {
      this.liveOrders.set(id, { accountId: event.data.accountId, status });
      if (event.type === 'OrderCancelRequested') this.cancelsRequested.add(id);
    }
    this.trackOrderDetails(event, status);
    // the account's open orders per symbol (the open-order cap, the prices to follow), counted as orders come and go
    const nowLive = !isTerminal(status);
    if ((live !== undefined) !== nowLive) {
      const symbol = (nowLive ? this.orderDetails.get(id) : detailsBefore)?.symbol;
      if (symbol !== undefined) this.openOrders.add(event.data.accountId, symbol, nowLive ? 1 : -1);
    }
  }

  /** per account: its open (live) orders per symbol */
  private readonly openOrders = new OpenOrderCounts();

  /** The account's orders not final yet (parked, on their way, open, of unknown fate, held by PATRIOT), of one symbol or all. */
  openOrderCount(accountId: string, symbol?: string): number {
    return this.openOrders.count(accountId, symbol);
  }

  // ---- the kill switch's actions (issue 17): requested per account, pending until KillSwitchActionsDone
  private readonly killSwitchActions = new Map<string, PendingKillSwitchActions>();
  /** live orders whose cancel was requested already */
  private readonly cancelsRequested = new Set<string>();

  /** Accounts whose kill switch asked to cancel their orders or flatten them, not done yet (the routing leader does it). */
  pendingKillSwitchActions(): PendingKillSwitchActions[] {
    return [...this.killSwitchActions.values()];
  }

  /** Whether a cancel of this live order was requested already. */
  cancelRequested(clientOrderId: string): boolean {
    return this.cancelsRequested.has(clientOrderId);
  }

  // ---- order lifecycle (issue 17): which live order is whose, on what symbol (to cancel them by account, symbol or strategy)
  private readonly orderDetails = new Map<string, { readonly symbol: string; readonly strategyId: string }>();

  private trackOrderDetails(event: OrderEvent, status: OrderStatus): void {
    const id = event.data.clientOrderId;
    if (isTerminal(status)) {
      this.orderDetails.delete(id);
      this.inFlight.set(id, undefined);
      return;
    }
    if (event.type === 'OrderApproved') {
      this.orderDetails.set(id, { symbol: event.data.symbol, strategyId: event.data.strategyId });
      const intent = event.data;
      // a signal's own market order (not a bracket's child, not a conditional one PATRIOT holds): it fills in moments, so the
      // position it makes is counted from its approval — two alerts routed before the first fills do not both act on the old position
      if (intent.type === 'market' && intent.parent === undefined && intent.managed !== true) {
        const quantity = parseDec(intent.quantity) ?? ZERO;
        this.inFlight.set(id, { accountId: intent.accountId, strategyId: intent.strategyId, symbol: intent.symbol, signedOpen: intent.side === 'buy' ? quantity : quantity.negated() });
      }
    } else if (event.type === 'OrderFilled') {
      const flying = this.inFlight.get(id);
      if (flying) {
        const filled = parseDec(String(event.data.quantity)) ?? ZERO;
        const open = flying.signedOpen.abs().minus(filled);
        this.inFlight.set(id, open.greaterThan(0) ? { ...flying, signedOpen: flying.signedOpen.isNegative() ? open.negated() : open } : undefined);
      }
    }
  }

  /** market orders of signals approved and not final: their signed quantity still to fill, summed as they come and go */
  private readonly inFlight = new InFlightOrders();

  /** The account's orders not final yet (parked, on their way, open, of unknown fate), in log order; optionally of one symbol or strategy. */
  liveOrdersOf(accountId: string, filter: { symbol?: string; strategyId?: string } = {}): { clientOrderId: string; symbol: string; strategyId: string; status: OrderStatus }[] {
    const found: { clientOrderId: string; symbol: string; strategyId: string; status: OrderStatus }[] = [];
    for (const [clientOrderId, o] of this.liveOrders) {
      const details = this.orderDetails.get(clientOrderId);
      if (o.accountId !== accountId || !details) continue;
      if (filter.symbol !== undefined && details.symbol !== filter.symbol) continue;
      if (filter.strategyId !== undefined && details.strategyId !== filter.strategyId) continue;
      found.push({ clientOrderId, ...details, status: o.status });
    }
    return found;
  }

  /** Whether the tenant's kill switch for all its accounts is engaged. */
  globalKillSwitch(tenantId: string): boolean {
    return this.tenantKillSwitches.has(tenantId);
  }

  /** A strategy that exists (a deleted one does not). */
  strategy(strategyId: string): StrategyConfig | undefined {
    return this.deletedStrategies.has(strategyId) ? undefined : this.strategies.get(strategyId);
  }

  /** A strategy's configuration even when deleted: signals it left pending are still routed. */
  strategyForRouting(strategyId: string): StrategyConfig | undefined {
    return this.strategies.get(strategyId);
  }

  /** Whether the strategy is paused (its alerts are recorded and refused). */
  isPaused(strategyId: string): boolean {
    return this.pausedStrategies.has(strategyId);
  }

  allStrategies(): StrategyConfig[] {
    return [...this.strategies.values()].filter((s) => !this.deletedStrategies.has(s.strategyId));
  }

  account(accountId: string): AccountConfig | undefined {
    return this.accounts.get(accountId)?.config;
  }

  allAccounts(): AccountConfig[] {
    return [...this.accounts.values()].map((a) => a.config);
  }

  /** Symbols an account holds a position in or has open orders on, and the strategies' mapped symbols routed to it: its prices must be followed. */
  symbolsInUse(accountId: string): string[] {
    const a = this.accounts.get(accountId);
    if (!a) return [];
    const symbols = new Set<string>();
    for (const [symbol, position] of a.portfolio.positions) if (!position.quantity.isZero()) symbols.add(symbol);
    for (const symbol of this.openOrders.symbols(accountId)) symbols.add(symbol);
    for (const strategy of this.strategies.values()) {
      if (strategy.accounts.some((l) => l.accountId === accountId)) for (const symbol of Object.values(strategy.symbolMap)) symbols.add(symbol);
    }
    return [...symbols].sort();
  }

  snapshot(accountId: string): AccountSnapshot | undefined {
    const a = this.accounts.get(accountId);
    if (!a) return undefined;
    const portfolio = a.portfolio;
    return {
      config: a.config,
      positionQuantity: (symbol) => positionQuantity(portfolio, symbol),
      inFlightQuantity: (symbol, strategyId) => this.inFlight.quantity(accountId, symbol, strategyId),
      openOrders: this.openOrderCount(accountId),
      killSwitch: portfolio.killSwitch.engaged,
      strategyPositionQuantity: (strategyId, symbol) => strategyPosition(this.strategyBooks.get(accountId) ?? EMPTY_BOOK, strategyId, symbol),
      sizingBasis: (mark) => sizingBasisOf(portfolio, mark),
    };
  }

  /** The strategies holding a position in the symbol on the account, with their signed quantities. */
  positionHolders(accountId: string, symbol: string): { readonly strategyId: string; readonly quantity: Dec }[] {
    return holdersOf(this.strategyBooks.get(accountId) ?? EMPTY_BOOK, symbol);
  }

  /** One strategy's open positions on the account. */
  strategyPositions(accountId: string, strategyId: string): { readonly symbol: string; readonly quantity: Dec }[] {
    const bySymbol = (this.strategyBooks.get(accountId) ?? EMPTY_BOOK).get(strategyId);
    return bySymbol ? [...bySymbol].map(([symbol, quantity]) => ({ symbol, quantity })) : [];
  }

  /** Orders approved on the UTC day that open or add to a position, for the account and for the strategy. */
  tradesOn(day: string, accountId: string, strategyId: string): { account: number; strategy: number } {
    return { account: this.tradeCounts.get(`${day}|a:${accountId}`) ?? 0, strategy: this.tradeCounts.get(`${day}|s:${strategyId}`) ?? 0 };
  }

  private countTrade(intent: { accountId: string; strategyId: string; reduceOnly: boolean }, time: string | undefined): void {
    const day = time === undefined ? undefined : utcDay(time);
    if (intent.reduceOnly || time === undefined || day === undefined) return;
    for (const key of [`${day}|a:${intent.accountId}`, `${day}|s:${intent.strategyId}`]) this.tradeCounts.set(key, (this.tradeCounts.get(key) ?? 0) + 1);
    if (this.tradeCounts.size > 20_000) {
      // keep the last two days only
      const keep = new Set([day, utcDay(new Date(Date.parse(time) - 86_400_000).toISOString()) ?? day]);
      for (const key of this.tradeCounts.keys()) if (!keep.has(key.slice(0, 10))) this.tradeCounts.delete(key);
    }
  }

  /** The strategy's loss on a UTC day: realised after fees, plus unrealised at `mark` (positive = lost). */
  strategyDayLoss(strategyId: string, day: string, mark: (accountId: string, symbol: string) => Dec | undefined): Dec {
    return dayLoss(this.streaks.get(strategyId) ?? NO_STREAK, day, mark);
  }

  /** The strategy's losing trades in a row, and when the last ended. */
  lossStreak(strategyId: string): { losses: number; lastLossAt?: string } {
    const s = this.streaks.get(strategyId) ?? NO_STREAK;
    return { losses: s.losses, ...(s.lastLossAt !== undefined ? { lastLossAt: s.lastLossAt } : {}) };
  }

  private applyToStreak(event: EventOf<'OrderFilled'>): void {
    const f = event.data;
    const quantity = parseDec(f.quantity);
    const price = parseDec(f.price);
    const fee = parseDec(f.fee);
    if (quantity === undefined || price === undefined || fee === undefined) return;
    const { base, quote } = splitSymbol(f.symbol);
    const feeInQuote = f.feeCurrency === quote ? fee : f.feeCurrency === base ? fee.times(price) : fee.times(0);
    this.streaks.set(f.strategyId, applyStreakFill(this.streaks.get(f.strategyId) ?? NO_STREAK, { accountId: f.accountId, symbol: f.symbol, side: f.side, quantity, price, feeInQuote, filledAt: f.filledAt }));
  }

  private applyToStrategyBook(event: EventOf<'OrderFilled'>): void {
    const { accountId, strategyId, symbol, side } = event.data;
    const quantity = parseDec(event.data.quantity);
    if (!this.accounts.has(accountId) || quantity === undefined) return;
    this.strategyBooks.set(accountId, applyStrategyFill(this.strategyBooks.get(accountId) ?? EMPTY_BOOK, { strategyId, symbol, side, quantity }));
  }

  /** Whether any accepted signal waits to be routed. */
  hasPendingSignals(): boolean {
    return this.pending.size > 0;
  }

  /** Accepted signals not yet routed, in log order. */
  pendingSignals(): EventOf<'SignalReceived'>[] {
    return [...this.pending.values()];
  }

  /** Orders the exchange may know more about than we do (approved, unknown, open), in log order. */
  ordersToReconcile(): { clientOrderId: string; accountId: string; status: OrderStatus }[] {
    // parked and armed orders were never sent: nothing to look up (their owner holds them)
    return [...this.liveOrders].filter(([, o]) => o.status !== 'parked' && o.status !== 'armed').map(([clientOrderId, o]) => ({ clientOrderId, ...o }));
  }

  /** The account's balances as its recorded fills make them (undefined for an unknown account). */
  balances(accountId: string): ReadonlyMap<string, Dec> | undefined {
    return this.accounts.get(accountId)?.portfolio.balances;
  }

  /** Whether the account's balances were ever read from its exchange (before that, holdings predating PATRIOT are not differences). */
  balancesObserved(accountId: string): boolean {
    return this.observed.has(accountId);
  }

  /** Whether any order of the account is not final (on its way, open, parked or of unknown fate): its fills may still come. */
  hasLiveOrders(accountId: string): boolean {
    for (const o of this.liveOrders.values()) if (o.accountId === accountId) return true;
    return false;
  }

  /** Whether an order of the account is on its way to the exchange or of unknown fate (its fills may be missing yet). */
  hasOrdersInFlight(accountId: string): boolean {
    for (const o of this.liveOrders.values()) if (o.accountId === accountId && (o.status === 'approved' || o.status === 'unknown')) return true;
    return false;
  }

  /** Orders not final yet, counted by status. */
  liveOrderCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const o of this.liveOrders.values()) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
    return counts;
  }

  /** Whether the order is live here (approved, parked, unknown, open): anything else is final or unknown to us. */
  isLive(clientOrderId: string): boolean {
    return this.liveOrders.has(clientOrderId);
  }

  /** The status of a live order (undefined for a final one, or one unknown here). */
  liveOrderStatus(clientOrderId: string): OrderStatus | undefined {
    return this.liveOrders.get(clientOrderId)?.status;
  }

  /** Limit orders held back at an account's open-order cap (never sent), in log order. */
  parkedOrders(): { clientOrderId: string; accountId: string }[] {
    return [...this.liveOrders].filter(([, o]) => o.status === 'parked').map(([clientOrderId, o]) => ({ clientOrderId, accountId: o.accountId }));
  }

  /** PATRIOT-managed orders waiting for their trigger (issue 17): the owner of their account watches them. */
  armedOrders(): { clientOrderId: string; accountId: string }[] {
    return [...this.liveOrders].filter(([, o]) => o.status === 'armed').map(([clientOrderId, o]) => ({ clientOrderId, accountId: o.accountId }));
  }

  private applyToAccount(accountId: string, event: PatriotEvent): void {
    const a = this.accounts.get(accountId);
    if (a) a.portfolio = applyPortfolioEvent(a.portfolio, event);
  }
}

/**
 * The write side's current TradingState and the accounts this node owns, shared by whoever needs
 * them (the signal processor folds and swaps the state, the executor and the exchanges read it):
 * built first, so the parts that use it need no reference to one another.
 */
export class TradingView {
  /** read it through this property each time: a rebuild of the fold replaces it */
  current = new TradingState();
  /** accounts whose order flow this node owns now */
  readonly owned = new Set<string>();

  account(accountId: string): AccountConfig | undefined {
    return this.current.account(accountId);
  }

  ownsAccount(accountId: string): boolean {
    return this.owned.has(accountId);
  }
}
