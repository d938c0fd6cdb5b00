import { LeaseKeeper } from '../../application/workflows/lease-keeper.js';
import type { TradingView } from '../../application/workflows/trading-state.js';
import type { Core } from './core.js';
import type { Markets } from './markets.js';
import type { Trading } from './trading.js';
import type { ReadSide } from './read-side.js';

/**
 * Where duties run (ADR-0006, ADR-0017): the leader routes, projects, runs the leader's
 * processors and takes snapshots; each account's orders, exchange client and account-owner
 * processors run on the node owning it.
 */
export function wireDuties(core: Core, markets: Markets, trading: Trading, readSide: ReadSide, view: TradingView, leaderServices: readonly { start(): Promise<void>; stop(): Promise<void> }[] = []): LeaseKeeper {
  const { log } = core;
  const { exchanges } = markets;
  const { processor, executor } = trading;
  const keeper = new LeaseKeeper({
    leases: core.storage.leases, log, nodeId: core.config.nodeId,
    accounts: () => view.current.allAccounts().map((a) => a.accountId),
    onLeadership: async (leading) => {
      if (leading) {
        await readSide.lead(true);
        await processor.setRouting(true);
        for (const service of leaderServices) await service.start(); // Telegram's bots: one poller per bot, on the leader
      } else {
        for (const service of leaderServices) await service.stop();
        await processor.setRouting(false);
        await readSide.lead(false);
      }
    },
    onAccountTaken: async (accountId) => {
      executor.accountTaken(accountId);
      exchanges.taken(view.account(accountId));
      await processor.takeAccount(accountId);
      // its account-owner processors resume from the account's checkpoints (not awaited: a long catch-up must not hold the lease round)
      void readSide.processors.accountTaken(accountId).catch((error: unknown) => log.warn({ accountId, reason: String(error) }, 'starting the account\'s processors failed'));
      // once its live orders are looked up, compare the account with its exchange (not awaited: slow exchanges must not hold the lease round)
      trading.reconcileWhenIdle(accountId, 'takeover');
      // a takeover from another node is recorded to be told (issue 19); not awaited, never in the way of trading
      void trading.health.accountTaken(accountId).catch((error: unknown) => log.warn({ accountId, reason: String(error) }, 'recording the account\'s new owner failed'));
    },
    onAccountDropped: (accountId) => {
      processor.dropAccount(accountId);
      executor.accountDropped(accountId);
      trading.health.accountDropped(accountId);
      trading.triggers.dropAccount(accountId); // the new owner arms its orders from the log
      void exchanges.dropped(accountId).catch((error: unknown) => log.warn({ accountId, reason: String(error) }, 'stopping the account\'s exchange client failed'));
      void readSide.processors.accountDropped(accountId).catch((error: unknown) => log.warn({ accountId, reason: String(error) }, 'stopping the account\'s processors failed'));
    },
    accountIdle: (accountId) => executor.accountIdle(accountId),
    intervalMs: core.config.leaseIntervalMs,
  });
  trading.onAccountOpened(() => keeper.nudge());
  core.metrics.trackDuties(keeper);
  core.metrics.trackOrders(() => view.current.liveOrderCounts());
  return keeper;
}
