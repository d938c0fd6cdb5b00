import type { Leases } from '../ports/leases.js';
import type { Logger } from '../ports/logger.js';
import { SingleFlight } from '../shared/single-flight.js';

export const LEADER_LEASE = 'leader';
const ACCOUNT_PREFIX = 'account:';
export const accountLease = (accountId: string): string => `${ACCOUNT_PREFIX}${accountId}`;

export interface LeaseKeeperDeps {
  readonly leases: Leases;
  readonly log: Logger;
  /** this node's id: spreads the accounts over the nodes (rendezvous hashing) */
  readonly nodeId: string;
  /** every account known now */
  readonly accounts: () => readonly string[];
  /** this node became the leader (routing, projections, snapshots) or stopped being it */
  readonly onLeadership: (leading: boolean) => Promise<void>;
  /** this node now owns the account's order flow */
  readonly onAccountTaken: (accountId: string) => Promise<void>;
  /** this node no longer owns the account (lease lost, or about to be released) */
  readonly onAccountDropped: (accountId: string) => void;
  /** resolves when nothing of the account is in flight any more (before a voluntary release) */
  readonly accountIdle: (accountId: string) => Promise<void>;
  /** how often leases are checked and balanced (default 1000 ms) */
  readonly intervalMs?: number;
}

/** FNV-1a, 32 bits: a stable, cheap preference of a node for an account. */
function preference(nodeId: string, accountId: string): number {
  let h = 0x811c9dc5;
  const text = `${nodeId}\u0000${accountId}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Keeps this node's share of the leases. Every interval (and when nudged) it:
 *  1. checks the lease session (a dead one drops every lease, and the duties go with them);
 *  2. balances accounts: with N live nodes and M accounts each node owns at most ceil(M/N);
 *     it takes free accounts it prefers most, and hands back the ones it prefers least when it
 *     holds too many (after their in-flight requests return), so a joining node gets its share
 *     and a dead node's accounts are taken over at the next interval;
 *  3. tries the leader lease (accounts first, so at start-up reconciliation precedes routing).
 */
export class LeaseKeeper {
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly flight = new SingleFlight(() => this.tick(), () => this.stopped);
  private readonly unsubscribe: () => void;

  private transitions: Promise<void> = Promise.resolve();
  private transitionsRunning = 0;

  constructor(private readonly deps: LeaseKeeperDeps) {
    this.unsubscribe = deps.leases.onLost((names) => this.lost(names));
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Accounts this node owns now. */
  ownedAccounts(): string[] {
    return this.deps.leases
      .held()
      .filter((n) => n.startsWith(ACCOUNT_PREFIX))
      .map((n) => n.slice(ACCOUNT_PREFIX.length));
  }

  /** Runs a first round (awaited), then one every interval. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.flight.run();
    const interval = this.deps.intervalMs ?? 1000;
    this.timer = setInterval(() => this.nudge(), interval);
    this.timer.unref();
  }

  /** Runs a round soon (e.g. an account was opened). */
  nudge(): void {
    void this.flight.run().catch((error: unknown) => this.deps.log.error({ err: String(error) }, 'lease round failed'));
  }

  /** Runs a round now and waits for it. */
  round(): Promise<void> {
    return this.flight.run();
  }

  /** Stops the rounds; leases stay held until the Leases are closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe();
    await this.flight.idle();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const { leases } = this.deps;
    if (leases.held().length > 0) await leases.check(); // a dead session calls lost() for what it held
    await this.balanceAccounts();
    if (this.stopped) return;
    const leads = await leases.tryAcquire(LEADER_LEASE);
    if (leads && !this.leading) {
      this.leading = true;
      this.deps.log.info({ nodeId: this.deps.nodeId }, 'this node leads: routing, projections and snapshots run here');
      try {
        await this.transition(true);
      } catch (error) {
        // could not take up the duties (e.g. the database went away): give the lead back, retry next round
        this.leading = false;
        await this.transition(false).catch(() => undefined);
        await leases.release(LEADER_LEASE);
        throw error;
      }
    }
  }

  private async balanceAccounts(): Promise<void> {
    const { leases, nodeId } = this.deps;
    const ids = [...new Set(this.deps.accounts())];
    if (ids.length === 0) return;
    const nodes = await leases.liveNodes();
    const target = Math.ceil(ids.length / nodes);
    const ranked = ids.sort((a, b) => preference(nodeId, b) - preference(nodeId, a) || (a < b ? -1 : 1));
    let owned = ranked.filter((id) => leases.holds(accountLease(id))).length;
    const taken: string[] = [];
    for (const id of ranked) {
      if (owned >= target || this.stopped) break;
      if (leases.holds(accountLease(id))) continue;
      if (!(await leases.tryAcquire(accountLease(id)))) continue;
      owned++;
      taken.push(id);
    }
    // together: one catch-up of the log hands every taken account its live orders
    await Promise.all(taken.map((id) => this.deps.onAccountTaken(id)));
    if (taken.length > 0) this.deps.log.info({ nodeId, taken: taken.length, owned, target, nodes }, 'took account leases');
    const released: string[] = [];
    for (const id of [...ranked].reverse()) {
      if (owned <= target || this.stopped) break;
      if (!leases.holds(accountLease(id))) continue;
      this.deps.onAccountDropped(id);
      await this.deps.accountIdle(id);
      await leases.release(accountLease(id));
      owned--;
      released.push(id);
    }
    if (released.length > 0) this.deps.log.info({ nodeId, released: released.length, owned, target, nodes }, 'handed account leases back');
  }

  /**
   * Steps up or down, one after the other: a step-up waits for a step-down still running (a lost
   * session's), so the step-down can never stop the duties the step-up has just started.
   */
  private transition(leading: boolean): Promise<void> {
    // nothing running: at once (a lost session's duties stop without waiting a turn)
    const step: Promise<void> = this.transitionsRunning === 0 ? this.deps.onLeadership(leading) : this.transitions.then(() => this.deps.onLeadership(leading));
    this.transitionsRunning += 1;
    const done = step.catch(() => undefined).finally(() => {
      this.transitionsRunning -= 1;
    });
    this.transitions = done;
    return step;
  }

  private lost(names: readonly string[]): void {
    let accounts = 0;
    for (const name of names) {
      if (name === LEADER_LEASE) {
        if (!this.leading) continue;
        this.leading = false;
        void this.transition(false).catch((error: unknown) => this.deps.log.error({ err: String(error) }, 'stepping down failed'));
      } else if (name.startsWith(ACCOUNT_PREFIX)) {
        accounts++;
        this.deps.onAccountDropped(name.slice(ACCOUNT_PREFIX.length));
      }
    }
    this.deps.log.warn({ nodeId: this.deps.nodeId, accounts, leader: names.includes(LEADER_LEASE) }, 'lease session lost; duties dropped until leases are taken again');
    if (!this.stopped) this.nudge();
  }
}
