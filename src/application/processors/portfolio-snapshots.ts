import type { CheckpointStore } from '../ports/event-store.js';
import type { Processor } from './processor.js';
import { batchReactor } from './reactor.js';

/** What the snapshot processor needs: the read models' progress and a snapshot of some accounts now. */
export interface AccountSnapshots {
  /** resolves once the read models include the event at `position` (rejects when they do not in time) */
  readModelsAt(position: number): Promise<void>;
  /** values these accounts now, at their own exchange's marks; resolves to the snapshots written */
  snapshotAccounts(accountIds: ReadonlySet<string>): Promise<number>;
}

export const PORTFOLIO_SNAPSHOTS = 'portfolio-snapshots';

/**
 * Values an account again as soon as a fill or its exchange's balances change it, instead of at
 * the next tick of the leader's timer (which still revalues every account at its marks, as prices
 * move without events). One snapshot per account touched by a batch, after the read models have
 * caught up with it. A snapshot is stored under its grid time (the last written wins), so a batch
 * done again after a crash writes the same keys: idempotent, as a reactor's effects must be.
 */
export const portfolioSnapshots = (events: CheckpointStore, snapshots: AccountSnapshots): Processor<'OrderFilled' | 'AccountBalancesObserved'> =>
  batchReactor(events, {
    id: PORTFOLIO_SNAPSHOTS,
    handles: ['OrderFilled', 'AccountBalancesObserved'],
    runsOn: 'leader',
    async reactToBatch(batch, range) {
      const accounts = new Set(batch.map((e) => e.data.accountId));
      if (accounts.size === 0) return;
      await snapshots.readModelsAt(range.to);
      await snapshots.snapshotAccounts(accounts);
    },
  });
