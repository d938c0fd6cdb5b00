import type { EventReader } from '../ports/event-store.js';
import type { PriceFeed, PriceTick } from '../ports/price-feed.js';
import type { Clock } from '../ports/clock.js';
import { Paced } from './paced.js';
import { CHANGE_TOPICS, topicsOf, type ChangeTopic } from './change-topics.js';
import { ProcessorRunner } from '../processors/processor-runner.js';
import type { Processor } from '../processors/processor.js';

/** One open live stream (an SSE response): told about its own tenant's changes only. */
export interface LiveSubscriber {
  readonly tenantId: string;
  /** the read models include the log up to `position`; these topics of the tenant changed */
  change(position: number, topics: readonly ChangeTopic[]): void;
  /** the latest price of each symbol that moved (the same array is handed to every subscriber of a batch) */
  prices(ticks: readonly PriceTick[]): void;
  heartbeat(): void;
  /** the server is shutting down: end the stream */
  end(): void;
}

export interface LiveUpdatesOptions {
  readonly events: EventReader;
  readonly feed: PriceFeed;
  /** paces the coalescing of changes and prices */
  readonly clock: Clock;
  /** resolves once the read models include the given global position */
  readonly waitForProjection: (position: number) => Promise<void>;
  /** one comment line to every stream this often (default 15 s) */
  readonly heartbeatMs?: number;
  /** at most one change message per stream this often (default 100 ms) */
  readonly changeIntervalMs?: number;
  /** the latest price of each symbol that moved, this often (default 100 ms: at most 10 per second per symbol, never staler than that) */
  readonly priceIntervalMs?: number;
  /** events read from the log per pass */
  readonly batchSize?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Fans the log out to live streams. One tail of the log is shared by every subscriber: each new
 * batch is read once, reduced to (tenant -> topics) for the tenants that have subscribers (one
 * map look-up per event for everyone else), and announced once the read models include it, so a
 * client that refetches on a change sees it. Changes are coalesced per tenant (one message per
 * stream per changeIntervalMs at most); prices go out as they come, at most once per
 * priceIntervalMs (the latest per symbol); a single timer sends the heartbeats. With no subscriber nothing is read.
 */
export class LiveUpdates {
  private readonly byTenant = new Map<string, Set<LiveSubscriber>>();
  private count = 0;
  /** the log up to here is announced (and projected) */
  private position = 0;
  /** undefined while idle (no subscriber): the tail is not followed */
  private activation: Promise<void> | undefined;
  /** true once activated: the tail is read from `position` */
  private following = false;
  /** bumped when going idle: an activation still awaiting the head then does not start following */
  private generation = 0;
  /** follows the log while someone listens (a processor whose checkpoint is this node's `position`: nothing durable) */
  private runner: ProcessorRunner | undefined;
  private readonly processor: Processor;
  private readonly ready = new Map<string, Set<ChangeTopic>>();
  private readyPosition = 0;
  private readonly changes: Paced;
  private readonly movedPrices = new Map<string, PriceTick>();
  private readonly prices: Paced;
  private timers: NodeJS.Timeout[] = [];
  private detach: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: LiveUpdatesOptions) {
    this.changes = new Paced(options.changeIntervalMs ?? 100, options.clock, () => this.flush());
    this.prices = new Paced(options.priceIntervalMs ?? 100, options.clock, () => this.sendPrices());
    this.processor = this.liveProcessor();
  }

  get subscribers(): number {
    return this.count;
  }

  /**
   * Adds a stream. `lastEventId`: the position the client last saw; when the read models are
   * past it, the stream is told at once (every topic) so the client refetches what it missed.
   * Returns the unsubscribe function.
   */
  async subscribe(subscriber: LiveSubscriber, lastEventId?: number): Promise<() => void> {
    if (this.closed) throw new Error('live updates are closed');
    let tenant = this.byTenant.get(subscriber.tenantId);
    if (!tenant) this.byTenant.set(subscriber.tenantId, (tenant = new Set()));
    tenant.add(subscriber);
    this.count++;
    let subscribed = true;
    const unsubscribe = (): void => {
      if (!subscribed) return;
      subscribed = false;
      const set = this.byTenant.get(subscriber.tenantId);
      set?.delete(subscriber);
      if (set && set.size === 0) this.byTenant.delete(subscriber.tenantId);
      if (--this.count === 0) this.idle();
    };
    try {
      await (this.activation ??= this.activate());
    } catch (error) {
      unsubscribe();
      throw error;
    }
    if (subscribed && lastEventId !== undefined && lastEventId < this.position) subscriber.change(this.position, CHANGE_TOPICS);
    return unsubscribe;
  }

  /** Ends every stream and stops the timers; later subscriptions are refused. */
  close(): void {
    this.closed = true;
    const all = [...this.byTenant.values()].flatMap((set) => [...set]);
    this.byTenant.clear();
    this.count = 0;
    this.idle();
    for (const subscriber of all) {
      try {
        subscriber.end();
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }

  /** First subscriber: start from the head once the read models include it, then follow the log. */
  private async activate(): Promise<void> {
    const { events, feed } = this.options;
    const generation = this.generation;
    this.detach.push(feed.subscribe((tick) => {
      this.movedPrices.set(tick.venue === undefined ? tick.symbol : `${tick.venue}|${tick.symbol}`, tick);
      this.prices.request();
    }));
    const heartbeat = setInterval(() => this.each((s) => s.heartbeat()), this.options.heartbeatMs ?? 15_000);
    heartbeat.unref();
    this.timers.push(heartbeat);
    const head = await events.headPosition();
    await this.options.waitForProjection(head);
    if (generation !== this.generation) return;
    this.position = Math.max(this.position, head);
    this.following = true;
    this.runner = new ProcessorRunner(events, this.processor, {
      intervalMs: 0,
      observer: { failed: (_id, error) => this.options.onError?.(error), lag: () => undefined },
    });
    await this.runner.start(); // whatever was appended meanwhile, then every append
  }

  /** Last subscriber gone (or closing): stop following; the next subscriber starts from the head again. */
  private idle(): void {
    for (const undo of this.detach) undo();
    for (const timer of this.timers) clearInterval(timer);
    this.changes.cancel();
    this.prices.cancel();
    this.detach = [];
    this.timers = [];
    this.activation = undefined;
    this.following = false;
    void this.runner?.stop();
    this.runner = undefined;
    this.generation++;
    this.ready.clear();
    this.movedPrices.clear();
  }

  /**
   * The processor the runner drives: each batch reduced to (tenant -> topics) for the tenants with
   * subscribers, announced once the read models include it. Its checkpoint is where this node's
   * streams are (a new first subscriber starts at the head): nothing of it is durable.
   */
  private liveProcessor(): Processor {
    return {
      id: 'live-updates',
      handles: 'all',
      runsOn: 'every-node',
      batchSize: this.options.batchSize ?? 2000,
      checkpoint: async () => this.position,
      process: async (batch, range) => {
        if (!this.following) return;
        const changed = new Map<string, Set<ChangeTopic>>();
        for (const event of batch) {
          const tenantId = event.metadata.tenantId;
          if (!this.byTenant.has(tenantId)) continue;
          const topics = topicsOf(event.type);
          if (topics.length === 0) continue;
          let set = changed.get(tenantId);
          if (!set) changed.set(tenantId, (set = new Set()));
          for (const t of topics) set.add(t);
        }
        await this.options.waitForProjection(range.to);
        if (!this.following) return;
        this.position = Math.max(this.position, range.to);
        for (const [tenantId, topics] of changed) {
          let set = this.ready.get(tenantId);
          if (!set) this.ready.set(tenantId, (set = new Set()));
          for (const t of topics) set.add(t);
        }
        this.readyPosition = this.position;
        if (this.ready.size > 0) this.changes.request();
      },
    };
  }

  private flush(): void {
    const position = this.readyPosition;
    for (const [tenantId, set] of this.ready) {
      const topics = CHANGE_TOPICS.filter((t) => set.has(t));
      for (const subscriber of this.byTenant.get(tenantId) ?? []) this.safely(() => subscriber.change(position, topics));
    }
    this.ready.clear();
  }

  private sendPrices(): void {
    if (this.movedPrices.size === 0) return;
    const ticks = [...this.movedPrices.values()];
    this.movedPrices.clear();
    this.each((s) => s.prices(ticks));
  }

  private each(send: (subscriber: LiveSubscriber) => void): void {
    for (const set of this.byTenant.values()) for (const subscriber of set) this.safely(() => send(subscriber));
  }

  private safely(send: () => void): void {
    try {
      send();
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
