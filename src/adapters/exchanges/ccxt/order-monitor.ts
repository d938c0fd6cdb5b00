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

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.signalStop();
    this.stopPolling();
    this.setState('stopped');
    try {
      await this.source.close();
    } catch {
      // closing a dead socket may fail; nothing to do
    }
    await this.loop;
    await this.polling;
  }

  /** Remembers an order as open, so polling looks it up when it leaves the open list. */
  track(order: ExchangeOrder): void {
    this.note(order);
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
      try {
        const orders = await Promise.race([this.source.watch(), this.stopSignal]);
        this.scheduler.clearTimer(stable);
        if (this.stopped || orders === 'stopped') return;
        attempt = 0;
        this.connected();
        for (const order of orders) this.handle(order);
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
    if (wasDown) void this.poll(); // catch up on what the socket missed
  }

  private disconnected(): void {
    if (this.stopped || this.current === 'polling') return;
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

  private stopPolling(): void {
    if (this.pollTimer) this.scheduler.clearTimer(this.pollTimer);
    this.pollTimer = undefined;
  }

  private poll(): Promise<void> {
    if (!this.polling) {
      this.polling = this.pollOnce().finally(() => {
        this.polling = undefined;
      });
    }
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    let listed: readonly ExchangeOrder[];
    try {
      listed = await this.source.fetchOpenOrders();
    } catch (error) {
      this.log.warn({ accountId: this.accountId, reason: error instanceof Error ? error.message : String(error) }, 'polling open orders failed');
      return;
    }
    const listedIds = new Set(listed.map((o) => o.clientOrderId));
    for (const order of listed) this.handle(order);
    for (const [clientOrderId, symbol] of [...this.open]) {
      if (this.stopped) return;
      if (listedIds.has(clientOrderId)) continue;
      try {
        const order = await this.source.fetchOrder(clientOrderId, symbol);
        if (order) this.handle(order);
        else this.open.delete(clientOrderId);
      } catch (error) {
        // inconclusive: look again next time
        this.log.warn({ accountId: this.accountId, clientOrderId, reason: error instanceof Error ? error.message : String(error) }, 'polling an order failed');
      }
    }
  }

  private note(order: ExchangeOrder): void {
    if (order.status === 'open' || order.status === 'partially_filled') this.open.set(order.clientOrderId, order.symbol);
    else this.open.delete(order.clientOrderId);
  }

  private handle(order: ExchangeOrder): void {
    if (this.stopped) return;
    this.note(order);
    const key = `${order.symbol}|${order.clientOrderId}`;
    const signature = `${order.exchangeOrderId}|${order.status}|${order.filledQuantity}|${order.fills.map((f) => f.tradeId).join(',')}`;
    const previous = this.seen.get(key);
    if (previous && previous.signature === signature) return;
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
  }
}
