import type { BudgetLedger, Budgets, Grant, Taken } from '../ports/budgets.js';
import type { Logger } from '../ports/logger.js';
import { LocalBudgets } from './local-budgets.js';

/** A budget this large (or more) is off: nothing is counted. */
export const UNLIMITED = Number.MAX_SAFE_INTEGER;

/** How many units of a budget of `max` a node takes from the ledger at a time: a twentieth, 1 to 50. */
export const shareSize = (max: number): number => Math.max(1, Math.min(50, Math.ceil(max / 20)));

/** What a node holds of one key's budget in the ledger's current window. */
interface Share {
  readonly key: string;
  readonly max: number;
  readonly windowMs: number;
  /** the ledger's window these units belong to (undefined before the first grant) */
  window?: number;
  /** when that window ends, on this node's clock (estimated from the moment the claim was sent: never late) */
  endsAt: number;
  /** units granted to this node and not spent yet */
  left: number;
  /** units of the window granted to every node as of the last grant */
  used: number;
  lastUsed: number;
  /** when the ledger last said the window's budget is all granted */
  spentOutAt?: number;
  claiming?: Promise<void>;
}

export interface LeasedBudgetsOptions {
  readonly ledger: BudgetLedger;
  readonly log: Logger;
  readonly now?: () => number;
  /** units not spent for this long go back to the ledger, for other nodes (default 1000 ms) */
  readonly idleReturnMs?: number;
  /** a key whose window is all granted is asked for again at most this often (units other nodes gave back; default 250 ms) */
  readonly recheckMs?: number;
  /** after the ledger failed, this node counts alone this long before asking it again (default 5000 ms) */
  readonly retryLedgerMs?: number;
  /** a ledger call that takes longer has failed (default 2000 ms) */
  readonly timeoutMs?: number;
  /** how often ended windows are deleted from the ledger (default 60 s) */
  readonly sweepMs?: number;
}

/**
 * Budgets that hold across every node sharing one ledger: a node spends local shares of a key's
 * budget, granted by the ledger in one atomic statement (so the units granted in a window never
 * add up to more than the budget), and asks for the next share in the background once half of
 * the current one is spent. An alert is therefore almost never kept waiting for the database:
 * only the first one after a quiet spell, or once the window's budget is all granted.
 *
 * Tolerance: never over the budget while the ledger answers. Under it by the units other nodes
 * hold and have not spent (at most 1.5 shares per node), until they are spent or given back
 * (after idleReturnMs). A node that cannot reach the ledger counts alone (the per-node budget:
 * at most nodes × max in a window), logs it once, and asks again after retryLedgerMs.
 */
export class LeasedBudgets implements Budgets {
  private readonly shares = new Map<string, Share>();
  private readonly local: LocalBudgets;
  private readonly now: () => number;
  private aloneUntil = 0;
  private alone = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(private readonly options: LeasedBudgetsOptions) {
    this.now = options.now ?? Date.now;
    this.local = new LocalBudgets(this.now);
    const idle = options.idleReturnMs ?? 1000;
    this.timers.push(setInterval(() => this.returnIdle(), Math.max(50, idle / 2)));
    this.timers.push(setInterval(() => void options.ledger.sweep().catch(() => undefined), options.sweepMs ?? 60_000));
    for (const timer of this.timers) timer.unref();
  }

  take(key: string, max: number, windowMs: number): Taken | Promise<Taken> {
    if (max >= UNLIMITED) return { ok: true, remaining: max, resetMs: windowMs };
    const now = this.now();
    if (now < this.aloneUntil || this.closed) return this.local.take(key, max, windowMs);
    const share = this.current(key, now);
    const spent = share && this.spend(share, now);
    if (spent) return spent;
    if (share?.spentOutAt !== undefined && now - share.spentOutAt < (this.options.recheckMs ?? 250)) return refused(share, now);
    return this.claimAndTake(key, max, windowMs);
  }

  /** Gives every unit held back to the ledger (a node stopping). */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    const now = this.now();
    await Promise.all([...this.shares.values()].map((share) => (share.claiming ?? Promise.resolve()).catch(() => undefined).then(() => this.giveBack(share, now))));
    this.shares.clear();
  }

  /** The share of `key` while its window lasts. */
  private current(key: string, now: number): Share | undefined {
    const share = this.shares.get(key);
    if (share && share.window !== undefined && now >= share.endsAt && !share.claiming) {
      this.shares.delete(key); // its units belong to a window that is over
      return undefined;
    }
    return share;
  }

  private spend(share: Share, now: number): Taken | undefined {
    if (share.window === undefined || now >= share.endsAt || share.left <= 0) return undefined;
    share.left -= 1;
    share.lastUsed = now;
    // half of the share spent: the next one is asked for now, so the next alerts need not wait
    if (share.left <= Math.floor(shareSize(share.max) / 2) && !share.claiming && share.spentOutAt === undefined) {
      void this.claim(share).catch(() => undefined);
    }
    return { ok: true, remaining: Math.max(share.left, share.max - share.used + share.left), resetMs: share.endsAt - now };
  }

  /** No unit at hand: waits for a grant (shared with whoever waits for the same key). */
  private async claimAndTake(key: string, max: number, windowMs: number): Promise<Taken> {
    for (let round = 0; round < 20; round++) {
      let share = this.shares.get(key);
      if (!share) {
        share = { key, max, windowMs, endsAt: 0, left: 0, used: 0, lastUsed: this.now() };
        this.shares.set(key, share);
      }
      try {
        await (share.claiming ?? this.claim(share));
      } catch {
        return this.local.take(key, max, windowMs); // logged once by claim()
      }
      const now = this.now();
      const spent = this.spend(share, now);
      if (spent) return spent;
      if (share.spentOutAt !== undefined) return refused(share, now);
      if (this.shares.get(key) !== share) continue; // dropped meanwhile (window over)
    }
    return refused(this.shares.get(key), this.now());
  }

  private claim(share: Share): Promise<void> {
    const sentAt = this.now();
    const claiming = this.withTimeout(this.options.ledger.claim(share.key, share.max, share.windowMs, shareSize(share.max))).then(
      (grant) => {
        this.answered();
        this.apply(share, grant, sentAt);
      },
      (error: unknown) => {
        this.failed(error);
        throw error;
      },
    );
    share.claiming = claiming.finally(() => {
      share.claiming = undefined;
    });
    share.claiming.catch(() => undefined);
    return share.claiming;
  }

  private apply(share: Share, grant: Grant, sentAt: number): void {
    if (share.window !== grant.window) {
      share.window = grant.window; // a new window: units held of the old one are void
      share.left = 0;
      share.spentOutAt = undefined;
    }
    share.endsAt = sentAt + grant.endsInMs;
    share.left += grant.granted;
    share.used = grant.used;
    share.spentOutAt = grant.used >= share.max ? this.now() : undefined;
    if (!this.shares.has(share.key)) this.shares.set(share.key, share);
  }

  /** Units nobody here spent for a while go back, so other nodes can have them. */
  private returnIdle(): void {
    const now = this.now();
    const idleMs = this.options.idleReturnMs ?? 1000;
    for (const [key, share] of this.shares) {
      if (share.claiming) continue;
      if (share.window !== undefined && now >= share.endsAt) this.shares.delete(key);
      else if (now - share.lastUsed >= idleMs) {
        this.shares.delete(key);
        void this.giveBack(share, now);
      }
    }
  }

  private async giveBack(share: Share, now: number): Promise<void> {
    const units = share.left;
    share.left = 0;
    if (units <= 0 || share.window === undefined || now >= share.endsAt || now < this.aloneUntil) return;
    try {
      await this.withTimeout(this.options.ledger.giveBack(share.key, share.window, units));
    } catch (error) {
      this.failed(error);
    }
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    const ms = this.options.timeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the budget ledger did not answer within ${ms} ms`)), ms);
      timer.unref();
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  private failed(error: unknown): void {
    this.aloneUntil = this.now() + (this.options.retryLedgerMs ?? 5000);
    if (this.alone) return;
    this.alone = true;
    this.shares.clear();
    this.options.log.warn(
      { reason: error instanceof Error ? error.message : String(error) },
      'the shared budgets (alerts, logins, API calls) cannot be reached: this node counts them alone until PostgreSQL answers again',
    );
  }

  private answered(): void {
    if (!this.alone) return;
    this.alone = false;
    this.options.log.info({}, 'the shared budgets answer again: counted across nodes');
  }
}

function refused(share: Share | undefined, now: number): Taken {
  return { ok: false, retryAfterMs: Math.max(1, (share?.endsAt ?? now + 1000) - now) };
}
