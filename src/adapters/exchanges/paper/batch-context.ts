import { Dec, ZERO, decToString } from '../../../domain/shared/decimal.js';
import type { PaperStatements } from './schema.js';

interface BalanceEntry {
  readonly accountId: string;
  readonly asset: string;
  total: Dec;
  locked: Dec;
  dirty: boolean;
}

type CounterName = 'order' | 'trade';

export interface BatchSnapshot {
  readonly balances: Map<string, BalanceEntry>;
  readonly counters: Record<CounterName, number> | undefined;
  readonly countersDirty: boolean;
}

/**
 * Write-behind cache for ONE group-commit transaction: balances and id counters are read from
 * the database on first use, changed in memory, and written back by `flush()` before the
 * transaction commits (one write per touched row instead of one per fill). It never outlives
 * its transaction, so the database stays the single source of truth.
 */
export class BatchContext {
  private balances = new Map<string, BalanceEntry>();
  private counters: Record<CounterName, number> | undefined;
  private countersDirty = false;

  constructor(
    private readonly sql: PaperStatements,
    /** ISO time of this batch (one clock reading per transaction). */
    readonly time: string,
  ) {}

  nextId(name: CounterName): number {
    if (!this.counters) {
      const loaded: Record<CounterName, number> = { order: 0, trade: 0 };
      for (const row of this.sql.allCounters.all()) {
        if (row.name === 'order' || row.name === 'trade') loaded[row.name] = row.value;
      }
      this.counters = loaded;
    }
    this.counters[name] += 1;
    this.countersDirty = true;
    return this.counters[name];
  }

  balance(accountId: string, asset: string): { readonly total: Dec; readonly locked: Dec } {
    return this.entry(accountId, asset);
  }

  available(accountId: string, asset: string): Dec {
    const e = this.entry(accountId, asset);
    return e.total.minus(e.locked);
  }

  /** Adds deltas to total and locked; throws if total < 0, locked < 0 or locked > total. */
  adjust(accountId: string, asset: string, totalDelta: Dec, lockedDelta: Dec): void {
    const e = this.entry(accountId, asset);
    const total = e.total.plus(totalDelta);
    const locked = e.locked.plus(lockedDelta);
    if (total.isNegative() || locked.isNegative() || locked.greaterThan(total)) {
      throw new Error(`balance invariant broken for ${accountId} ${asset}: total ${decToString(total)} locked ${decToString(locked)}`);
    }
    e.total = total;
    e.locked = locked;
    e.dirty = true;
  }

  /** Writes every changed balance and counter to the database (inside the open transaction). */
  flush(): void {
    for (const e of this.balances.values()) {
      if (!e.dirty) continue;
      this.sql.upsertBalance.run(e.accountId, e.asset, decToString(e.total), decToString(e.locked));
      e.dirty = false;
    }
    if (this.counters && this.countersDirty) {
      for (const name of ['order', 'trade'] as const) this.sql.setCounter.run(this.counters[name], name);
      this.countersDirty = false;
    }
  }

  snapshot(): BatchSnapshot {
    const balances = new Map<string, BalanceEntry>();
    for (const [k, e] of this.balances) balances.set(k, { ...e });
    return { balances, counters: this.counters ? { ...this.counters } : undefined, countersDirty: this.countersDirty };
  }

  restore(snapshot: BatchSnapshot): void {
    this.balances = snapshot.balances;
    this.counters = snapshot.counters;
    this.countersDirty = snapshot.countersDirty;
  }

  private entry(accountId: string, asset: string): BalanceEntry {
    const key = `${accountId}\u0000${asset}`;
    let e = this.balances.get(key);
    if (!e) {
      const row = this.sql.getBalance.get(accountId, asset);
      e = { accountId, asset, total: row ? new Dec(row.total) : ZERO, locked: row ? new Dec(row.locked) : ZERO, dirty: false };
      this.balances.set(key, e);
    }
    return e;
  }
}
