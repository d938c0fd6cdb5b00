import type Database from 'better-sqlite3';
import type { Clock } from '../../../application/ports/clock.js';
import type {
  Balance,
  ExchangeFill,
  ExchangeGateway,
  ExchangeOrder,
  Market,
  OrderUpdate,
  PlaceOrderListRequest,
  PlaceOrderListResult,
  PlaceOrderRequest,
  PlaceOrderResult,
} from '../../../application/ports/exchange.js';
import type { PriceFeed, PriceTick } from '../../../application/ports/price-feed.js';
import { Dec, ZERO, decToString, parseDec } from '../../../domain/shared/decimal.js';
import { SeededRandom, deriveSeed, type Seed } from '../../marketdata/seeded-random.js';
import { bpsRate, buyCost, feeFor, slippedPrice } from './fill-pricing.js';
import { RejectCode, isClientOrderId, isRejection, marketSpec, validateStatic, type MarketSpec } from './filters.js';
import { PAPER_MARKETS } from './markets.js';
import { PARTIAL_MAX_BPS, PARTIAL_MIN_BPS, crosses, isMarketable, partialFillQuantity } from './matching.js';
import { BatchContext } from './batch-context.js';
import { PaperStatements, attemptsAfterClose, openPaperDatabase, type FillRow, type OrderRow } from './schema.js';
import { ConditionStatements } from './conditions.js';
import { OrderListStatements, straddlesMarket, type OrderListKey, type OrderListRow, type PaperOrderList } from './order-lists.js';
import { executesAs, isConditional, triggers } from '../../../domain/orders/order-types.js';

export interface PaperExchangeOptions {
  /** SQLite file owned by this exchange, or ':memory:' (state then dies with the object). */
  readonly path: string;
  readonly feed: PriceFeed;
  readonly clock: Clock;
  /** Listed markets. Default: PAPER_MARKETS (BTC/USDT, ETH/USDT, SOL/USDT). */
  readonly markets?: readonly Market[];
  /** Default 10 (0.10%). */
  readonly takerFeeBps?: number;
  /** Default 2 (0.02%). */
  readonly makerFeeBps?: number;
  /** Market orders fill this far against the taker. Default 5. */
  readonly slippageBps?: number;
  /** Seeds the partial-fill sizes. Default 1. */
  readonly seed?: Seed;
  /** Resting orders fill in random 30%..100% chunks per crossing tick; false = whole remainder. Default true. */
  readonly partialFills?: boolean;
  /** Called when an onOrderUpdate listener throws (the stream keeps going). Default: ignore. */
  readonly onListenerError?: (error: unknown) => void;
  /**
   * A waiting stop / take-profit (not a leg of a list) holds its funds from placement like a
   * resting limit order — the base of a sell; the quote of a buy at its limit price, or its stop
   * price for the market kinds — until it triggers, is cancelled or expires, as Binance spot does.
   * Default false: it holds nothing while it waits (PATRIOT's paper accounts keep managed brackets).
   */
  readonly holdsConditionalFunds?: boolean;
}

/** Faults for tests; each one applies to the next placeOrder or placeOrderList call (FIFO when several are queued). */
export type PaperFault =
  /** The order is processed and committed (fills included, updates emitted), but the caller gets `unknown`. */
  | { readonly kind: 'unknown_after_accept'; readonly reason?: string }
  /** Nothing is stored (the request "never arrived"); the caller gets `unknown`. */
  | { readonly kind: 'unknown_before_accept'; readonly reason?: string }
  /** The call is rejected with this code; nothing is stored. */
  | { readonly kind: 'reject'; readonly code: string; readonly reason?: string };

export interface InitialBalance {
  readonly asset: string;
  readonly amount: string;
}

type Deferred<T> = { resolve: (value: T) => void; reject: (error: unknown) => void };

type Op =
  | ({ kind: 'place'; accountId: string; request: PlaceOrderRequest; fault: PaperFault | undefined } & Deferred<PlaceOrderResult>)
  | ({ kind: 'placeList'; accountId: string; request: PlaceOrderListRequest; fault: PaperFault | undefined } & Deferred<PlaceOrderListResult>)
  | ({ kind: 'cancel'; accountId: string; clientOrderId: string } & Deferred<ExchangeOrder | null>)
  | ({ kind: 'read'; run: () => unknown } & Deferred<unknown>)
  | { kind: 'tick'; tick: PriceTick };

interface OpOutcome {
  readonly value: unknown;
  readonly updates: readonly OrderUpdate[];
}

const OPEN_STATUSES = new Set(['open', 'partially_filled']);

class Rejected extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(`${code}: ${reason}`);
  }
}

/**
 * The built-in paper exchange: a spot simulator fed by a PriceFeed, durable in its own SQLite file.
 *
 * Every operation (placeOrder, cancelOrder, reads, and feed ticks that may fill resting orders)
 * goes through one FIFO queue that is drained once per event-loop turn in ONE immediate
 * transaction (group commit, one fsync), each operation in its own savepoint. Promises resolve
 * after the commit; order updates are emitted afterwards, asynchronously and in commit order.
 * Reads are queued too, so a read always sees every write requested before it.
 *
 * The file is the single source of truth: matching reads each order's remaining quantity inside
 * the transaction, so a restart (or a second instance on the same file) can never fill twice.
 */
export class PaperExchange implements ExchangeGateway {
  private readonly db: Database.Database;
  private readonly sql: PaperStatements;
  /** stop and take-profit conditions (issue 17) */
  private readonly conditions: ConditionStatements;
  /** one-cancels-other lists (issue 17) */
  private readonly lists: OrderListStatements;
  private readonly holdsConditionalFunds: boolean;
  /** Orders a tick closed as the sibling of a list leg (the tick's rows were read before). */
  private readonly closedThisTick = new Set<number>();
  private readonly feed: PriceFeed;
  private readonly clock: Clock;
  private readonly marketList: readonly Market[];
  private readonly specs = new Map<string, MarketSpec>();
  private readonly takerRate: Dec;
  private readonly makerRate: Dec;
  private readonly slippageRate: Dec;
  private readonly seed: Seed;
  private readonly partialFills: boolean;
  private readonly onListenerError: (error: unknown) => void;

  private readonly listeners = new Set<(update: OrderUpdate) => void>();
  private readonly unsubscribeFeed: () => void;
  private readonly faults: PaperFault[] = [];
  /** placeOrder calls not yet committed (their attempt rows are written with the batch). */
  private readonly unflushedAttempts = new Map<string, number>();
  /**
   * placementAttempts() once closed (tests ask after a stop). Nothing per order is kept in memory
   * while open: a long-running exchange would grow with every order it ever saw.
   */
  private closedAttempts: (accountId: string, clientOrderId: string) => number = () => 0;
  private readonly path: string;
  /** The open group-commit transaction's cache, while one runs. */
  private ctx: BatchContext | undefined;
  /** Last price seen in queue order (what a placement at this point of the queue trades against). */
  private readonly prices = new Map<string, PriceTick>();
  /** Open-order count per symbol, refreshed after each commit: ticks for idle symbols skip the queue. */
  private openCounts = new Map<string, number>();

  private queue: Op[] = [];
  private flushHandle: NodeJS.Immediate | undefined;
  private pendingUpdates: OrderUpdate[] = [];
  private drainHandle: NodeJS.Immediate | undefined;
  private closed = false;
  private batches = 0;
  private operations = 0;

  private readonly batchTxn: Database.Transaction<(ops: readonly Op[], time: string, isolate: boolean) => (OpOutcome | { error: unknown })[]>;
  private readonly opTxn: Database.Transaction<(op: Op) => OpOutcome>;

  constructor(options: PaperExchangeOptions) {
    this.feed = options.feed;
    this.clock = options.clock;
    this.marketList = Object.freeze([...(options.markets ?? PAPER_MARKETS)]);
    for (const market of this.marketList) {
      if (this.specs.has(market.symbol)) throw new Error(`duplicate market ${market.symbol}`);
      this.specs.set(market.symbol, marketSpec(market));
    }
    this.takerRate = bpsRate(options.takerFeeBps ?? 10);
    this.makerRate = bpsRate(options.makerFeeBps ?? 2);
    this.slippageRate = bpsRate(options.slippageBps ?? 5);
    this.seed = options.seed ?? 1;
    this.partialFills = options.partialFills ?? true;
    this.onListenerError = options.onListenerError ?? (() => undefined);
    this.holdsConditionalFunds = options.holdsConditionalFunds ?? false;

    this.path = options.path;
    this.db = openPaperDatabase(options.path);
    this.sql = new PaperStatements(this.db);
    this.conditions = new ConditionStatements(this.db);
    this.lists = new OrderListStatements(this.db);
    this.opTxn = this.db.transaction((op: Op) => this.apply(op));
    this.batchTxn = this.db.transaction((ops: readonly Op[], time: string, isolate: boolean) => {
      const ctx = new BatchContext(this.sql, time);
      this.ctx = ctx;
      try {
        const outcomes: (OpOutcome | { error: unknown })[] = [];
        for (const op of ops) {
          for (const clientOrderId of attemptedIds(op)) this.sql.bumpAttempts.run((op as { accountId: string }).accountId, clientOrderId as string);
          if (!isolate) {
            outcomes.push(this.apply(op));
            continue;
          }
          const snapshot = ctx.snapshot();
          try {
            outcomes.push(this.opTxn(op)); // nested: a savepoint per operation
          } catch (error) {
            ctx.restore(snapshot);
            outcomes.push({ error });
          }
        }
        ctx.flush();
        return outcomes;
      } finally {
        this.ctx = undefined;
      }
    });
    this.refreshOpenCounts();
    for (const symbol of this.specs.keys()) {
      const latest = this.feed.latest(symbol);
      if (latest) this.prices.set(symbol, latest);
    }
    this.unsubscribeFeed = this.feed.subscribe((tick) => this.onTick(tick));
  }

  // ---------------------------------------------------------------- ExchangeGateway

  markets(): readonly Market[] {
    return this.marketList;
  }

  placeOrder(accountId: string, request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    if (this.closed) return Promise.reject(new Error('PaperExchange is closed'));
    const key = attemptKey(accountId, request?.clientOrderId);
    this.unflushedAttempts.set(key, (this.unflushedAttempts.get(key) ?? 0) + 1);
    const fault = this.faults.shift();
    return new Promise((resolve, reject) => this.enqueue({ kind: 'place', accountId, request, fault, resolve, reject }));
  }

  /** Paper accounts keep PATRIOT-managed brackets: lists exist for the sandbox (Binance's order lists) and tests. */
  placesOrderLists(): boolean {
    return false;
  }

  /**
   * Places a one-cancels-other list atomically (both legs or neither): the limit leg rests as a
   * maker limit order holding the list's funds once, the stop leg waits for its trigger. Any fill
   * of one leg, or the stop's trigger, expires the other; cancelling either cancels both. Each
   * placement counts as an attempt of both legs' clientOrderIds.
   */
  placeOrderList(accountId: string, request: PlaceOrderListRequest): Promise<PlaceOrderListResult> {
    if (this.closed) return Promise.reject(new Error('PaperExchange is closed'));
    const op = { kind: 'placeList', accountId, request } as const;
    for (const clientOrderId of attemptedIds(op)) {
      const key = attemptKey(accountId, clientOrderId);
      this.unflushedAttempts.set(key, (this.unflushedAttempts.get(key) ?? 0) + 1);
    }
    const fault = this.faults.shift();
    return new Promise((resolve, reject) => this.enqueue({ ...op, fault, resolve, reject }));
  }

  /** A list of the account by its id or its listClientOrderId; null when there is none. */
  fetchOrderList(accountId: string, key: OrderListKey): Promise<PaperOrderList | null> {
    return this.read(() => {
      const row = this.lists.find(accountId, key);
      return row ? this.toOrderList(row) : null;
    });
  }

  /** The account's lists with a leg still open, oldest first. */
  fetchOpenOrderLists(accountId: string): Promise<PaperOrderList[]> {
    return this.read(() => this.lists.openOfAccount.all(accountId).map((row) => this.toOrderList(row)));
  }

  fetchOrder(accountId: string, clientOrderId: string): Promise<ExchangeOrder | null> {
    return this.read(() => {
      const row = this.sql.getOrder.get(accountId, clientOrderId);
      return row ? this.toOrder(row) : null;
    });
  }

  /** Every placement request is counted with the order (or its refusal), durably: none counted means none arrived. */
  async placementReceived(accountId: string, clientOrderId: string): Promise<boolean> {
    if (this.closed) throw new Error('PaperExchange is closed');
    return this.placementAttempts(accountId, clientOrderId) > 0;
  }

  cancelOrder(accountId: string, clientOrderId: string): Promise<ExchangeOrder | null> {
    if (this.closed) return Promise.reject(new Error('PaperExchange is closed'));
    return new Promise((resolve, reject) => this.enqueue({ kind: 'cancel', accountId, clientOrderId, resolve, reject }));
  }

  fetchOpenOrders(accountId: string): Promise<ExchangeOrder[]> {
    return this.read(() => this.sql.openOrdersByAccount.all(accountId).map((row) => this.toOrder(row)));
  }

  /** Every asset the account has ever held (zero balances included), sorted by asset; [] for an unknown account. */
  fetchBalances(accountId: string): Promise<Balance[]> {
    return this.read(() =>
      this.sql.listBalances.all(accountId).map((row) => {
        const total = new Dec(row.total);
        const locked = new Dec(row.locked);
        return { asset: row.asset, total: decToString(total), available: decToString(total.minus(locked)) };
      }),
    );
  }

  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void {
    const entry = (update: OrderUpdate): void => listener(update);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  // ---------------------------------------------------------------- accounts, hooks, lifecycle

  /**
   * Creates an account with starting balances, committed synchronously. Idempotent: if the account
   * exists nothing changes and `false` is returned. Amounts must be non-negative decimals; the same
   * asset listed twice is summed.
   */
  openAccount(accountId: string, balances: readonly InitialBalance[] = []): boolean {
    this.assertOpen();
    if (typeof accountId !== 'string' || accountId.length === 0) throw new TypeError('accountId must be a non-empty string');
    const sums = new Map<string, Dec>();
    for (const { asset, amount } of balances) {
      const value = parseDec(amount);
      if (typeof asset !== 'string' || asset.length === 0) throw new TypeError('asset must be a non-empty string');
      if (!value || value.isNegative()) throw new RangeError(`amount for ${asset} must be a non-negative decimal, got ${String(amount)}`);
      sums.set(asset, (sums.get(asset) ?? ZERO).plus(value));
    }
    const create = this.db.transaction((): boolean => {
      if (this.sql.accountExists.get(accountId)) return false;
      this.sql.insertAccount.run(accountId, this.isoNow());
      for (const [asset, amount] of sums) this.sql.upsertBalance.run(accountId, asset, decToString(amount), '0');
      return true;
    });
    return create.immediate();
  }

  /** True when the account exists (synchronous, committed state). */
  hasAccount(accountId: string): boolean {
    this.assertOpen();
    return this.sql.accountExists.get(accountId) !== undefined;
  }

  /**
   * How many times placeOrder was called with this clientOrderId on this account, whatever the
   * outcome (rejections and faults included). Counted at call time, persisted with the batch,
   * so it survives restarts. After close() it still answers, from the file (read-only) or, for
   * ':memory:', from a copy of the counts taken at close.
   */
  placementAttempts(accountId: string, clientOrderId: string): number {
    const key = attemptKey(accountId, clientOrderId);
    if (this.closed) return this.closedAttempts(accountId, String(clientOrderId));
    const stored = this.sql.getAttempts.get(accountId, String(clientOrderId))?.count ?? 0;
    return stored + (this.unflushedAttempts.get(key) ?? 0);
  }

  /** Queues a fault for the next placeOrder call (several faults apply to successive calls). */
  injectFault(fault: PaperFault): void {
    if (fault.kind === 'reject' && (typeof fault.code !== 'string' || fault.code.length === 0)) throw new TypeError('reject fault needs a code');
    this.faults.push(fault);
  }

  /** Faults not yet consumed. */
  pendingFaults(): readonly PaperFault[] {
    return [...this.faults];
  }

  /** Group-commit counters: transactions run and operations they carried (since construction). */
  stats(): { readonly batches: number; readonly operations: number } {
    return { batches: this.batches, operations: this.operations };
  }

  /** Resolves once everything queued so far is committed (and its updates queued for emission). */
  async settle(): Promise<void> {
    if (this.closed) return;
    // nothing queued, nothing left to emit: all is committed already (no empty transaction; a replay settles twice an alert)
    if (this.queue.length === 0 && this.flushHandle === undefined && this.drainHandle === undefined && this.pendingUpdates.length === 0) return;
    await this.read(() => undefined);
  }

  /**
   * Stops listening to the feed, commits whatever is already queued (those promises resolve),
   * then closes the database. Later calls reject. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.unsubscribeFeed();
    if (this.flushHandle) {
      clearImmediate(this.flushHandle);
      this.flushHandle = undefined;
    }
    this.flush();
    const stored = attemptsAfterClose(this.db, this.path);
    const unflushed = new Map(this.unflushedAttempts); // attempts whose commit failed: counted, never stored
    this.closedAttempts = (accountId, clientOrderId) => stored(accountId, clientOrderId) + (unflushed.get(attemptKey(accountId, clientOrderId)) ?? 0);
    this.closed = true;
    this.db.close();
  }

  // ---------------------------------------------------------------- queue and group commit

  private read<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('PaperExchange is closed'));
    return new Promise<T>((resolve, reject) =>
      this.enqueue({ kind: 'read', run, resolve: resolve as (value: unknown) => void, reject }),
    );
  }

  private enqueue(op: Op): void {
    this.queue.push(op);
    if (!this.flushHandle) this.flushHandle = setImmediate(() => {
      this.flushHandle = undefined;
      this.flush();
    });
  }

  private onTick(tick: PriceTick): void {
    if (this.closed || !this.specs.has(tick.symbol)) return;
    if (this.queue.length === 0 && (this.openCounts.get(tick.symbol) ?? 0) === 0) {
      this.prices.set(tick.symbol, tick);
      return;
    }
    this.enqueue({ kind: 'tick', tick });
  }

  private flush(): void {
    const ops = this.queue;
    if (ops.length === 0) return;
    this.queue = [];
    this.batches += 1;
    this.operations += ops.length;
    const writes = ops.some((op) => op.kind !== 'read');
    const time = this.isoNow();
    const run = (isolate: boolean) => (writes ? this.batchTxn.immediate(ops, time, isolate) : this.batchTxn.deferred(ops, time, isolate));
    let outcomes: (OpOutcome | { error: unknown })[];
    try {
      try {
        // fast path: the whole batch in one transaction, no savepoints
        outcomes = run(false);
      } catch {
        // an operation failed unexpectedly (the batch rolled back): redo it with a savepoint per
        // operation, so only the failing ones fail (every operation is re-runnable: state is in the DB)
        outcomes = run(true);
      }
    } catch (commitError) {
      // Nothing of this batch is stored.
      this.refreshOpenCountsSafely();
      for (const op of ops) {
        if (op.kind === 'place' || op.kind === 'placeList') op.resolve({ kind: 'unknown', reason: `storage_error: ${messageOf(commitError)}` });
        else if (op.kind !== 'tick') op.reject(commitError);
      }
      return;
    }
    for (const op of ops) {
      if (op.kind !== 'place' && op.kind !== 'placeList') continue;
      for (const clientOrderId of attemptedIds(op, true)) {
        const key = attemptKey(op.accountId, clientOrderId);
        const left = (this.unflushedAttempts.get(key) ?? 1) - 1;
        if (left > 0) this.unflushedAttempts.set(key, left);
        else this.unflushedAttempts.delete(key);
      }
    }
    if (writes) this.refreshOpenCountsSafely();
    ops.forEach((op, i) => {
      const outcome = outcomes[i]!;
      if ('error' in outcome) {
        if (op.kind === 'place' || op.kind === 'placeList') {
          op.resolve({ kind: 'rejected', code: RejectCode.INTERNAL_ERROR, reason: messageOf(outcome.error) });
        } else if (op.kind !== 'tick') op.reject(outcome.error);
        return;
      }
      this.pendingUpdates.push(...outcome.updates);
      if (op.kind !== 'tick') (op.resolve as (value: unknown) => void)(outcome.value);
    });
    if (this.pendingUpdates.length > 0 && !this.drainHandle) {
      this.drainHandle = setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.drainHandle = undefined;
    const updates = this.pendingUpdates;
    this.pendingUpdates = [];
    for (const update of updates) {
      for (const listener of [...this.listeners]) {
        try {
          listener(update);
        } catch (error) {
          this.onListenerError(error);
        }
      }
    }
  }

  private refreshOpenCounts(): void {
    const counts = new Map<string, number>();
    for (const row of this.sql.openCounts.all()) counts.set(row.symbol, row.n);
    this.openCounts = counts;
  }

  private refreshOpenCountsSafely(): void {
    try {
      this.refreshOpenCounts();
    } catch {
      // keep the old counts; a tick for a symbol with orders is at worst queued needlessly
    }
  }

  // ---------------------------------------------------------------- operations (inside the transaction)

  private apply(op: Op): OpOutcome {
    switch (op.kind) {
      case 'place':
        return this.applyPlace(op.accountId, op.request, op.fault);
      case 'placeList':
        return this.applyPlaceList(op.accountId, op.request, op.fault);
      case 'cancel':
        return this.applyCancel(op.accountId, op.clientOrderId);
      case 'read':
        this.batch().flush(); // reads query the tables: write the cached balances first
        return { value: op.run(), updates: [] };
      case 'tick':
        return this.applyTick(op.tick);
    }
  }

  private applyPlace(accountId: string, request: PlaceOrderRequest, fault: PaperFault | undefined): OpOutcome {
    if (fault?.kind === 'reject') return noUpdates({ kind: 'rejected', code: fault.code, reason: fault.reason ?? 'injected fault' });
    if (fault?.kind === 'unknown_before_accept') return noUpdates({ kind: 'unknown', reason: fault.reason ?? 'timeout' });
    const updates: OrderUpdate[] = [];
    let result: PlaceOrderResult;
    try {
      // every Rejected is thrown before the first write; other errors roll the op's savepoint back
      const order = this.placeChecked(accountId, request, updates);
      result = { kind: 'accepted', order };
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      updates.length = 0;
      result = { kind: 'rejected', code: error.code, reason: error.reason };
    }
    if (fault?.kind === 'unknown_after_accept') result = { kind: 'unknown', reason: fault.reason ?? 'timeout' };
    return { value: result, updates };
  }

  private placeChecked(accountId: string, request: PlaceOrderRequest, updates: OrderUpdate[]): ExchangeOrder {
    if (typeof request !== 'object' || request === null) throw new Rejected(RejectCode.INVALID_ORDER, 'request must be an object');
    if (!this.sql.accountExists.get(accountId)) throw new Rejected(RejectCode.UNKNOWN_ACCOUNT, `no account ${accountId}`);
    const spec = this.specs.get(request.symbol);
    if (!spec) throw new Rejected(RejectCode.UNKNOWN_SYMBOL, `symbol ${String(request.symbol)} is not listed`);
    const checked = validateStatic(spec, request);
    if (isRejection(checked)) throw new Rejected(checked.code, checked.reason);
    if (this.sql.getOrder.get(accountId, request.clientOrderId)) {
      throw new Rejected(RejectCode.DUPLICATE_CLIENT_ORDER_ID, `clientOrderId ${request.clientOrderId} was already used on this account`);
    }
    const { market } = spec;
    const quantity = checked.quantity;
    const side = request.side;
    const tick = this.priceFor(market.symbol);
    const feedPrice = tick ? new Dec(tick.price) : undefined;
    if (isConditional(request.type)) return this.placeConditional(accountId, request, spec, checked, feedPrice);

    // Decide how it executes: immediately as taker at `execPrice`, or resting at the limit.
    let execPrice: Dec | undefined;
    if (request.type === 'market') {
      if (!feedPrice) throw new Rejected(RejectCode.NO_PRICE, `no price for ${market.symbol}`);
      execPrice = slippedPrice(side, feedPrice, this.slippageRate, spec.tick);
    } else if (feedPrice && isMarketable(side, checked.limitPrice!, feedPrice)) {
      execPrice = feedPrice;
    }
    const notionalPrice = request.type === 'market' ? execPrice! : checked.limitPrice!;
    const notional = quantity.times(notionalPrice);
    if (notional.lessThan(spec.minNotional)) {
      throw new Rejected(RejectCode.MIN_NOTIONAL, `notional ${decToString(notional)} < minNotional ${market.minNotional}`);
    }

    // Funds: immediate fills need available funds; resting orders lock them.
    const need =
      side === 'buy'
        ? execPrice
          ? buyCost(quantity, execPrice, this.takerRate)
          : buyCost(quantity, checked.limitPrice!, this.makerRate)
        : quantity;
    const needAsset = side === 'buy' ? market.quote : market.base;
    const available = this.available(accountId, needAsset);
    if (available.lessThan(need)) {
      throw new Rejected(
        RejectCode.INSUFFICIENT_BALANCE,
        `needs ${decToString(need)} ${needAsset} available, has ${decToString(available)}`,
      );
    }

    const now = this.batch().time;
    const resting = execPrice === undefined;
    const row: OrderRow = {
      order_id: this.nextId('order'),
      account_id: accountId,
      client_order_id: request.clientOrderId,
      symbol: market.symbol,
      side,
      type: request.type,
      quantity: decToString(quantity),
      limit_price: request.type === 'limit' ? decToString(checked.limitPrice!) : null,
      filled_quantity: '0',
      status: 'open',
      locked_asset: resting ? needAsset : null,
      locked_amount: resting ? decToString(need) : '0',
      fill_count: 0,
      created_at: now,
      updated_at: now,
    };
    if (resting) {
      this.sql.insertOrder.run(row);
      this.adjustBalance(accountId, needAsset, ZERO, need);
      return this.toOrder(row, []);
    }
    return this.applyFill(row, [], quantity, execPrice!, 'taker', now, updates, true);
  }

  /** Cancels an open order; a leg of a list cancels the whole list (both legs, an update for each). */
  private applyCancel(accountId: string, clientOrderId: string): OpOutcome {
    const row = this.sql.getOrder.get(accountId, clientOrderId);
    if (!row) return noUpdates(null);
    if (!OPEN_STATUSES.has(row.status)) return noUpdates(this.toOrder(row));
    const updates: OrderUpdate[] = [];
    const order = this.endOrder(row, 'cancelled', updates);
    const sibling = this.openSibling(row);
    if (sibling) this.endOrder(sibling, 'cancelled', updates);
    return { value: order, updates };
  }

  /** Ends an open order without a fill (cancelled, or expired): its hold is released, an update pushed. */
  private endOrder(row: OrderRow, status: 'cancelled' | 'expired', updates: OrderUpdate[]): ExchangeOrder {
    this.releaseHold(row);
    row.status = status;
    row.updated_at = this.batch().time;
    this.sql.updateOrder.run(row);
    const order = this.toOrder(row);
    updates.push({ accountId: row.account_id, order });
    return order;
  }

  /** Releases what the order holds (the row is written by the caller). */
  private releaseHold(row: OrderRow): void {
    const locked = new Dec(row.locked_amount);
    if (row.locked_asset && locked.greaterThan(0)) this.adjustBalance(row.account_id, row.locked_asset, ZERO, locked.negated());
    row.locked_asset = null;
    row.locked_amount = '0';
  }

  private applyTick(tick: PriceTick): OpOutcome {
    this.prices.set(tick.symbol, tick);
    const spec = this.specs.get(tick.symbol);
    const price = parseDec(tick.price);
    if (!spec || !price || !price.greaterThan(0)) return noUpdates(undefined);
    const updates: OrderUpdate[] = [];
    const now = this.batch().time;
    this.closedThisTick.clear();
    try {
      for (const row of this.sql.openOrdersBySymbol.all(tick.symbol)) {
        if (this.closedThisTick.has(row.order_id)) continue;
        if (this.waitsForTrigger(row, price, spec, now, updates)) continue;
        const limit = new Dec(row.limit_price ?? '0');
        if (row.type !== 'limit' || !crosses(row.side, limit, price)) continue;
        const remaining = new Dec(row.quantity).minus(row.filled_quantity);
        const fraction = this.partialFills
          ? new SeededRandom(deriveSeed(this.seed, 'partial-fill', row.account_id, row.client_order_id, row.fill_count)).nextInt(PARTIAL_MIN_BPS, PARTIAL_MAX_BPS)
          : PARTIAL_MAX_BPS;
        const quantity = partialFillQuantity(remaining, fraction, spec.step, spec.minQty);
        const fills = this.sql.fillsOfOrder.all(row.order_id);
        this.applyFill(row, fills, quantity, limit, 'maker', now, updates);
        this.legTraded(row, updates);
      }
    } finally {
      this.closedThisTick.clear();
    }
    return { value: undefined, updates };
  }

  /**
   * Books one fill: balances (and the order's lock when it rests), the fill row, the order row.
   * `fills` holds the order's earlier fills and gets the new one appended; one update is pushed.
   * `insert`: the order row is new (written once, in its post-fill state).
   */
  private applyFill(
    row: OrderRow,
    fills: FillRow[],
    quantity: Dec,
    price: Dec,
    liquidity: 'maker' | 'taker',
    time: string,
    updates: OrderUpdate[],
    insert = false,
  ): ExchangeOrder {
    const spec = this.specs.get(row.symbol)!;
    const { base, quote } = spec.market;
    const rate = liquidity === 'maker' ? this.makerRate : this.takerRate;
    const notional = quantity.times(price);
    const fee = feeFor(quantity, price, rate);
    const resting = row.locked_asset !== null;
    let locked = new Dec(row.locked_amount);
    if (row.side === 'buy') {
      const cost = notional.plus(fee);
      const unlock = resting ? cost : ZERO;
      this.adjustBalance(row.account_id, quote, cost.negated(), unlock.negated());
      this.adjustBalance(row.account_id, base, quantity, ZERO);
      locked = locked.minus(unlock);
    } else {
      const unlock = resting ? quantity : ZERO;
      this.adjustBalance(row.account_id, base, quantity.negated(), unlock.negated());
      this.adjustBalance(row.account_id, quote, notional.minus(fee), ZERO);
      locked = locked.minus(unlock);
    }
    const filled = new Dec(row.filled_quantity).plus(quantity);
    const total = new Dec(row.quantity);
    if (filled.greaterThan(total)) throw new Error(`overfill of order ${row.order_id}`);
    const done = filled.equals(total);
    if (done && resting && !locked.isZero()) {
      // release any remainder of the lock (zero by construction; kept as a guard)
      this.adjustBalance(row.account_id, row.locked_asset!, ZERO, locked.negated());
      locked = ZERO;
    }
    if (locked.isNegative()) throw new Error(`negative lock on order ${row.order_id}`);
    const fill: FillRow = {
      trade_id: this.nextId('trade'),
      order_id: row.order_id,
      account_id: row.account_id,
      client_order_id: row.client_order_id,
      symbol: row.symbol,
      side: row.side,
      quantity: decToString(quantity),
      price: decToString(price),
      fee: decToString(fee),
      fee_currency: quote,
      liquidity,
      time,
    };
    fills.push(fill);
    row.filled_quantity = decToString(filled);
    row.status = done ? 'filled' : 'partially_filled';
    row.locked_amount = decToString(locked);
    row.fill_count += 1;
    row.updated_at = time;
    if (insert) this.sql.insertOrder.run(row);
    else this.sql.updateOrder.run(row);
    this.sql.insertFill.run(fill);
    const order = this.toOrder(row, fills);
    updates.push({ accountId: row.account_id, order, fill: order.fills[order.fills.length - 1]! });
    return order;
  }

  // ---------------------------------------------------------------- helpers

  private priceFor(symbol: string): PriceTick | undefined {
    return this.prices.get(symbol) ?? this.feed.latest(symbol);
  }

  private batch(): BatchContext {
    if (!this.ctx) throw new Error('no batch transaction is open');
    return this.ctx;
  }

  private available(accountId: string, asset: string): Dec {
    return this.batch().available(accountId, asset);
  }

  /** Adds deltas to total and locked; throws (rolling the batch back) if an invariant breaks. */
  private adjustBalance(accountId: string, asset: string, totalDelta: Dec, lockedDelta: Dec): void {
    this.batch().adjust(accountId, asset, totalDelta, lockedDelta);
  }

  private nextId(counter: 'order' | 'trade'): number {
    return this.batch().nextId(counter);
  }

  private toOrder(row: OrderRow, fills?: readonly FillRow[]): ExchangeOrder {
    const fillRows = fills ?? this.sql.fillsOfOrder.all(row.order_id);
    const condition = this.conditions.get.get(row.order_id);
    const trailing = condition ? this.conditions.trailing.get(row.order_id) : undefined;
    const list = this.lists.ofOrder(row.order_id);
    const order: ExchangeOrder = {
      clientOrderId: row.client_order_id,
      exchangeOrderId: String(row.order_id),
      symbol: row.symbol,
      side: row.side,
      type: condition ? condition.kind : row.type,
      quantity: row.quantity,
      ...(row.limit_price !== null ? { limitPrice: row.limit_price } : {}),
      ...(condition ? { stopPrice: condition.stop_price } : {}),
      ...(trailing && trailing.distance === null ? { trailingPercent: trailing.percent } : {}),
      ...(trailing && trailing.distance !== null ? { trailingDistance: trailing.distance } : {}),
      filledQuantity: row.filled_quantity,
      status: row.status,
      fills: fillRows.map(toFill),
      ...(list ? { orderListId: String(list.list_id) } : {}),
    };
    return order;
  }

  // ---------------------------------------------------------------- stop and take-profit orders (issue 17)

  /**
   * A stop / take-profit order waits, open, without holding funds (a bracket's stop and its
   * take-profit limits cover the same base: funds are checked when it triggers); the funds must be
   * there when it is placed all the same; refused when the market already reached its trigger
   * (as Binance's "Stop price would trigger immediately."). With `holdsConditionalFunds` it holds
   * them from placement, as Binance spot does (then they must be available, not merely held).
   */
  private placeConditional(accountId: string, request: PlaceOrderRequest, spec: MarketSpec, checked: { quantity: Dec; limitPrice?: Dec; stopPrice?: Dec }, feedPrice: Dec | undefined): ExchangeOrder {
    const type = request.type;
    if (!isConditional(type) || !checked.stopPrice) throw new Rejected(RejectCode.INVALID_ORDER, 'a conditional order needs a stop price');
    if (!feedPrice) throw new Rejected(RejectCode.NO_PRICE, `no price for ${spec.market.symbol}`);
    const trail = request.trailingPercent !== undefined ? parseDec(request.trailingPercent) : undefined;
    if (request.trailingPercent !== undefined && (type !== 'stop_market' || !trail || !trail.greaterThan(0) || !trail.lessThan(100))) {
      throw new Rejected(RejectCode.INVALID_ORDER, `a trailing stop is a stop_market with a distance above 0 and under 100 %, got ${String(request.trailingPercent)}`);
    }
    const distance = request.trailingDistance !== undefined ? parseDec(request.trailingDistance) : undefined;
    if (request.trailingDistance !== undefined && (type !== 'stop_market' || !distance || !distance.greaterThan(0) || trail !== undefined || !distance.dividedBy(spec.tick).isInteger())) {
      throw new Rejected(RejectCode.INVALID_ORDER, `a trailing stop by distance is a stop_market with one distance above 0, in whole ticks, got ${String(request.trailingDistance)}`);
    }
    if (triggers(type, request.side, checked.stopPrice, feedPrice)) {
      throw new Rejected(RejectCode.WOULD_TRIGGER_IMMEDIATELY, `the ${type} would trigger at once: the market (${decToString(feedPrice)}) is already past ${decToString(checked.stopPrice)}`);
    }
    const { market } = spec;
    const limit = executesAs(type) === 'limit' ? checked.limitPrice! : undefined;
    const notional = checked.quantity.times(limit ?? checked.stopPrice);
    if (notional.lessThan(spec.minNotional)) throw new Rejected(RejectCode.MIN_NOTIONAL, `notional ${decToString(notional)} < minNotional ${market.minNotional}`);
    const need = request.side === 'buy' ? buyCost(checked.quantity, limit ?? checked.stopPrice, limit ? this.makerRate : this.takerRate) : checked.quantity;
    const needAsset = request.side === 'buy' ? market.quote : market.base;
    const now = this.batch().time;
    const hold = this.holdsConditionalFunds;
    const has = hold ? this.available(accountId, needAsset) : this.batch().balance(accountId, needAsset).total;
    if (has.lessThan(need)) throw new Rejected(RejectCode.INSUFFICIENT_BALANCE, `needs ${decToString(need)} ${needAsset}${hold ? ' available, has' : ', holds'} ${decToString(has)}`);
    const row: OrderRow = {
      order_id: this.nextId('order'), account_id: accountId, client_order_id: request.clientOrderId, symbol: market.symbol, side: request.side,
      type: executesAs(type), quantity: decToString(checked.quantity), limit_price: limit ? decToString(limit) : null, filled_quantity: '0',
      status: 'open', locked_asset: hold ? needAsset : null, locked_amount: hold ? decToString(need) : '0', fill_count: 0, created_at: now, updated_at: now,
    };
    this.sql.insertOrder.run(row);
    if (hold) this.adjustBalance(accountId, needAsset, ZERO, need);
    this.conditions.insert.run({ order_id: row.order_id, kind: type, stop_price: decToString(checked.stopPrice), triggered: 0 });
    if (trail) this.conditions.insertTrailing.run({ order_id: row.order_id, percent: decToString(trail), extreme: decToString(feedPrice), distance: null });
    if (distance) this.conditions.insertTrailing.run({ order_id: row.order_id, percent: '0', extreme: decToString(feedPrice), distance: decToString(distance) });
    return this.toOrder(row, []);
  }

  /**
   * True while the row is a stop / take-profit not triggered at this price (the tick skips it).
   * On its trigger a market one executes at once (as taker, with slippage; expired when the funds
   * no longer cover it, as an exchange would); a limit one rests from then on like any limit order.
   */
  private waitsForTrigger(row: OrderRow, price: Dec, spec: MarketSpec, now: string, updates: OrderUpdate[]): boolean {
    const condition = this.conditions.get.get(row.order_id);
    if (!condition || condition.triggered === 1) return false;
    const stop = this.trail(row, price, spec) ?? new Dec(condition.stop_price);
    if (!triggers(condition.kind, row.side, stop, price)) return true;
    this.conditions.markTriggered.run(row.order_id);
    // a list's stop expires the limit leg first (releasing the list's funds); a stop's own hold is released
    const sibling = this.openSibling(row);
    if (sibling) this.closeSibling(sibling, updates);
    this.releaseHold(row);
    const quantity = new Dec(row.quantity).minus(row.filled_quantity);
    if (row.type === 'limit') {
      // from now on a resting limit order: it holds its funds like one, or expires when they are not there
      const limit = new Dec(row.limit_price!);
      const need = row.side === 'buy' ? buyCost(quantity, limit, this.makerRate) : quantity;
      const asset = row.side === 'buy' ? spec.market.quote : spec.market.base;
      if (this.available(row.account_id, asset).lessThan(need)) return this.expire(row, now, updates);
      this.adjustBalance(row.account_id, asset, ZERO, need);
      row.locked_asset = asset;
      row.locked_amount = decToString(need);
      this.sql.updateOrder.run(row);
      return false;
    }
    const execPrice = slippedPrice(row.side, price, this.slippageRate, spec.tick);
    const need = row.side === 'buy' ? buyCost(quantity, execPrice, this.takerRate) : quantity;
    if (this.available(row.account_id, row.side === 'buy' ? spec.market.quote : spec.market.base).lessThan(need)) return this.expire(row, now, updates);
    this.applyFill(row, this.sql.fillsOfOrder.all(row.order_id), quantity, execPrice, 'taker', now, updates);
    return true;
  }

  /** A trailing stop follows the best price since it was placed: its new trigger, when it moved (issue 17). */
  private trail(row: OrderRow, price: Dec, spec: MarketSpec): Dec | undefined {
    const trailing = this.conditions.trailing.get(row.order_id);
    if (!trailing) return undefined;
    const extreme = new Dec(trailing.extreme);
    const better = row.side === 'sell' ? price.greaterThan(extreme) : price.lessThan(extreme);
    if (!better) return undefined;
    const byPrice = trailing.distance !== null ? new Dec(trailing.distance) : undefined;
    const fraction = new Dec(trailing.percent).dividedBy(100);
    const raw = byPrice
      ? (row.side === 'sell' ? price.minus(byPrice) : price.plus(byPrice))
      : row.side === 'sell' ? price.times(new Dec(1).minus(fraction)) : price.times(new Dec(1).plus(fraction));
    const ticks = raw.dividedBy(spec.tick);
    const stop = (row.side === 'sell' ? ticks.floor() : ticks.ceil()).times(spec.tick);
    this.conditions.setExtreme.run(decToString(price), row.order_id);
    this.conditions.setStop.run(decToString(stop), row.order_id);
    return stop;
  }

  private expire(row: OrderRow, now: string, updates: OrderUpdate[]): true {
    this.releaseHold(row);
    row.status = 'expired';
    row.updated_at = now;
    this.sql.updateOrder.run(row);
    updates.push({ accountId: row.account_id, order: this.toOrder(row) });
    return true;
  }

  // ---------------------------------------------------------------- one-cancels-other lists (issue 17)

  private applyPlaceList(accountId: string, request: PlaceOrderListRequest, fault: PaperFault | undefined): OpOutcome {
    if (fault?.kind === 'reject') return noUpdates({ kind: 'rejected', code: fault.code, reason: fault.reason ?? 'injected fault' });
    if (fault?.kind === 'unknown_before_accept') return noUpdates({ kind: 'unknown', reason: fault.reason ?? 'timeout' });
    let result: PlaceOrderListResult;
    try {
      // every Rejected is thrown before the first write
      result = { kind: 'accepted', ...this.placeListChecked(accountId, request) };
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      result = { kind: 'rejected', code: error.code, reason: error.reason };
    }
    if (fault?.kind === 'unknown_after_accept') result = { kind: 'unknown', reason: fault.reason ?? 'timeout' };
    return noUpdates(result);
  }

  /**
   * Both legs pass the market's filters (each leg's notional at its own price), no id was used
   * before, the prices straddle the market, and the funds are there once for the list: the base of
   * a sell, or the quote of a buy at the higher of its prices (with the higher fee). The stop leg is
   * written first (the lower order id, as on Binance), then the limit leg holding the list's funds.
   */
  private placeListChecked(accountId: string, request: PlaceOrderListRequest): { limitLeg: ExchangeOrder; stopLeg: ExchangeOrder } {
    if (typeof request !== 'object' || request === null || !isObject(request.limitLeg) || !isObject(request.stopLeg)) {
      throw new Rejected(RejectCode.INVALID_ORDER, 'an order list needs a limitLeg and a stopLeg');
    }
    if (!this.sql.accountExists.get(accountId)) throw new Rejected(RejectCode.UNKNOWN_ACCOUNT, `no account ${accountId}`);
    const spec = this.specs.get(request.symbol);
    if (!spec) throw new Rejected(RejectCode.UNKNOWN_SYMBOL, `symbol ${String(request.symbol)} is not listed`);
    if (!isClientOrderId(request.listClientOrderId)) throw new Rejected(RejectCode.INVALID_ORDER, 'listClientOrderId must be 1-36 chars of [.A-Za-z0-9:/_-]');
    const { symbol, side, quantity } = request;
    const stopLimit = request.stopLeg.limitPrice;
    const limitRequest: PlaceOrderRequest = { clientOrderId: request.limitLeg.clientOrderId, symbol, side, type: 'limit', quantity, limitPrice: request.limitLeg.price };
    const stopRequest: PlaceOrderRequest = {
      clientOrderId: request.stopLeg.clientOrderId, symbol, side, type: stopLimit !== undefined ? 'stop_limit' : 'stop_market', quantity,
      stopPrice: request.stopLeg.stopPrice, ...(stopLimit !== undefined ? { limitPrice: stopLimit } : {}),
    };
    const limitChecked = validateStatic(spec, limitRequest);
    if (isRejection(limitChecked)) throw new Rejected(limitChecked.code, `limit leg: ${limitChecked.reason}`);
    const stopChecked = validateStatic(spec, stopRequest);
    if (isRejection(stopChecked)) throw new Rejected(stopChecked.code, `stop leg: ${stopChecked.reason}`);
    if (limitRequest.clientOrderId === stopRequest.clientOrderId) throw new Rejected(RejectCode.DUPLICATE_CLIENT_ORDER_ID, 'the two legs need different clientOrderIds');
    for (const leg of [limitRequest, stopRequest]) {
      if (this.sql.getOrder.get(accountId, leg.clientOrderId)) throw new Rejected(RejectCode.DUPLICATE_CLIENT_ORDER_ID, `clientOrderId ${leg.clientOrderId} was already used on this account`);
    }
    if (this.lists.byClientId.get(accountId, request.listClientOrderId)) {
      throw new Rejected(RejectCode.DUPLICATE_CLIENT_ORDER_ID, `listClientOrderId ${request.listClientOrderId} was already used on this account`);
    }
    const tick = this.priceFor(symbol);
    if (!tick) throw new Rejected(RejectCode.NO_PRICE, `no price for ${symbol}`);
    const last = new Dec(tick.price);
    const limitPrice = limitChecked.limitPrice!;
    const stopPrice = stopChecked.stopPrice!;
    if (!straddlesMarket(side, limitPrice, stopPrice, last)) {
      const [limitSide, stopSide] = side === 'sell' ? ['above', 'below'] : ['below', 'above'];
      throw new Rejected(
        RejectCode.OCO_PRICES_WRONG_SIDE,
        `a ${side} list needs its limit price ${limitSide} and its stop price ${stopSide} the market (${decToString(last)}); got limit ${decToString(limitPrice)}, stop ${decToString(stopPrice)}`,
      );
    }
    const { market } = spec;
    const qty = limitChecked.quantity;
    for (const [leg, price] of [['limit', limitPrice], ['stop', stopChecked.limitPrice ?? stopPrice]] as const) {
      const notional = qty.times(price);
      if (notional.lessThan(spec.minNotional)) throw new Rejected(RejectCode.MIN_NOTIONAL, `${leg} leg: notional ${decToString(notional)} < minNotional ${market.minNotional}`);
    }
    const highest = Dec.max(limitPrice, stopPrice, stopChecked.limitPrice ?? stopPrice);
    const need = side === 'buy' ? buyCost(qty, highest, Dec.max(this.takerRate, this.makerRate)) : qty;
    const needAsset = side === 'buy' ? market.quote : market.base;
    const available = this.available(accountId, needAsset);
    if (available.lessThan(need)) throw new Rejected(RejectCode.INSUFFICIENT_BALANCE, `needs ${decToString(need)} ${needAsset} available, has ${decToString(available)}`);

    const now = this.batch().time;
    const common = { account_id: accountId, symbol, side, quantity: decToString(qty), filled_quantity: '0', status: 'open', fill_count: 0, created_at: now, updated_at: now } as const;
    const stopRow: OrderRow = {
      ...common, order_id: this.nextId('order'), client_order_id: stopRequest.clientOrderId, type: executesAs(stopRequest.type),
      limit_price: stopChecked.limitPrice ? decToString(stopChecked.limitPrice) : null, locked_asset: null, locked_amount: '0',
    };
    this.sql.insertOrder.run(stopRow);
    this.conditions.insert.run({ order_id: stopRow.order_id, kind: stopRequest.type as 'stop_market' | 'stop_limit', stop_price: decToString(stopPrice), triggered: 0 });
    const limitRow: OrderRow = {
      ...common, order_id: this.nextId('order'), client_order_id: limitRequest.clientOrderId, type: 'limit',
      limit_price: decToString(limitPrice), locked_asset: needAsset, locked_amount: decToString(need),
    };
    this.sql.insertOrder.run(limitRow);
    this.adjustBalance(accountId, needAsset, ZERO, need);
    this.lists.insert.get({ account_id: accountId, list_client_order_id: request.listClientOrderId, symbol, limit_order_id: limitRow.order_id, stop_order_id: stopRow.order_id, created_at: now });
    return { limitLeg: this.toOrder(limitRow, []), stopLeg: this.toOrder(stopRow, []) };
  }

  /** The other leg of the order's list while it is open. */
  private openSibling(row: OrderRow): OrderRow | undefined {
    const list = this.lists.ofOrder(row.order_id);
    if (!list) return undefined;
    const siblingId = list.limit_order_id === row.order_id ? list.stop_order_id : list.limit_order_id;
    const sibling = this.sql.getOrderById.get(siblingId);
    return sibling && OPEN_STATUSES.has(sibling.status) && !this.closedThisTick.has(siblingId) ? sibling : undefined;
  }

  /** A leg traded or triggered: the other one expires now (the rows of this tick skip it). */
  private closeSibling(sibling: OrderRow, updates: OrderUpdate[]): void {
    this.endOrder(sibling, 'expired', updates);
    this.closedThisTick.add(sibling.order_id);
  }

  /**
   * After a fill of a list's leg: the other leg expires; the leg keeps holding only what it still
   * needs as a plain limit order (a buy list held quote at the higher of its prices).
   */
  private legTraded(row: OrderRow, updates: OrderUpdate[]): void {
    const sibling = this.openSibling(row);
    if (!sibling) return;
    this.closeSibling(sibling, updates);
    if (row.side !== 'buy' || row.locked_asset === null || !OPEN_STATUSES.has(row.status)) return;
    const need = buyCost(new Dec(row.quantity).minus(row.filled_quantity), new Dec(row.limit_price!), this.makerRate);
    const excess = new Dec(row.locked_amount).minus(need);
    if (!excess.greaterThan(0)) return;
    this.adjustBalance(row.account_id, row.locked_asset, ZERO, excess.negated());
    row.locked_amount = decToString(need);
    this.sql.updateOrder.run(row);
  }

  private toOrderList(row: OrderListRow): PaperOrderList {
    const leg = (orderId: number) => this.toOrder(this.sql.getOrderById.get(orderId)!);
    return {
      orderListId: String(row.list_id),
      listClientOrderId: row.list_client_order_id,
      symbol: row.symbol,
      createdAt: row.created_at,
      limitLeg: leg(row.limit_order_id),
      stopLeg: leg(row.stop_order_id),
    };
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('PaperExchange is closed');
  }
}

function toFill(row: FillRow): ExchangeFill {
  return {
    tradeId: String(row.trade_id),
    clientOrderId: row.client_order_id,
    exchangeOrderId: String(row.order_id),
    symbol: row.symbol,
    side: row.side,
    quantity: row.quantity,
    price: row.price,
    fee: row.fee,
    feeCurrency: row.fee_currency,
    liquidity: row.liquidity,
    time: row.time,
  };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function noUpdates(value: unknown): OpOutcome {
  return { value, updates: [] };
}

/**
 * The clientOrderIds a placement counts an attempt of (a list: both legs'). `inMemory`: the keys
 * of the not-yet-committed counts, which count a malformed id too (stored counts do not).
 */
function attemptedIds(op: { readonly kind: string; readonly accountId?: unknown; readonly request?: unknown }, inMemory = false): unknown[] {
  if (!inMemory && typeof op.accountId !== 'string') return [];
  if (op.kind === 'place') {
    const id = (op.request as PlaceOrderRequest | undefined)?.clientOrderId;
    return inMemory || typeof id === 'string' ? [id] : [];
  }
  if (op.kind !== 'placeList') return [];
  const request = op.request as PlaceOrderListRequest | undefined;
  return [request?.limitLeg?.clientOrderId, request?.stopLeg?.clientOrderId].filter((id) => typeof id === 'string');
}

function attemptKey(accountId: string, clientOrderId: unknown): string {
  return `${accountId}\u0000${String(clientOrderId)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
