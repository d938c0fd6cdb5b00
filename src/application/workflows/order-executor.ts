import type { AppendRequest, EventStore, RecordedEvent } from '../ports/event-store.js';
import type { ExchangeGateway, ExchangeOrder, PlaceOrderListResult, PlaceOrderRequest, PlaceOrderResult } from '../ports/exchange.js';
import { executesAs } from '../../domain/orders/order-types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { OrderIntent } from '../../domain/events.js';
import { streams } from '../../domain/events.js';
import { NOT_PLACED, isTerminal, orderDecider, type OrderCommand, type OrderEvent, type OrderState } from '../../domain/orders/order-decider.js';
import { Dec } from '../../domain/shared/decimal.js';
import { handleCommand } from '../commands/command-handler.js';
import { KeyedMutex } from '../shared/keyed-mutex.js';
import { ParkingLot } from './order-parking.js';
import { notPlacedReason, searchOrder, unknownReason } from './order-search.js';
import { aggregateStream } from '../shared/aggregate-stream.js';
import { askToCancel, cancelledReason, cancelNeeds } from './order-cancel.js';

export interface ExecutorDeps {
  readonly store: EventStore;
  readonly exchange: ExchangeGateway;
  readonly clock: Clock;
  readonly log: Logger;
  /** serialises writers of one order stream (shared with anything else writing order streams) */
  readonly streamMutex: KeyedMutex;
  /** back-off before each look-up of an order in unknown state, in ms; the last repeats */
  readonly lookupDelaysMs?: readonly number[];
  /** called just before an order request leaves for the exchange */
  readonly onPlacing?: (intent: OrderIntent) => void;
  readonly onOutcome?: (intent: OrderIntent, outcome: PlaceOrderResult) => void;
  /**
   * Whether this node owns the account's order flow now (default: always). Checked right
   * before an order leaves and before a look-up: work queued for an account this node has since
   * lost is dropped, because the new owner reconciles the account's live orders itself.
   */
  readonly owns?: (accountId: string) => boolean;
  /**
   * How long after the last possible placement attempt an order may still be invisible to
   * look-ups on the account's exchange (default 0: the paper exchange is consistent at once;
   * Binance has been seen answering "does not exist" for a minute). A "not found" inside that
   * window is not proof of absence: the order is looked up again later instead of resent.
   */
  readonly absenceGraceMs?: (accountId: string) => number;
  /**
   * The exchange's cap on an account's open orders (undefined: none). At the cap, further limit
   * orders are parked (recorded, not sent) and released nearest-to-market first as room frees.
   */
  readonly openOrderCap?: (accountId: string) => number | undefined;
  /** the current mark price of a symbol (to pick the parked order nearest to the market) */
  readonly markPrice?: (symbol: string, accountId: string) => Dec | undefined;
  /**
   * How long after its approval an order the exchange definitively did not place (rate limited,
   * unreachable before the request left) is still tried again, in ms (default 120 s). After it,
   * the order is recorded as refused with the last reason: a late order is not what the alert asked.
   */
  readonly retryWithinMs?: number;
}

/** Exchange reject codes meaning "this clientOrderId is already there": the order probably exists. */
const DUPLICATE_CODES = new Set(['DUPLICATE_CLIENT_ORDER_ID']);

const DEFAULT_DELAYS = [250, 1000, 2000, 5000, 10000, 30000];
const DEFAULT_RETRY_WITHIN_MS = 120_000;

export { NOT_PLACED_REASON } from './order-search.js';

/**
 * Sends approved orders to the exchange and records what happened. One FIFO queue per
 * account keeps each account's orders in signal order. An order whose fate is unknown
 * (timeout, 5xx) is looked up by clientOrderId with back-off and is only sent again,
 * with the same clientOrderId, once the exchange definitively has no such order.
 */
export class OrderExecutor {
  private readonly accounts = new KeyedMutex();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** when this process last sent each order whose outcome is not settled yet */
  private readonly sentAt = new Map<string, number>();
  /** when this process took over each account (any earlier owner's attempts happened before) */
  private readonly ownedSince = new Map<string, number>();
  private readonly startedAt: number;
  /** open orders per account as far as this node knows, and the limit orders it holds back */
  private readonly book = new ParkingLot();
  /** orders whose placement request is under way in this process (sent, outcome not recorded yet) */
  private readonly placing = new Set<string>();
  /** orders the exchange definitely did not place, waiting here for their next attempt */
  private readonly retrying = new Set<string>();
  /** orders submitted for an account whose turn of the queue has not come yet (they leave together) */
  private readonly openBatches = new Map<string, OrderIntent[]>();
  /** queued orders whose attempt was recorded with their approval (ADR-0030): they leave with nothing read or recorded first */
  private readonly recordedLeaving = new Set<string>();

  constructor(private readonly deps: ExecutorDeps) {
    this.startedAt = deps.clock.now();
  }

  /** This node now owns the account: an attempt by its previous owner happened before this moment. */
  accountTaken(accountId: string): void {
    this.ownedSince.set(accountId, this.deps.clock.now());
  }

  /** This node no longer owns the account: forget its book (the new owner rebuilds its own). */
  accountDropped(accountId: string): void {
    this.book.forget(accountId);
  }

  /** Takes over an order parked by a previous owner (or before a restart): it waits for room like any parked order. */
  adoptParked(clientOrderId: string, accountId: string): void {
    this.closeBatch(accountId);
    void this.accounts.run(accountId, async () => {
      const { state } = await this.orderState(clientOrderId);
      if (state.status === 'parked' && state.intent) this.book.park(state.intent);
    });
    this.releaseRoom(accountId);
  }

  /**
   * Queues a freshly approved order for placement. The account's queue only orders the
   * dispatch: the request leaves as soon as the orders before it have left (and any look-up
   * queued before it has finished); recording the outcome happens outside the queue. Orders
   * submitted back to back share one turn of the queue, so their attempts are recorded in one
   * append (one commit) before they leave.
   */
  submit(intent: OrderIntent): void {
    this.enqueue(intent);
  }

  /**
   * Whether an order approved now would leave at once with nothing read first (ADR-0030): this node
   * owns its account and runs, and it is neither held back at an open-order cap, nor one leg of a
   * list, nor held by PATRIOT. Its attempt may then be recorded with its approval (submitRecorded).
   */
  sendsAtOnce(intent: OrderIntent): boolean {
    if (this.stopped || !this.owns(intent.accountId) || intent.orderList !== undefined || intent.managed === true) return false;
    return !(intent.type === 'limit' && this.deps.openOrderCap?.(intent.accountId) !== undefined);
  }

  /**
   * Queues an order whose attempt was recorded in the commit that approved it (ADR-0030): it leaves
   * in its account's turn without its stream being read or anything recorded first. Like any order
   * recorded as leaving, it leaves even while the executor stops; if this node no longer owns the
   * account, the new owner finds its attempt recorded and looks it up (it is sent if it never left).
   */
  submitRecorded(intent: OrderIntent): void {
    this.recordedLeaving.add(intent.clientOrderId);
    this.enqueue(intent);
  }

  private enqueue(intent: OrderIntent): void {
    let batch = this.openBatches.get(intent.accountId);
    if (!batch) {
      const fresh: OrderIntent[] = [];
      batch = fresh;
      this.openBatches.set(intent.accountId, fresh);
      void this.accounts.run(intent.accountId, async () => {
        if (this.openBatches.get(intent.accountId) === fresh) this.openBatches.delete(intent.accountId);
        await this.drain(intent.accountId, fresh);
      });
    }
    batch.push(intent);
  }

  /** Anything else queued for the account goes behind the orders submitted so far: they no longer take newcomers. */
  private closeBatch(accountId: string): void {
    this.openBatches.delete(accountId);
  }

  /**
   * Exactly once per approval, whoever hands the order over and however often: an order whose
   * placement is under way here, or whose log says it went further than approved, is not sent
   * from a submission; one whose attempt is recorded without an outcome (it left before a
   * restart or from another node) is looked up instead. The rest are parked at the open-order
   * cap or recorded as leaving (ADR-0011) and sent, in order.
   */
  private async drain(accountId: string, batch: readonly OrderIntent[]): Promise<void> {
    if (!this.owns(accountId)) {
      for (const intent of batch) this.recordedLeaving.delete(intent.clientOrderId);
      return; // another node owns it now and reconciles it (an attempt recorded is looked up there)
    }
    // stopping: nothing of the batch is read, recorded or sent; it stays approved in the log and whoever
    // owns the account next sends it (once). A backlog of queued batches read every order's stream before
    // finding this out: a stop under load took 11-12 s on PostgreSQL (issue 18's bench). Orders whose
    // attempt is recorded already leave, as recorded attempts always do (stop waits for them).
    if (this.stopped) {
      for (const intent of batch) if (this.recordedLeaving.delete(intent.clientOrderId) && !this.underWay(intent.clientOrderId)) this.send(intent);
      return;
    }
    const leaving: { intent: OrderIntent; history: readonly RecordedEvent[]; partner?: OrderIntent; recorded?: true }[] = [];
    for (const submitted of batch) {
      if (this.recordedLeaving.delete(submitted.clientOrderId)) {
        // recorded with its approval: nothing to read (unless a look-up of it sends it, or holds it for its next attempt, here)
        if (!this.underWay(submitted.clientOrderId)) leaving.push({ intent: submitted, history: [], recorded: true });
        continue;
      }
      if (this.stopped) break; // what was read so far is left unsent below
      // a one-cancels-other list leaves as one request: its limit leg leads, its stop leg goes with it
      let intent = submitted;
      if (submitted.orderList?.leg === 'stop') {
        try {
          intent = await this.listLead(submitted);
        } catch {
          this.later(submitted.clientOrderId, accountId, 0); // the log cannot be read now: looked up later (a leg never sent sends its list)
          continue;
        }
        if (intent.orderList?.leg !== 'limit') continue; // no lead to go with: never sent alone
      }
      if (this.underWay(intent.clientOrderId) || leaving.some((l) => l.intent.clientOrderId === intent.clientOrderId)) continue;
      let read: Awaited<ReturnType<OrderExecutor['orderState']>>;
      try {
        read = await this.orderState(intent.clientOrderId);
      } catch (error) {
        // the log cannot be read now: look the order up later (it is sent then if it never left)
        this.deps.log.warn({ clientOrderId: intent.clientOrderId, reason: error instanceof Error ? error.message : String(error) }, 'reading an order before sending it failed; will look it up');
        this.later(intent.clientOrderId, accountId, 0);
        continue;
      }
      const { state, history } = read;
      if (state.status !== 'approved') {
        this.deps.log.info({ clientOrderId: intent.clientOrderId, status: state.status }, 'order already handled; not sent again');
        continue;
      }
      if (state.attempts > 0) {
        this.later(intent.clientOrderId, accountId, 0); // it left once: find out what became of it
        continue;
      }
      if (intent.orderList) {
        let partner: Awaited<ReturnType<OrderExecutor['listPartner']>>;
        try {
          partner = await this.listPartner(intent);
        } catch {
          this.later(intent.clientOrderId, accountId, 0);
          continue;
        }
        if (partner) leaving.push({ intent, history, partner: partner.intent }, { intent: partner.intent, history: partner.history });
        continue;
      }
      const cap = this.deps.openOrderCap?.(accountId);
      if (cap !== undefined && intent.type === 'limit' && (this.book.openCount(accountId) + leaving.length >= cap || this.book.parkedCount(accountId) > 0)) {
        await this.park(intent, cap);
        continue;
      }
      leaving.push({ intent, history });
    }
    if (leaving.length === 0) return;
    if (this.stopped) {
      // never sent, no attempt recorded: it stays approved in the log, and whoever owns the account next sends it (once)
      for (const { intent, recorded } of leaving) if (recorded) this.send(intent);
      const unsent = leaving.filter((l) => !l.recorded).length;
      if (unsent > 0) this.deps.log.info({ accountId, orders: unsent }, 'executor stopping: orders left unsent');
      return;
    }
    const time = new Date(this.deps.clock.now()).toISOString();
    const requests: AppendRequest[] = leaving.filter((l) => !l.recorded).map(({ intent, history }) => ({
      streamId: streams.order(intent.clientOrderId),
      expectedVersion: history.length,
      events: [{ type: 'OrderSubmitted', data: { clientOrderId: intent.clientOrderId, accountId, attempt: 1 } }],
      metadata: { ...this.metadata(history, `submit:${intent.clientOrderId}`), time },
    }));
    let recorded = requests.length === 0;
    if (!recorded) {
      try {
        recorded = (await this.deps.store.appendAtomic(requests)).kind === 'appended';
      } catch (error) {
        this.deps.log.warn({ accountId, orders: requests.length, reason: error instanceof Error ? error.message : String(error) }, 'recording orders as leaving failed; they are not sent now, and are looked up later');
        // those recorded with their approval leave: their attempt is in the log whatever became of this append
        for (const l of leaving) if (l.recorded) this.send(l.intent);
        else this.later(l.intent.clientOrderId, accountId, 0);
        return;
      }
    }
    if (recorded) {
      const partners = new Set(leaving.flatMap((l) => (l.partner ? [l.partner.clientOrderId] : [])));
      for (const { intent, partner } of leaving) {
        if (partner) this.sendList(intent, partner);
        else if (!partners.has(intent.clientOrderId)) this.send(intent);
      }
      return;
    }
    // another writer moved one of these streams: decide each one alone, on its current state (a list's lead takes its partner along)
    const partners = new Set(leaving.flatMap((l) => (l.partner ? [l.partner.clientOrderId] : [])));
    for (const { intent, recorded: withApproval } of leaving) {
      if (withApproval) this.send(intent);
      else if (!partners.has(intent.clientOrderId)) await this.submitOne(intent);
    }
  }

  /** Whether this process is placing the order now, or holds it for its next attempt. */
  private underWay(clientOrderId: string): boolean {
    return this.placing.has(clientOrderId) || this.retrying.has(clientOrderId);
  }

  /**
   * Records one order as leaving, then sends it; nothing is sent when its state refuses (e.g. it
   * left already), nor when a cancel was asked for meanwhile (then it is recorded cancelled instead).
   */
  private async submitOne(intent: OrderIntent): Promise<void> {
    if (this.stopped) return; // no attempt recorded: the next owner sends it
    if (intent.orderList) {
      await this.submitList(intent);
      return;
    }
    const events = await this.commandEvents(intent.clientOrderId, [{ type: 'RecordSubmitted' }], `submit:${intent.clientOrderId}`);
    if (events?.some((e) => e.type === 'OrderSubmitted')) this.send(intent);
    else if (events?.some((e) => e.type === 'OrderCancelled')) this.closed(intent.accountId, intent.clientOrderId);
  }

  /** Sends now (the caller holds the account's queue) and records the outcome outside the queue. */
  private send(intent: OrderIntent): void {
    // its attempt is recorded: it leaves now, even while the executor stops (stop waits for it)
    this.book.markOpen(intent.accountId, intent.clientOrderId);
    void this.track(
      this.placeAndRecord(intent).catch((e: unknown) => {
        // The order left; what became of it is not in the log. Ask the exchange again later.
        this.deps.log.error({ clientOrderId: intent.clientOrderId, err: String(e) }, 'recording an order outcome failed; will look the order up');
        this.later(intent.clientOrderId, intent.accountId, 0);
      }),
    );
  }

  /**
   * One placement request and the recording of its outcome. While it is under way the order is
   * `placing`: no submission sends it again and no look-up concludes it is absent.
   */
  private async placeAndRecord(intent: OrderIntent): Promise<void> {
    this.placing.add(intent.clientOrderId);
    try {
      await this.recordOutcome(intent, await this.dispatch(intent));
    } finally {
      this.placing.delete(intent.clientOrderId);
    }
  }

  /** Holds a limit order back: recorded as parked, sent when room frees (nearest to the market first). */
  private async park(intent: OrderIntent, cap: number): Promise<void> {
    this.book.park(intent);
    await this.command(intent.clientOrderId, [{ type: 'Park', openOrders: this.book.openCount(intent.accountId), cap }], `park:${intent.clientOrderId}`);
    this.deps.log.info({ clientOrderId: intent.clientOrderId, accountId: intent.accountId, cap }, 'order parked: the account is at the exchange\'s open-order cap');
    this.releaseRoom(intent.accountId); // the newcomer may be nearer to the market than the open ones allow for
  }

  /** Releases parked orders while the account has room, nearest to the market first. */
  private releaseRoom(accountId: string): void {
    this.closeBatch(accountId);
    void this.accounts.run(accountId, async () => {
      for (;;) {
        if (this.stopped || !this.owns(accountId)) return;
        const cap = this.deps.openOrderCap?.(accountId);
        if (cap !== undefined && this.book.openCount(accountId) >= cap) return;
        const next = this.book.nextToRelease(accountId, (symbol) => this.deps.markPrice?.(symbol, accountId));
        if (!next) return;
        this.book.unpark(accountId, next.clientOrderId);
        try {
          // refused when the order is no longer parked (e.g. cancelled meanwhile): it must not be sent
          if (!(await this.command(next.clientOrderId, [{ type: 'Release' }], `release:${next.clientOrderId}`))) continue;
        } catch (error) {
          this.book.park(next); // still parked in the log: keep holding it, try at the next freed place
          this.deps.log.warn({ clientOrderId: next.clientOrderId, reason: String(error) }, 'releasing a parked order failed; it stays parked');
          return;
        }
        await this.submitOne(next);
      }
    });
  }

  /** The order is no longer open on the exchange: a place may have freed for a parked order. */
  private closed(accountId: string, clientOrderId: string): void {
    if (this.book.markClosed(accountId, clientOrderId) && this.book.parkedCount(accountId) > 0) this.releaseRoom(accountId);
  }

  /** Queues a look-up of an order whose exchange state we do not know (after a restart or an unknown outcome). */
  reconcile(clientOrderId: string, accountId: string, attempt = 0): void {
    this.closeBatch(accountId);
    void this.accounts.run(accountId, async () => {
      try {
        await this.lookUp(clientOrderId, accountId, attempt);
      } catch (error) {
        // the log could not be read or written: keep trying, with back-off
        this.deps.log.warn({ clientOrderId, attempt, reason: error instanceof Error ? error.message : String(error) }, 'order look-up failed; retrying');
        this.later(clientOrderId, accountId, attempt + 1);
      }
    });
  }

  /** Records a fill or cancel pushed by the exchange; if that fails, the order is looked up later. */
  onExchangeUpdate(order: ExchangeOrder, accountId: string): Promise<void> {
    return this.track(
      this.recordExchangeOrder(order, accountId, `exchange:${order.exchangeOrderId}`).catch((e: unknown) => {
        this.deps.log.error({ clientOrderId: order.clientOrderId, err: String(e) }, 'recording an exchange update failed; will look the order up');
        this.later(order.clientOrderId, accountId, 0);
      }),
    );
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  /** Resolves when everything queued for the account so far has left and every request in flight has returned. */
  async accountIdle(accountId: string): Promise<void> {
    await this.accounts.run(accountId, async () => undefined);
    await Promise.all([...this.inFlight]);
  }

  private owns(accountId: string): boolean {
    return this.deps.owns?.(accountId) ?? true;
  }

  /** Resolves when nothing is queued or in flight (look-ups waiting on a timer are not counted). */
  async idle(): Promise<void> {
    do {
      await this.accounts.idle();
      await Promise.all([...this.inFlight]);
    } while (this.inFlight.size > 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.idle();
  }

  /** Sends the order (callers check that the executor still runs); never throws (a thrown error is an unknown outcome). */
  private dispatch(intent: OrderIntent): Promise<PlaceOrderResult> {
    this.deps.onPlacing?.(intent);
    this.sentAt.set(intent.clientOrderId, this.deps.clock.now());
    try {
      return this.deps.exchange
        .placeOrder(intent.accountId, placementOf(intent))
        .catch((error: unknown): PlaceOrderResult => ({ kind: 'unknown', reason: error instanceof Error ? error.message : String(error) }));
    } catch (error) {
      return Promise.resolve({ kind: 'unknown', reason: error instanceof Error ? error.message : String(error) });
    }
  }

  private async recordOutcome(intent: OrderIntent, result: PlaceOrderResult): Promise<void> {
    this.deps.onOutcome?.(intent, result);
    if (result.kind !== 'unknown') this.sentAt.delete(intent.clientOrderId);
    switch (result.kind) {
      case 'accepted':
        await this.recordExchangeOrder(result.order, intent.accountId, `place:${intent.clientOrderId}`, result.adjustments);
        return;
      case 'rejected':
        if (DUPLICATE_CODES.has(result.code)) {
          // Not a refusal of this order: an order with this clientOrderId already exists (sent
          // before a crash or by a previous owner). Find it instead of recording a rejection.
          this.deps.log.warn({ clientOrderId: intent.clientOrderId, accountId: intent.accountId }, 'exchange reports the clientOrderId as used; looking the order up');
          this.later(intent.clientOrderId, intent.accountId, 0);
          return;
        }
        this.closed(intent.accountId, intent.clientOrderId);
        await this.command(intent.clientOrderId, [{ type: 'RecordExchangeRejected', code: result.code, reason: result.reason }], `place:${intent.clientOrderId}`);
        return;
      case 'not_placed':
        await this.notPlaced(intent, result);
        return;
      case 'unknown':
        this.deps.log.warn({ clientOrderId: intent.clientOrderId, accountId: intent.accountId, reason: result.reason }, 'order outcome unknown; will look it up');
        await this.command(intent.clientOrderId, [{ type: 'RecordUnknown', reason: result.reason }], `place:${intent.clientOrderId}`);
        this.later(intent.clientOrderId, intent.accountId, 0);
        return;
    }
  }

  private async lookUp(clientOrderId: string, accountId: string, attempt: number): Promise<void> {
    if (this.stopped || !this.owns(accountId)) return;
    if (this.placing.has(clientOrderId) || this.retrying.has(clientOrderId)) return; // under way here: its outcome is recorded (or looked up) by it
    const { state, lastEventAt, history } = await this.orderState(clientOrderId);
    const intent = state.intent;
    if (!intent || state.status === 'none' || state.status === 'rejected') return;
    if (state.status === 'armed' || state.status === 'parked') return; // never sent: held here, nothing on the exchange to look up
    if (state.status !== 'approved' && state.status !== 'unknown') {
      await this.refresh(intent, accountId, attempt); // known to exist: only its current state is wanted
      return;
    }
    // Absence counts only when every source was asked after the window: it is measured before asking.
    const grace = this.deps.absenceGraceMs?.(accountId) ?? 0;
    const latestAttempt = Math.max(this.sentAt.get(clientOrderId) ?? 0, this.ownedSince.get(accountId) ?? this.startedAt, lastEventAt);
    const windowOver = this.deps.clock.now() - latestAttempt >= grace;
    const sentFrom = Date.parse(history[0]?.metadata.time ?? '');
    const sent = placementOf(intent); // a PATRIOT-managed order left as a market / limit order
    const result = await searchOrder(this.deps.exchange, intent.accountId, clientOrderId, {
      symbol: sent.symbol, side: sent.side, type: sent.type, quantity: sent.quantity,
      ...(sent.limitPrice !== undefined ? { limitPrice: sent.limitPrice } : {}),
      sentFrom: Number.isFinite(sentFrom) ? sentFrom : latestAttempt,
      // inside the window absence is not concluded: the order query alone (cheap) may find it; every source once it has passed
      quick: !windowOver,
    });
    if (result.kind === 'found') {
      await this.adopt(result.order, accountId, clientOrderId, result.source);
      return;
    }
    const left = state.attempts > 0 || state.status === 'unknown';
    if (result.kind === 'inconclusive' || !windowOver) {
      // a fill could exist unseen: the order stays unknown, visibly, and is looked up again (never resent)
      this.deps.log.warn({ clientOrderId, attempt, reason: result.kind === 'inconclusive' ? result.reason : 'inside the visibility window' }, 'order not found yet; looking again');
      // recorded when the log still says approved (it left before a restart) or a source failed (news for the user)
      const visible = left && (state.status === 'approved' || result.kind === 'inconclusive');
      if (visible && !this.stopped) await this.command(clientOrderId, [{ type: 'RecordUnknown', reason: unknownReason(result) }], `lookup:${clientOrderId}`);
      this.later(clientOrderId, accountId, attempt + 1);
      return;
    }
    if (this.stopped) return; // leave it to the next owner, who looks it up again
    if (!left) {
      // it never left (no attempt recorded): send it now, once
      await this.submitOne(intent);
      return;
    }
    if ((await this.deps.exchange.placementReceived?.(accountId, clientOrderId)) === false) {
      // the exchange proves the request never reached it (the process died with it on the way): a new attempt, recorded first
      this.deps.log.info({ clientOrderId, attempts: state.attempts }, 'the exchange never received the order: sending it again');
      await this.submitOne(intent);
      return;
    }
    // It left and its answer was never recorded (a restart, a lost answer), and no source of the
    // exchange shows it or a fill of it, asked after the window: the exchange refused it or never
    // received it. Sending the same id again could execute an order the exchange refused (or, on
    // Binance, place a second order once the first is filled); it is recorded as not placed
    // instead (ADR-0011). Should the exchange show it later after all, it is adopted.
    this.sentAt.delete(clientOrderId);
    this.closed(accountId, clientOrderId);
    await this.command(clientOrderId, [{ type: 'RecordExchangeRejected', code: NOT_PLACED, reason: notPlacedReason(result.sources) }], `lookup:${clientOrderId}`);
  }

  /** The current state of an order known to exist (accepted, partially filled): its order query. */
  private async refresh(intent: OrderIntent, accountId: string, attempt: number): Promise<void> {
    let found: ExchangeOrder | null;
    try {
      found = await this.deps.exchange.fetchOrder(intent.accountId, intent.clientOrderId, intent.symbol);
    } catch (error) {
      this.deps.log.warn({ clientOrderId: intent.clientOrderId, attempt, reason: error instanceof Error ? error.message : String(error) }, 'order look-up failed; retrying');
      this.later(intent.clientOrderId, accountId, attempt + 1);
      return;
    }
    if (found) await this.adopt(found, accountId, intent.clientOrderId, 'order query');
  }

  /** Records what the exchange shows of an order that was looked up. */
  private async adopt(found: ExchangeOrder, accountId: string, clientOrderId: string, source: string): Promise<void> {
    this.sentAt.delete(clientOrderId);
    if (found.status === 'open' || found.status === 'partially_filled') this.book.markOpen(accountId, clientOrderId);
    if (source !== 'order query') this.deps.log.info({ clientOrderId, source }, 'order found by a search of the exchange');
    await this.recordExchangeOrder(found, accountId, `lookup:${clientOrderId}`);
  }

  /**
   * The exchange placed nothing: the order is sent again (a new attempt, recorded first) after the
   * exchange's Retry-After or a back-off, while it is young enough; else it is refused for good.
   */
  private async notPlaced(intent: OrderIntent, result: Extract<PlaceOrderResult, { kind: 'not_placed' }>): Promise<void> {
    const { state, history } = await this.orderState(intent.clientOrderId);
    if (state.status !== 'approved') return; // something else recorded its fate meanwhile
    const approvedAt = Date.parse(history[0]?.metadata.time ?? '');
    const age = this.deps.clock.now() - (Number.isFinite(approvedAt) ? approvedAt : this.deps.clock.now());
    const within = this.deps.retryWithinMs ?? DEFAULT_RETRY_WITHIN_MS;
    const delays = this.deps.lookupDelaysMs ?? DEFAULT_DELAYS;
    const delay = Math.max(result.retryAfterMs ?? 0, delays[Math.min(state.attempts - 1, delays.length - 1)] ?? 1000);
    if (age + delay > within) {
      for (const id of [intent.clientOrderId, ...(intent.orderList ? [intent.orderList.siblingClientOrderId] : [])]) {
        this.closed(intent.accountId, id);
        await this.command(id, [{ type: 'RecordExchangeRejected', code: result.code, reason: `${result.reason} (not placed within ${Math.round(within / 1000)} s of the alert; given up)` }], `place:${id}`);
      }
      return;
    }
    this.deps.log.warn({ clientOrderId: intent.clientOrderId, accountId: intent.accountId, code: result.code, attempt: state.attempts, retryInMs: delay }, 'order not placed; trying again');
    if (this.stopped) return; // the attempt has no outcome: the next owner looks it up (and records it as not placed)
    const held = [intent.clientOrderId, ...(intent.orderList ? [intent.orderList.siblingClientOrderId] : [])];
    for (const id of held) this.retrying.add(id);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.closeBatch(intent.accountId);
      void this.accounts.run(intent.accountId, async () => {
        for (const id of held) this.retrying.delete(id);
        if (this.stopped || !this.owns(intent.accountId) || this.placing.has(intent.clientOrderId)) return;
        const now = await this.orderState(intent.clientOrderId);
        if (now.state.status !== 'approved' || now.state.attempts !== state.attempts) return; // moved on meanwhile
        await this.submitOne(intent);
      });
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private later(clientOrderId: string, accountId: string, attempt: number): void {
    if (this.stopped) return;
    const delays = this.deps.lookupDelaysMs ?? DEFAULT_DELAYS;
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.reconcile(clientOrderId, accountId, attempt);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private async recordExchangeOrder(order: ExchangeOrder, accountId: string, causationId: string, adjustments?: readonly string[], cancelReason = 'cancelled on the exchange'): Promise<void> {
    if (order.status !== 'open' && order.status !== 'partially_filled') this.closed(accountId, order.clientOrderId);
    // what the exchange holds is recorded when it differs from what was asked (its step and tick)
    const sent = { quantity: order.quantity, ...(order.limitPrice !== undefined ? { price: order.limitPrice } : {}) };
    const commands: OrderCommand[] = [{ type: 'RecordAccepted', exchangeOrderId: order.exchangeOrderId, sent, ...(adjustments && adjustments.length > 0 ? { adjustments } : {}) }];
    for (const f of order.fills) {
      commands.push({
        type: 'RecordFill', tradeId: f.tradeId, exchangeOrderId: f.exchangeOrderId, quantity: new Dec(f.quantity), price: new Dec(f.price),
        fee: new Dec(f.fee), feeCurrency: f.feeCurrency, liquidity: f.liquidity, filledAt: f.time,
      });
    }
    switch (order.status) {
      case 'cancelled':
        commands.push({ type: 'RecordCancelled', reason: cancelReason });
        break;
      case 'expired':
        commands.push({ type: 'RecordExpired' });
        break;
      case 'rejected':
        commands.splice(0, commands.length, { type: 'RecordExchangeRejected', code: 'EXCHANGE_REJECTED', reason: 'the exchange reports the order as rejected' });
        break;
      case 'open':
      case 'partially_filled':
      case 'filled':
        break;
    }
    await this.command(order.clientOrderId, commands, causationId);
    // still open on the exchange: a cancel asked for meanwhile (or before a takeover) is sent now
    if (order.status === 'open' || order.status === 'partially_filled') await this.cancelIfRequested(order.clientOrderId, accountId);
  }

  /** Records facts on the order's stream; false (logged) when the order's state refuses them. */
  private async command(clientOrderId: string, commands: OrderCommand[], causationId: string): Promise<boolean> {
    return (await this.commandEvents(clientOrderId, commands, causationId)) !== undefined;
  }

  /** Records facts on the order's stream: the events recorded, or undefined (logged) when the order's state refuses them. */
  private async commandEvents(clientOrderId: string, commands: OrderCommand[], causationId: string): Promise<readonly { type: string }[] | undefined> {
    const result = await handleCommand(this.deps.store, this.deps.streamMutex, orderDecider, streams.order(clientOrderId), commands, (history) =>
      this.metadata(history, causationId),
    );
    if (!result.ok) this.deps.log.warn({ clientOrderId, code: result.error.code, message: result.error.message }, 'exchange report not recorded');
    return result.ok ? result.value.events : undefined;
  }

  // ---- one-cancels-other lists (issue 17): two orders of their own streams, one request

  /** The limit leg of a list, which leads its placement (its stop leg goes with it). */
  private async listLead(stopLeg: OrderIntent): Promise<OrderIntent> {
    const { state } = await this.orderState(stopLeg.orderList!.siblingClientOrderId);
    return state.intent ?? stopLeg;
  }

  /**
   * The stop leg that leaves with a list's limit leg, when it can: approved and never sent, like
   * the lead. A partner already cancelled (before the list left) takes the lead with it; a partner
   * that left already is looked up, as is the lead.
   */
  private async listPartner(lead: OrderIntent): Promise<{ intent: OrderIntent; history: readonly RecordedEvent[] } | undefined> {
    const partnerId = lead.orderList!.siblingClientOrderId;
    const { state, history } = await this.orderState(partnerId);
    if (state.status === 'approved' && state.attempts === 0 && state.intent && !this.placing.has(partnerId) && !this.retrying.has(partnerId)) return { intent: state.intent, history };
    if (state.status === 'approved' || state.status === 'unknown') {
      this.later(partnerId, lead.accountId, 0);
      this.later(lead.clientOrderId, lead.accountId, 0);
      return undefined;
    }
    await this.withdrawLeg(lead, `its list partner is ${state.status}`);
    return undefined;
  }

  /** A list leg that cannot leave without its partner: recorded cancelled before it is sent (never sent alone). */
  private async withdrawLeg(leg: OrderIntent, why: string): Promise<void> {
    this.deps.log.info({ clientOrderId: leg.clientOrderId, why }, 'order list leg withdrawn before it was sent');
    await this.command(leg.clientOrderId, [{ type: 'RequestCancel', by: `list:${leg.orderList!.siblingClientOrderId}`, reason: `one-cancels-other: ${why}` }], `list:${leg.clientOrderId}`);
  }

  /** Records both legs of a list as leaving (one append), then sends the list; a leg whose state refuses stops both. */
  private async submitList(leg: OrderIntent): Promise<void> {
    const lead = leg.orderList!.leg === 'stop' ? await this.listLead(leg) : leg;
    if (!lead.orderList || lead.orderList.leg !== 'limit') return;
    const [a, b] = await Promise.all([this.orderState(lead.clientOrderId), this.orderState(lead.orderList.siblingClientOrderId)]);
    const partner = b.state.intent;
    if (!partner) return;
    const decided = [a, b].map(({ state }) => orderDecider.decide({ type: 'RecordSubmitted' }, state));
    const both = decided.every((d) => d.ok && d.value.some((e) => e.type === 'OrderSubmitted'));
    if (!both) {
      // a cancel asked for meanwhile (it is recorded cancelled instead) or a state that refuses: neither leg leaves
      for (const [i, intent] of [lead, partner].entries()) {
        const d = decided[i]!;
        if (d.ok && d.value.some((e) => e.type === 'OrderCancelled')) await this.commandEvents(intent.clientOrderId, [{ type: 'RecordSubmitted' }], `submit:${intent.clientOrderId}`);
      }
      const after = await Promise.all([this.orderState(lead.clientOrderId), this.orderState(partner.clientOrderId)]);
      for (const [i, intent] of [lead, partner].entries()) {
        const other = after[1 - i]!.state;
        if (after[i]!.state.status === 'approved' && after[i]!.state.attempts === 0 && other.status !== 'approved') await this.withdrawLeg(intent, `its list partner is ${other.status}`);
      }
      return;
    }
    const time = new Date(this.deps.clock.now()).toISOString();
    const requests: AppendRequest[] = [lead, partner].map((intent, i) => ({
      streamId: streams.order(intent.clientOrderId), expectedVersion: [a, b][i]!.history.length,
      events: (decided[i] as { ok: true; value: readonly OrderEvent[] }).value,
      metadata: { ...this.metadata([a, b][i]!.history, `submit:${intent.clientOrderId}`), time },
    }));
    if ((await this.deps.store.appendAtomic(requests)).kind !== 'appended') {
      // another writer moved a leg: look both up (a look-up of a leg never sent sends the list)
      this.later(lead.clientOrderId, lead.accountId, 0);
      this.later(partner.clientOrderId, lead.accountId, 0);
      return;
    }
    this.sendList(lead, partner);
  }

  /** Sends a list (both legs' attempts are recorded) and records the outcome outside the queue. */
  private sendList(lead: OrderIntent, partner: OrderIntent): void {
    for (const leg of [lead, partner]) this.book.markOpen(leg.accountId, leg.clientOrderId);
    void this.track(
      this.placeListAndRecord(lead, partner).catch((e: unknown) => {
        this.deps.log.error({ clientOrderId: lead.clientOrderId, err: String(e) }, 'recording an order list outcome failed; will look the legs up');
        this.later(lead.clientOrderId, lead.accountId, 0);
        this.later(partner.clientOrderId, lead.accountId, 0);
      }),
    );
  }

  private async placeListAndRecord(lead: OrderIntent, partner: OrderIntent): Promise<void> {
    for (const leg of [lead, partner]) this.placing.add(leg.clientOrderId);
    try {
      await this.recordListOutcome(lead, partner, await this.dispatchList(lead, partner));
    } finally {
      for (const leg of [lead, partner]) this.placing.delete(leg.clientOrderId);
    }
  }

  /** Sends the list; never throws (a thrown error is an unknown outcome). */
  private async dispatchList(lead: OrderIntent, partner: OrderIntent): Promise<PlaceOrderListResult> {
    this.deps.onPlacing?.(lead);
    this.deps.onPlacing?.(partner);
    for (const leg of [lead, partner]) this.sentAt.set(leg.clientOrderId, this.deps.clock.now());
    const exchange = this.deps.exchange;
    if (!exchange.placeOrderList) return { kind: 'rejected', code: 'NOT_SUPPORTED', reason: 'this exchange has no one-cancels-other lists; nothing was sent' };
    try {
      return await exchange.placeOrderList(lead.accountId, {
        listClientOrderId: lead.orderList!.listClientOrderId, symbol: lead.symbol, side: lead.side, quantity: lead.quantity,
        limitLeg: { clientOrderId: lead.clientOrderId, price: lead.limitPrice ?? '' },
        stopLeg: { clientOrderId: partner.clientOrderId, stopPrice: partner.stopPrice ?? '', ...(partner.type === 'stop_limit' && partner.limitPrice !== undefined ? { limitPrice: partner.limitPrice } : {}) },
      });
    } catch (error) {
      return { kind: 'unknown', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  private async recordListOutcome(lead: OrderIntent, partner: OrderIntent, result: PlaceOrderListResult): Promise<void> {
    const legs = [lead, partner];
    for (const leg of legs) this.deps.onOutcome?.(leg, result.kind === 'accepted' ? { kind: 'accepted', order: leg === lead ? result.limitLeg : result.stopLeg } : result);
    if (result.kind !== 'unknown') for (const leg of legs) this.sentAt.delete(leg.clientOrderId);
    switch (result.kind) {
      case 'accepted':
        await this.recordExchangeOrder(result.limitLeg, lead.accountId, `place:${lead.clientOrderId}`, result.adjustments);
        await this.recordExchangeOrder(result.stopLeg, lead.accountId, `place:${partner.clientOrderId}`, result.adjustments);
        return;
      case 'rejected':
        if (DUPLICATE_CODES.has(result.code)) {
          for (const leg of legs) this.later(leg.clientOrderId, leg.accountId, 0);
          return;
        }
        for (const leg of legs) {
          this.closed(leg.accountId, leg.clientOrderId);
          await this.command(leg.clientOrderId, [{ type: 'RecordExchangeRejected', code: result.code, reason: result.reason }], `place:${leg.clientOrderId}`);
        }
        return;
      case 'not_placed':
        await this.notPlaced(lead, result);
        return;
      case 'unknown':
        this.deps.log.warn({ clientOrderId: lead.clientOrderId, listClientOrderId: lead.orderList?.listClientOrderId, reason: result.reason }, 'order list outcome unknown; will look its legs up');
        for (const leg of legs) await this.command(leg.clientOrderId, [{ type: 'RecordUnknown', reason: result.reason }], `place:${leg.clientOrderId}`);
        // scheduled only once both are recorded, right before the legs stop being `placing`: a look-up that ran
        // while the other leg was still being recorded would see the first `placing` and give up (never to run again)
        for (const leg of legs) this.later(leg.clientOrderId, leg.accountId, 0);
        return;
    }
  }

  // ---- order lifecycle (issue 17): cancel, through the same never-double machinery as placing

  /** orders whose cancel request is on its way to the exchange from here */
  private readonly cancelling = new Set<string>();
  /** cancel requests sent per order (for back-off between repeats); forgotten once the order is final */
  private readonly cancelTries = new Map<string, number>();

  /**
   * A cancel of the order was recorded (OrderCancelRequested): asks the exchange, in the account's
   * queue, once the order's placement outcome is known. An unknown answer (timeout, 5xx) is looked
   * up, never assumed; while the order is still open the exchange is asked again, with back-off.
   * A takeover finishes a recorded cancel: the order's look-up finds it open and asks again.
   */
  cancel(clientOrderId: string, accountId: string): void {
    if (this.stopped) return;
    const tries = this.cancelTries.get(clientOrderId) ?? 0;
    const run = (): void => {
      this.closeBatch(accountId);
      void this.accounts.run(accountId, async () => {
        try {
          await this.driveCancel(clientOrderId, accountId);
        } catch (error) {
          this.deps.log.warn({ clientOrderId, reason: error instanceof Error ? error.message : String(error) }, 'cancelling an order failed; looking it up');
          this.later(clientOrderId, accountId, tries + 1);
        }
      });
    };
    if (tries === 0) return run();
    const delays = this.deps.lookupDelaysMs ?? DEFAULT_DELAYS;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delays[Math.min(tries - 1, delays.length - 1)] ?? 1000);
    timer.unref();
    this.timers.add(timer);
  }

  private async cancelIfRequested(clientOrderId: string, accountId: string): Promise<void> {
    const { state } = await this.orderState(clientOrderId);
    if (state.cancelRequest && !isTerminal(state.status)) this.cancel(clientOrderId, accountId);
  }

  private async driveCancel(clientOrderId: string, accountId: string): Promise<void> {
    if (this.stopped || !this.owns(accountId)) return; // the next owner finishes it
    // under way here (placing, retrying, cancelling): recording its outcome comes back here
    if (this.placing.has(clientOrderId) || this.retrying.has(clientOrderId) || this.cancelling.has(clientOrderId)) return;
    const { state } = await this.orderState(clientOrderId);
    const need = cancelNeeds(state);
    switch (need) {
      case 'nothing':
        this.cancelTries.delete(clientOrderId);
        return;
      case 'placement_outcome':
        // found open: the cancel follows; never placed: recorded cancelled without being sent
        await this.lookUp(clientOrderId, accountId, 0);
        return;
      case 'exchange':
        break;
    }
    const intent = state.intent!;
    this.cancelTries.set(clientOrderId, (this.cancelTries.get(clientOrderId) ?? 0) + 1);
    this.cancelling.add(clientOrderId);
    let answer: Awaited<ReturnType<typeof askToCancel>>;
    try {
      answer = await askToCancel(this.deps.exchange, intent);
    } finally {
      this.cancelling.delete(clientOrderId);
    }
    const tries = this.cancelTries.get(clientOrderId) ?? 1;
    switch (answer.kind) {
      case 'answered':
        await this.recordExchangeOrder(answer.order, accountId, `cancel:${clientOrderId}`, undefined, cancelledReason(state.cancelRequest!));
        if (answer.order.status !== 'open' && answer.order.status !== 'partially_filled') this.cancelTries.delete(clientOrderId);
        return;
      case 'unknown':
      case 'absent':
        // not answered, or the exchange does not show an order our log has: look it up (never assume)
        this.deps.log.warn({ clientOrderId, accountId, answer: answer.kind, reason: answer.reason }, 'cancel outcome not known; looking the order up');
        this.later(clientOrderId, accountId, tries);
        return;
    }
  }

  private metadata(history: readonly RecordedEvent[], causationId: string) {
    const first = history[0];
    return {
      tenantId: first?.metadata.tenantId ?? 'unknown',
      time: new Date(this.deps.clock.now()).toISOString(),
      ...(first?.metadata.correlationId !== undefined ? { correlationId: first.metadata.correlationId } : {}),
      causationId,
    };
  }

  private async orderState(clientOrderId: string): Promise<{ state: OrderState; lastEventAt: number; history: readonly RecordedEvent[] }> {
    const { state, history } = await aggregateStream(this.deps.store, streams.order(clientOrderId), orderDecider);
    const lastEventAt = Date.parse(history[history.length - 1]?.metadata.time ?? '');
    return { state, lastEventAt: Number.isFinite(lastEventAt) ? lastEventAt : 0, history };
  }
}

/**
 * The request an approved order leaves as. A PATRIOT-managed order (issue 17) is only ever sent
 * once its trigger was crossed (it is `armed` before, which nothing sends): it leaves as what it
 * executes as, a market order, or a limit order at its limit for the *_limit types.
 */
export function placementOf(intent: OrderIntent): PlaceOrderRequest {
  const base = { clientOrderId: intent.clientOrderId, symbol: intent.symbol, side: intent.side, quantity: intent.quantity, reduceOnly: intent.reduceOnly };
  if (intent.managed === true) {
    return executesAs(intent.type) === 'limit' && intent.limitPrice !== undefined ? { ...base, type: 'limit', limitPrice: intent.limitPrice } : { ...base, type: 'market' };
  }
  return {
    ...base, type: intent.type,
    ...(intent.limitPrice !== undefined ? { limitPrice: intent.limitPrice } : {}),
    ...(intent.stopPrice !== undefined ? { stopPrice: intent.stopPrice } : {}),
    ...(intent.trailingPercent !== undefined ? { trailingPercent: intent.trailingPercent } : {}),
    ...(intent.trailingDistance !== undefined ? { trailingDistance: intent.trailingDistance } : {}),
  };
}
