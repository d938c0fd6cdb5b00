import type { EventAudit } from '../ports/event-store.js';
import type { ProjectionStore, ReadDoc } from '../ports/projection-store.js';
import { C, type AccountView, type BalanceView, type FillView, type OrderView, type PositionView, type SignalView, type SystemView, type UserView } from '../projections/read-models.js';
import { Dec, decToString, parseDec, shownDec } from '../../domain/shared/decimal.js';
import { unrealizedPnl } from '../../domain/positions/position.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';

/** A strategy's run state in the read model (ADR-0019); absent status: active. */
export interface StrategyRun {
  readonly status?: 'active' | 'paused' | 'deleted';
  readonly pausedReason?: string;
}
import { STRATEGY_FILLS, type StrategyFillsView } from '../processors/strategy-fill-counts.js';
import type { AlertRepeatCounter, RepeatTally } from '../ports/alert-repeats.js';

export interface Page<T> {
  readonly items: T[];
  readonly nextBefore?: number;
}

export interface ListFilter {
  readonly limit?: number;
  readonly before?: number;
  readonly accountId?: string;
  readonly strategyId?: string;
  readonly signalId?: string;
}

export interface PositionWithPnl extends PositionView {
  readonly markPrice?: string;
  readonly unrealizedPnl?: string;
  /** where the mark came from (the account's own exchange) and how old it is */
  readonly markSource?: string;
  readonly markAgeMs?: number;
  /** older than the allowed price age: shown, but nothing is decided on it */
  readonly markStale?: boolean;
}

/** The mark of a symbol on an account's own exchange. */
export type MarkOf = (accountId: string, symbol: string) => { readonly price: string; readonly source: string; readonly ageMs: number; readonly stale: boolean } | undefined;

export interface TraceEvent {
  readonly globalPosition: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: string;
  readonly time: string;
  readonly causationId?: string;
  readonly data: Record<string, unknown>;
  readonly hash: string;
}

/** A signal's repeats as shown: `firstAt` when every one of them was counted (not only logged). */
export interface WithRepeats {
  readonly repeats?: { readonly count: number; readonly lastAt: string; readonly firstAt?: string };
}

function repeatsOf(logged: { count: number; lastAt: string }, tally: RepeatTally): NonNullable<WithRepeats['repeats']> {
  const onlyLogged = Math.max(0, logged.count - tally.logged);
  return {
    count: onlyLogged + tally.count,
    lastAt: logged.lastAt > tally.lastAt ? logged.lastAt : tally.lastAt,
    ...(onlyLogged === 0 ? { firstAt: tally.firstAt } : {}),
  };
}

/** The read side: every query is scoped to one tenant. */
export class ReadQueries {
  constructor(
    private readonly docs: ProjectionStore,
    private readonly events: Pick<EventAudit, 'readByCorrelation'>,
    private readonly markOf: MarkOf,
    private readonly repeats?: Pick<AlertRepeatCounter, 'tallies'>,
    /** the orders of a tenant not final yet, from the write side's folded log (issue 20: every open order, not the last page) */
    private readonly liveOrderIds?: (tenantId: string, accountId?: string) => readonly string[],
  ) {}

  /** At most this many open orders are listed at once (the newest; `total` says how many there are). */
  static readonly MAX_OPEN_ORDERS = 1000;

  /**
   * Every order of the tenant not final yet (of one account when given), newest first, however
   * old: the live orders come from the write side, their documents from the read models (one a
   * moment old and not projected yet is left out until it is). Beyond MAX_OPEN_ORDERS the newest
   * are listed, and `total` counts them all (a grid of resting orders can exceed it).
   */
  async openOrders(tenantId: string, filter: { accountId?: string }, max = ReadQueries.MAX_OPEN_ORDERS): Promise<Page<OrderView> & { readonly total: number }> {
    const ids = this.liveOrderIds?.(tenantId, filter.accountId) ?? [];
    const found = await this.docs.getMany(ids.map((id) => ({ collection: C.orders, tenantId, id })));
    const all = found.map((d) => d.data as unknown as OrderView).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    return { items: all.slice(0, max), total: all.length };
  }

  async signals(tenantId: string, filter: ListFilter): Promise<Page<SignalView & WithRepeats>> {
    const page = await this.page<SignalView>(C.signals, tenantId, filter);
    return { ...page, items: await this.withRepeats(page.items) };
  }

  async signal(tenantId: string, signalId: string): Promise<(SignalView & WithRepeats) | undefined> {
    const signal = await this.one<SignalView>(C.signals, tenantId, signalId);
    return signal ? (await this.withRepeats([signal]))[0] : undefined;
  }

  /**
   * The repeats counted beside the log added to those in it: the log holds a signal's first repeat
   * (and, from versions that logged every repeat, all of theirs), the counter every repeat since.
   * Only signals whose repeat is logged are looked up.
   */
  private async withRepeats(signals: SignalView[]): Promise<(SignalView & WithRepeats)[]> {
    const repeated = signals.filter((s) => s.repeats !== undefined).map((s) => s.signalId);
    if (!this.repeats || repeated.length === 0) return signals;
    const tallies = await this.repeats.tallies(repeated);
    return signals.map((s) => {
      const tally = tallies.get(s.signalId);
      return tally && s.repeats ? { ...s, repeats: repeatsOf(s.repeats, tally) } : s;
    });
  }

  orders(tenantId: string, filter: ListFilter): Promise<Page<OrderView>> {
    return this.page<OrderView>(C.orders, tenantId, filter);
  }

  order(tenantId: string, clientOrderId: string): Promise<OrderView | undefined> {
    return this.one<OrderView>(C.orders, tenantId, clientOrderId);
  }

  fills(tenantId: string, filter: ListFilter): Promise<Page<FillView>> {
    return this.page<FillView>(C.fills, tenantId, filter);
  }

  async positions(tenantId: string, filter: ListFilter): Promise<PositionWithPnl[]> {
    const page = await this.page<PositionView>(C.positions, tenantId, { ...filter, limit: 500 });
    return page.items.map((stored) => {
      // derived amounts are exact inside and rounded for show (issue 20): an average price can have 40 digits
      const p = { ...stored, averageEntryPrice: shownDec(stored.averageEntryPrice), realizedPnl: shownDec(stored.realizedPnl), feesPaid: shownDec(stored.feesPaid) };
      const mark = this.markOf(p.accountId, p.symbol);
      const markPrice = mark ? parseDec(mark.price) : undefined;
      if (!mark || !markPrice) return p;
      const upnl = unrealizedPnl({ quantity: new Dec(stored.quantity), averageEntryPrice: new Dec(stored.averageEntryPrice), realizedPnl: new Dec(stored.realizedPnl), feesPaid: new Dec(stored.feesPaid) }, markPrice);
      return { ...p, markPrice: decToString(markPrice), unrealizedPnl: shownDec(decToString(upnl)), markSource: mark.source, markAgeMs: Math.round(mark.ageMs), markStale: mark.stale };
    });
  }

  async balances(tenantId: string, filter: ListFilter): Promise<BalanceView[]> {
    return (await this.page<BalanceView>(C.balances, tenantId, { ...filter, limit: 500 })).items;
  }

  async accounts(tenantId: string): Promise<AccountView[]> {
    return (await this.page<AccountView>(C.accounts, tenantId, { limit: 500 })).items;
  }

  account(tenantId: string, accountId: string): Promise<AccountView | undefined> {
    return this.one<AccountView>(C.accounts, tenantId, accountId);
  }

  async strategies(tenantId: string): Promise<(StrategyConfig & StrategyRun)[]> {
    // a deleted strategy is gone from the list (its signals and orders stay)
    return (await this.page<StrategyConfig & StrategyRun>(C.strategies, tenantId, { limit: 500 })).items.filter((s) => s.status !== 'deleted');
  }

  /** One strategy with its run state (ADR-0019); a deleted one is not found. */
  async strategy(tenantId: string, strategyId: string): Promise<(StrategyConfig & StrategyRun) | undefined> {
    const found = await this.one<StrategyConfig & StrategyRun>(C.strategies, tenantId, strategyId);
    return found?.status === 'deleted' ? undefined : found;
  }

  /** How often the strategy's orders filled (the strategy-fill-counts processor's documents; zeros before its first fill). */
  async strategyFills(tenantId: string, strategyId: string): Promise<StrategyFillsView> {
    return (await this.one<StrategyFillsView>(STRATEGY_FILLS, tenantId, strategyId)) ?? { strategyId, fills: 0, buys: 0, sells: 0, ordersFilled: 0 };
  }

  async users(tenantId: string): Promise<UserView[]> {
    return (await this.page<UserView>(C.users, tenantId, { limit: 500 })).items;
  }

  user(tenantId: string, userId: string): Promise<UserView | undefined> {
    return this.one<UserView>(C.users, tenantId, userId);
  }

  async system(tenantId: string): Promise<SystemView> {
    return (await this.one<SystemView>(C.system, tenantId, 'global')) ?? { killSwitch: { engaged: false } };
  }

  /** Every event one alert caused, in log order; undefined when the signal is not this tenant's. */
  async trace(tenantId: string, signalId: string): Promise<TraceEvent[] | undefined> {
    const events = (await this.events.readByCorrelation(signalId)).filter((e) => e.metadata.tenantId === tenantId);
    if (events.length === 0) return undefined;
    return events.map((e) => ({
      globalPosition: e.globalPosition, streamId: e.streamId, streamVersion: e.streamVersion, type: e.type, time: e.metadata.time,
      ...(e.metadata.causationId !== undefined ? { causationId: e.metadata.causationId } : {}), data: e.data, hash: e.hash,
    }));
  }

  private async one<T>(collection: string, tenantId: string, id: string): Promise<T | undefined> {
    return (await this.docs.get(collection, tenantId, id))?.data as T | undefined;
  }

  private async page<T>(collection: string, tenantId: string, filter: ListFilter): Promise<Page<T>> {
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
    const docs: ReadDoc[] = await this.docs.list({
      collection, tenantId, limit,
      ...(filter.before !== undefined ? { before: filter.before } : {}),
      ...(filter.accountId !== undefined ? { accountId: filter.accountId } : {}),
      ...(filter.strategyId !== undefined ? { strategyId: filter.strategyId } : {}),
      ...(filter.signalId !== undefined ? { signalId: filter.signalId } : {}),
    });
    const last = docs[docs.length - 1];
    return { items: docs.map((d) => d.data as T), ...(docs.length === limit && last ? { nextBefore: last.seq } : {}) };
  }
}
