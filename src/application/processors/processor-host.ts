import type { EventReader } from '../ports/event-store.js';
import { ProcessorRunner, type ProcessorObserver } from './processor-runner.js';
import type { AnyProcessor } from './processor.js';

export interface ProcessorHostOptions {
  readonly observer?: ProcessorObserver;
  /** how long appends are gathered before a pass (default 20 ms) */
  readonly intervalMs?: number;
}

/**
 * Runs the registered processors where they belong on this node: those for every node from
 * start(); the leader's while this node leads (the lease keeper calls setLeader); an
 * account-owner processor once per owned account, with that account's checkpoint, from the
 * moment the lease keeper hands the account over until it is dropped. A duty that moves to
 * another node resumes there from the stored checkpoint; the fenced commit keeps a node that
 * lost the duty without noticing yet from committing after the new one.
 */
export class ProcessorHost {
  private readonly shared = new Map<string, ProcessorRunner>();
  private readonly perAccount = new Map<string, ProcessorRunner>();
  private leading = false;

  constructor(
    private readonly events: EventReader,
    readonly processors: readonly AnyProcessor[],
    private readonly options: ProcessorHostOptions = {},
  ) {
    const ids = new Set<string>();
    for (const p of processors) {
      if (ids.has(p.id)) throw new Error(`two processors are called ${p.id}: each needs its own id (its checkpoint's name)`);
      ids.add(p.id);
      if (p.runsOn !== 'account-owner') this.shared.set(p.id, this.runnerFor(p));
    }
  }

  /** The runner of a processor running for every node or the leader (undefined for another id). */
  runner(id: string): ProcessorRunner | undefined {
    return this.shared.get(id);
  }

  /** The runner of an account-owner processor for one account, while this node owns it. */
  accountRunner(id: string, accountId: string): ProcessorRunner | undefined {
    return this.perAccount.get(`${id}\u0000${accountId}`);
  }

  get isLeading(): boolean {
    return this.leading;
  }

  /** Starts the processors that run on every node. */
  async start(): Promise<void> {
    await Promise.all(this.where('every-node').map((r) => r.start()));
  }

  /** This node became the leader (start the leader's processors) or stopped being it. */
  async setLeader(leading: boolean): Promise<void> {
    this.leading = leading;
    await Promise.all(this.where('leader').map((r) => (leading ? r.start() : r.stop())));
  }

  /** This node now owns the account: its account-owner processors resume from the account's checkpoints. */
  async accountTaken(accountId: string): Promise<void> {
    const started: Promise<void>[] = [];
    for (const p of this.processors) {
      if (p.runsOn !== 'account-owner') continue;
      const key = `${p.id}\u0000${accountId}`;
      if (this.perAccount.has(key)) continue;
      const runner = this.runnerFor(p, accountId);
      this.perAccount.set(key, runner);
      started.push(runner.start());
    }
    await Promise.all(started);
  }

  /** This node no longer owns the account: its account-owner processors stop here. */
  async accountDropped(accountId: string): Promise<void> {
    const stopping: Promise<void>[] = [];
    for (const [key, runner] of this.perAccount) {
      if (!key.endsWith(`\u0000${accountId}`)) continue;
      this.perAccount.delete(key);
      stopping.push(runner.stop());
    }
    await Promise.all(stopping);
  }

  /** Processes everything appended so far, in every processor running here. */
  async catchUp(): Promise<void> {
    await Promise.all([...this.shared.values(), ...this.perAccount.values()].filter((r) => r.running).map((r) => r.catchUp()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.shared.values(), ...this.perAccount.values()].map((r) => r.stop()));
    this.perAccount.clear();
  }

  private where(runsOn: AnyProcessor['runsOn']): ProcessorRunner[] {
    return [...this.shared.values()].filter((r) => r.processor.runsOn === runsOn);
  }

  private runnerFor(processor: AnyProcessor, accountId?: string): ProcessorRunner {
    return new ProcessorRunner(this.events, processor, {
      ...(this.options.observer ? { observer: this.options.observer } : {}),
      ...(this.options.intervalMs !== undefined ? { intervalMs: this.options.intervalMs } : {}),
      ...(accountId !== undefined ? { accountId } : {}),
    });
  }
}
