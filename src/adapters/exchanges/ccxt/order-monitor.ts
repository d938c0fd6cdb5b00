import type { ExchangeOrder, OrderUpdate } from '../../../application/ports/exchange.js';
import type { Logger } from '../../../application/ports/logger.js';
import { silentLogger } from '../../../application/ports/logger.js';
import { sleep, type Scheduler, type TimerHandle } from './scheduler.js';

/** Where the monitor gets orders from (the gateway wires ccxt pro's watchOrders and REST calls). */
export interface MonitorSource {
  /** Resolves with the next batch of order updates from the user-data stream; rejects when the stream fails. */
  watch(): Promise<readonly ExchangeOrder[]>;
  fetchOpenOrders(): Promise<readonly ExchangeOrder[]>;
  /** `null`: the exchange has no such order */
  fetchOrder(clientOrderId: string, symbol: string): Promise<ExchangeOrder | null>;
  /** Closes the stream (a pending `watch` then rejects). */
  close(): Promise<void>;
  /** Drops the stream's connection for good so the next `watch` opens a fresh one (default: `close`). */
  recycle?(): Promise<void>;
  /** Orders sent recently whose end is not known yet (looked up by the audit while the stream is up). */
  recentlySent?(): readonly { readonly clientOrderId: string; readonly symbol: string }[];
}

export interface BackoffOptions {
  /** first reconnect delay (default 500 ms) */
  readonly initialMs?: number;
  /** cap (default 30 s) */
  readonly maxMs?: number;
  /** growth per attempt (default 2) */
  readonly factor?: number;
  /** ± fraction of random jitter (default 0.2) */
  readonly jitter?: number;
}

export interface OrderMonitorOptions {
  /** REST polling period while the stream is down (default 5 s) */
  readonly pollIntervalMs?: number;
  /** a watch that has not failed for this long counts as connected (default 15 s: longer than a connection timeout) */
  readonly stableAfterMs?: number;
  readonly backoff?: BackoffOptions;
  /** in [0, 1); default Math.random */
  readonly random?: () => number;
  /**
   * While the stream is up, the open orders and the orders sent recently are also read over REST
   * this often (default 20 s; 0: never): a change found there that the stream never reported
   * is recorded at once, and a stream that stays silent about it is recycled.
   */
  readonly auditIntervalMs?: number;
  /** how long the stream may lag a change the audit found before it counts as silent (default 3 s) */
  readonly silenceConfirmMs?: number;
}

export type MonitorState = 'starting' | 'streaming' | 'polling' | 'stopped';

/** Exponential back-off with jitter: initial × factor^(attempt−1), capped, then ± jitter. attempt ≥ 1. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
  const base = Math.min(max, initial * factor ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
}

const MAX_REMEMBERED = 5000;
/** recently sent orders looked up by one audit, at most (the most recent first in line) */
const MAX_AUDITED_SENT = 20;

/**
 * Watches one account's orders: ccxt pro `watchOrders` while the socket is up; when it fails,
 * REST polling (open orders, plus a look-up of every order known to be open that is no longer
 * listed) every `pollIntervalMs`, and reconnection with exponential back-off and jitter. After a
 * reconnection one catch-up poll picks up what the socket missed. Each change of an order is
 * emitted once (one update per new fill, with that fill); repeats are dropped.
 */
export class OrderMonitor {
  private current: MonitorState = 'starting';
  private stopped = false;
  private pollTimer: TimerHandle | undefined;
  private polling: Promise<void> | undefined;
  /** orders believed open: clientOrderId → symbol */
  private readonly open = new Map<string, string>();
  /** last emitted signature per order, and the fills already emitted */
  private readonly seen = new Map<string, { signature: string; fills: Set<string> }>();
  private loop: Promise<void> | undefined;
  /** settles when `stop` is called, so a watch that never settles cannot hold the loop */
  private readonly stopSignal: Promise<'stopped'>;
  private signalStop: () => void = () => {};
  /** settles when the stream is found silent: the pending watch is abandoned and the stream reconnected */
  private recycleSignal: Promise<'recycle'> = new Promise(() => {});
  private signalRecycle: () => void = () => {};
  private auditTimer: TimerHandle | undefined;
  private confirmTimer: TimerHandle | undefined;
  /** changes the audit found that the stream has not mentioned since: order key → when found */
  private readonly unreported = new Map<string, number>();
  private recycles = 0;

  constructor(
    readonly accountId: string,
    private readonly source: MonitorSource,
    private readonly emit: (update: OrderUpdate) => void,
    private readonly scheduler: Scheduler,
    private readonly options: OrderMonitorOptions = {},
    private readonly log: Logger = silentLogger,
    private readonly onState: (state: MonitorState) => void = () => {},
  ) {
    this.stopSignal = new Promise((resolve) => {
      this.signalStop = () => resolve('stopped');
    });
  }

  get state(): MonitorState {
    return this.current;
  }

  /** Orders the monitor will look up while polling (e.g. just placed). */
  get tracked(): ReadonlyMap<string, string> {
    return this.open;
  }

  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.watchLoop();
  }

  /** How often a silent stream was found and reconnected. */
  get silentRecycles(): number {
    return this.recycles;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.signalStop();
    this.stopPolling();
    this.stopAudit();
    this.setState('stopped');
    try {
      await this.source.close();
    } catch {
      // closing a dead socket may fail; nothing to do
    }
    await this.loop;
    await this.polling;
  }

  /**
   * Remembers an order as open, so polling looks it up when it leaves the open list, and its
   * state as known (the placement answer is recorded by the caller): the same state seen again,
   * on the stream or over REST, is not news.
   */
  track(order: ExchangeOrder): void {
    this.note(order);
    const key = keyOf(order);
    if (!this.seen.has(key)) this.seen.set(key, { signature: signatureOf(order), fills: new Set(order.fills.map((f) => f.tradeId)) });
  }

  /** Feeds an order seen elsewhere (e.g. a REST answer) through the same de-duplication. */
  observe(order: ExchangeOrder): void {
    this.handle(order);
  }

  private setState(state: MonitorState): void {
    if (this.current === state) return;
    this.current = state;
    this.onState(state);
  }

  private async watchLoop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      const stable = this.scheduler.setTimer(() => this.connected(), this.options.stableAfterMs ?? 15_000);
      this.recycleSignal = new Promise((resolve) => {
        this.signalRecycle = () => resolve('recycle');
      });
      try {
        const orders = await Promise.race([this.source.watch(), this.stopSignal, this.recycleSignal]);
        this.scheduler.clearTimer(stable);
        if (this.stopped || orders === 'stopped') return;
        if (orders === 'recycle') throw new Error('the order stream stayed silent about changes the exchange reports over REST');
        attempt = 0;
        this.connected();
        for (const order of orders) {
          this.unreported.delete(keyOf(order)); // the stream knows of it: not silent about it
          this.handle(order);
        }
      } catch (error) {
        this.scheduler.clearTimer(stable);
        if (this.stopped) return;
        attempt += 1;
        const delay = backoffDelay(attempt, this.options.backoff, this.options.random);
        this.log.warn({ accountId: this.accountId, attempt, delayMs: delay, reason: error instanceof Error ? error.message : String(error) }, 'order stream down; polling and reconnecting');
        this.disconnected();
        await Promise.race([sleep(this.scheduler, delay), this.stopSignal]);
      }
    }
  }

  private connected(): void {
    if (this.stopped || this.current === 'streaming') return;
    const wasDown = this.current === 'polling';
    this.setState('streaming');
    this.stopPolling();
    this.scheduleAudit();
    if (wasDown) void this.poll(); // catch up on what the socket missed
  }

  private disconnected(): void {
    if (this.stopped || this.current === 'polling') return;
    this.stopAudit();
    this.setState('polling');
    void this.poll();
    this.schedulePoll();
  }

  private schedulePoll(): void {
    this.pollTimer = this.scheduler.setTimer(() => {
      this.pollTimer = undefined;
      if (this.stopped || this.current !== 'polling') return;
      void this.poll().finally(() => {
        if (!this.stopped && this.current === 'polling') this.schedulePoll();
      });
    }, this.options.pollIntervalMs ?? 5000);
  }

  // ------------------------------------------------------------------ audit of a stream that is up

  private scheduleAudit(): void {
    const every = this.options.auditIntervalMs ?? 20_000;
    if (every <= 0 || this.auditTimer) return;
    this.auditTimer = this.scheduler.setTimer(() => {
      this.auditTimer = undefined;
      if (this.stopped || this.current !== 'streaming') return;
      void this.poll(true).finally(() => {
        if (!this.stopped && this.current === 'streaming') this.scheduleAudit();
      });
    }, every);
  }

  private stopAudit(): void {
    if (this.auditTimer) this.scheduler.clearTimer(this.auditTimer);
    if (this.confirmTimer) this.scheduler.clearTimer(this.confirmTimer);
    this.auditTimer = undefined;
    this.confirmTimer = undefined;
    this.unreported.clear();
  }

  /** The audit found changes the stream did not report: unless the stream mentions them soon, it is silent. */
  private suspectSilence(keys: readonly string[]): void {
    const now = this.scheduler.now();
    for (const key of keys) if (!this.unreported.has(key)) this.unreported.set(key, now);
    if (this.confirmTimer) return;
    this.confirmTimer = this.scheduler.setTimer(() => {
      this.confirmTimer = undefined;
      if (this.stopped || this.current !== 'streaming' || this.unreported.size === 0) return;
      const silentFor = [...this.unreported.keys()];
      this.unreported.clear();
      this.recycles += 1;
      this.log.warn({ accountId: this.accountId, orders: silentFor.length }, 'order stream silent: the exchange reports changes it never sent; reconnecting it');
      this.disconnected(); // not claimed healthy meanwhile: polling until the new stream is up
      this.signalRecycle();
      void (this.source.recycle ?? this.source.close).call(this.source).catch(() => undefined);
    }, this.options.silenceConfirmMs ?? 3000);
  }

  private stopPolling(): void {
    if (this.pollTimer) this.scheduler.clearTimer(this.pollTimer);
    this.pollTimer = undefined;
  }

  private poll(audit = false): Promise<void> {
    if (!this.polling) {
      this.polling = this.pollOnce(audit).finally(() => {
        this.polling = undefined;
      });
    }
    return this.polling;
  }

  /**
   * Open orders, then each order believed open (or, in an audit, sent recently) that is no
   * longer listed. In an audit (the stream is up), a change of an order already known that the
   * stream did not report is recorded at once and makes the stream suspect.
   */
  private async pollOnce(audit = false): Promise<void> {
    let listed: readonly ExchangeOrder[];
    try {
      listed = await this.source.fetchOpenOrders();
    } catch (error) {
      this.log.warn({ accountId: this.accountId, reason: error instanceof Error ? error.message : String(error) }, 'polling open orders failed');
      return;
    }
    const missed: string[] = [];
    const take = (order: ExchangeOrder) => {
      if (this.handle(order) === 'changed' && audit) missed.push(keyOf(order));
    };
    const listedIds = new Set(listed.map((o) => o.clientOrderId));
    for (const order of listed) take(order);
    const toLookUp = new Map(this.open);
    if (audit) {
      // the most recent sent orders whose end is not seen (a lost answer, a silent stream): a bounded number per audit
      const pending = (this.source.recentlySent?.() ?? []).filter((sent) => !toLookUp.has(sent.clientOrderId) && !this.isFinal(sent));
      for (const sent of pending.slice(-MAX_AUDITED_SENT)) toLookUp.set(sent.clientOrderId, sent.symbol);
    }
    for (const [clientOrderId, symbol] of toLookUp) {
      if (this.stopped) return;
      if (listedIds.has(clientOrderId)) continue;
      try {
        const order = await this.source.fetchOrder(clientOrderId, symbol);
        if (order) take(order);
        else this.open.delete(clientOrderId);
      } catch (error) {
        // inconclusive: look again next time
        this.log.warn({ accountId: this.accountId, clientOrderId, reason: error instanceof Error ? error.message : String(error) }, 'polling an order failed');
      }
    }
    if (missed.length > 0 && this.current === 'streaming') this.suspectSilence(missed);
  }

  /** Whether the monitor has seen this order end (filled, cancelled, ...): an audit need not look it up. */
  private isFinal(order: { clientOrderId: string; symbol: string }): boolean {
    const seen = this.seen.get(`${order.symbol}|${order.clientOrderId}`);
    return seen !== undefined && !this.open.has(order.clientOrderId);
  }

  private note(order: ExchangeOrder): void {
    if (order.status === 'open' || order.status === 'partially_filled') this.open.set(order.clientOrderId, order.symbol);
    else this.open.delete(order.clientOrderId);
  }

  /** 'changed': news of an order already known (seen, or tracked as open); 'new': its first sighting; 'same': nothing new. */
  private handle(order: ExchangeOrder): 'changed' | 'new' | 'same' {
    if (this.stopped) return 'same';
    const known = this.open.has(order.clientOrderId);
    this.note(order);
    const key = keyOf(order);
    const signature = signatureOf(order);
    const previous = this.seen.get(key);
    if (previous && previous.signature === signature) return 'same';
    const emitted = previous?.fills ?? new Set<string>();
    const fresh = order.fills.filter((f) => !emitted.has(f.tradeId));
    this.seen.delete(key);
    this.seen.set(key, { signature, fills: new Set([...emitted, ...fresh.map((f) => f.tradeId)]) });
    if (this.seen.size > MAX_REMEMBERED) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    const updates: OrderUpdate[] = fresh.length > 0 ? fresh.map((fill) => ({ accountId: this.accountId, order, fill })) : [{ accountId: this.accountId, order }];
    for (const update of updates) {
      try {
        this.emit(update);
      } catch (error) {
        this.log.error({ accountId: this.accountId, clientOrderId: order.clientOrderId, reason: error instanceof Error ? error.message : String(error) }, 'order update listener failed');
      }
    }
    return previous || known ? 'changed' : 'new';
  }
}

function signatureOf(order: ExchangeOrder): string {
  return `${order.exchangeOrderId}|${order.status}|${order.filledQuantity}|${order.fills.map((f) => f.tradeId).join(',')}`;
}

function keyOf(order: { symbol: string; clientOrderId: string }): string {
  return `${order.symbol}|${order.clientOrderId}`;
}
