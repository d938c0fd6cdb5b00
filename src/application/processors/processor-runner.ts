import type { EventReader } from '../ports/event-store.js';
import { StaleCheckpointError } from '../ports/projection-store.js';
import { SingleFlight } from '../shared/single-flight.js';
import { checkpointName, handledBy, type Processor } from './processor.js';
import type { PatriotEventType } from '../../domain/events.js';

/** The one place a processor's failures and lag are reported (logs and metrics hang off it). */
export interface ProcessorObserver {
  failed(processorId: string, error: unknown): void;
  /** events in the log not yet processed, after each batch (absent: the head is not read for it) */
  lag?(processorId: string, lag: number): void;
  /** took up its stored checkpoint (at start, or after another node moved it) */
  resumed?(processorId: string, position: number): void;
}

export interface ProcessorRunnerOptions {
  /** how long appends are gathered before a pass (default 20 ms; 'next-turn': none, the pass runs in the event loop's next turn) */
  readonly intervalMs?: number | 'next-turn';
  /** while not running (another node runs it), how often waitFor looks at the stored checkpoint (default 25 ms) */
  readonly followerPollMs?: number;
  /** how long a waitFor on a node that does not run it waits at most (default 10 s) */
  readonly followerWaitMs?: number;
  readonly observer?: ProcessorObserver;
  /** runs the processor for this account only (its own checkpoint; the account's owner runs it) */
  readonly accountId?: string;
  /** the longest wait between tries after failed passes (default 5 s) */
  readonly maxRetryMs?: number;
}

/**
 * Runs one processor: reads the log after its checkpoint in batches, hands each batch's handled
 * events to it, and moves on only once it committed (back-pressure: nothing is read ahead of what
 * is durable). Follows appends while started; start() may be called again after stop() (a node
 * that regains a duty) and starts over from the stored checkpoint.
 *
 * Position changes only inside a pass (the single flight): a pass started meanwhile (a waitFor,
 * or the previous duty's last pass still running) would otherwise read from an old position and
 * commit as if it continued from the new one, processing the events in between twice. The first
 * pass after start() takes up the stored checkpoint; a commit fenced out by another node
 * (StaleCheckpointError) takes up what that node stored.
 */
export class ProcessorRunner<T extends PatriotEventType = PatriotEventType> {
  private position = 0;
  private stopped = false;
  private started = false;
  /** counts start() and stop() calls: a start() overtaken by a stop() does not follow the log */
  private generation = 0;
  private resync = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** consecutive failed background passes, and the timer of the next try */
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private readonly flight = new SingleFlight(() => this.drain(), () => this.stopped);
  private unsubscribe: (() => void) | undefined;
  private readonly waiters: { position: number; resolve: () => void }[] = [];

  constructor(
    private readonly events: EventReader,
    readonly processor: Processor<T>,
    private readonly options: ProcessorRunnerOptions = {},
  ) {}

  /** the processor's id, and the account it runs for */
  get id(): string {
    return checkpointName(this.processor.id, this.options.accountId);
  }

  /** The position this runner has processed up to (its last commit). */
  get checkpoint(): number {
    return this.position;
  }

  /** True between start() and stop(). */
  get running(): boolean {
    return this.started;
  }

  async start(): Promise<void> {
    if (this.started) return;
    const generation = ++this.generation;
    await this.flight.idle(); // the previous duty's last pass (its failure is not this start's)
    if (generation !== this.generation) return;
    this.started = true;
    this.stopped = false;
    this.resync = true;
    // followed from before the first catch-up: an append made while it reads is passed over by it and
    // has no later append to wake the runner (it waited for the next one); and followed even when that
    // catch-up fails (the store away): the next append, or the back-off, tries again
    this.unsubscribe ??= this.events.onAppended(() => this.schedule());
    try {
      await this.catchUp();
    } catch (error) {
      if (generation === this.generation) this.background(); // tried again with back-off
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.generation++;
    this.started = false;
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
    clearTimeout(this.retry);
    this.retry = undefined;
    await this.flight.idle();
  }

  /** Drops the processor's effects and processes the whole log again; returns the position reached. */
  async rebuild(): Promise<number> {
    const reset = this.processor.reset;
    if (!reset) throw new Error(`processor ${this.id} cannot be replayed from the start`);
    await this.flight.idle();
    await reset.call(this.processor);
    this.position = 0;
    this.resync = false;
    // a runner that is not following the log (a replay) must still drain every batch
    this.stopped = false;
    try {
      await this.catchUp();
    } finally {
      if (!this.started) this.stopped = true;
    }
    return this.position;
  }

  /**
   * Resolves once the processor's effects include the event at `position` (processing now rather
   * than at the next interval). On a node that does not run it, it watches the stored checkpoint
   * instead, for at most followerWaitMs.
   */
  waitFor(position: number): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    if (!this.started) return this.waitForOtherNode(position);
    const reached = new Promise<void>((resolve) => this.waiters.push({ position, resolve }));
    this.background();
    return reached;
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    await this.flight.idle();
  }

  /** Processes every committed event not yet processed; concurrent calls share one pass. */
  catchUp(): Promise<void> {
    return this.flight.run();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.immediate !== undefined || this.stopped) return;
    const interval = this.options.intervalMs ?? 20;
    if (interval === 'next-turn') {
      // ahead of the next group commit (a timer of 0 waits a millisecond, and the commits made
      // meanwhile would meet a state that has not folded the one before: ADR-0030)
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.background();
      });
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.background();
    }, interval);
  }

  /** A pass in the background; a failed one (the store is away) is tried again with back-off, even if nothing more is appended. */
  background(): void {
    void this.catchUp().then(
      () => {
        this.failures = 0;
      },
      (error: unknown) => {
        this.failed(error);
        this.failures += 1;
        if (this.stopped || this.retry !== undefined) return;
        this.retry = setTimeout(() => {
          this.retry = undefined;
          if (!this.stopped) this.background();
        }, Math.min(100 * 2 ** Math.min(this.failures - 1, 6), this.options.maxRetryMs ?? 5000));
        this.retry.unref();
      },
    );
  }

  private failed(error: unknown): void {
    this.options.observer?.failed(this.id, error);
  }

  private async waitForOtherNode(position: number): Promise<void> {
    const until = Date.now() + (this.options.followerWaitMs ?? 10_000);
    while (!this.started && Date.now() < until) {
      if ((await this.processor.checkpoint(this.options.accountId).catch(() => 0)) >= position) return;
      await new Promise((resolve) => setTimeout(resolve, this.options.followerPollMs ?? 25));
    }
    if (this.started) await this.waitFor(position); // this node took the duty meanwhile
  }

  private async takeUpStored(): Promise<void> {
    this.position = await this.processor.checkpoint(this.options.accountId);
    this.processor.resynced?.(this.position);
    this.options.observer?.resumed?.(this.id, this.position);
    this.releaseWaiters(); // another node may have processed what they wait for
  }

  private async drain(): Promise<void> {
    const batchSize = this.processor.batchSize ?? 1000;
    for (;;) {
      if (this.resync) {
        this.resync = false;
        await this.takeUpStored();
      }
      // the batch and the commit's fence both belong to `from`
      const from = this.position;
      const batch = await this.events.readAll(from, batchSize);
      if (batch.length === 0) break;
      const to = batch[batch.length - 1]!.globalPosition;
      try {
        await this.processor.process(handledBy(this.processor, batch, this.options.accountId), { from, to }, this.options.accountId);
      } catch (error) {
        if (!(error instanceof StaleCheckpointError)) throw error;
        await this.takeUpStored(); // another node processed meanwhile (a duty changed hands)
        continue;
      }
      this.position = to;
      this.releaseWaiters();
      if (this.options.observer?.lag) this.options.observer.lag(this.id, Math.max(0, (await this.events.headPosition()) - to));
      if (batch.length < batchSize || this.stopped) break;
    }
    await this.processor.caughtUp?.();
  }

  private releaseWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.position <= this.position) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}
