import { ProjectionRunner } from '../../application/projections/projection-runner.js';
import { ProcessorHost } from '../../application/processors/processor-host.js';
import { registeredProcessors } from '../../application/processors/registry.js';
import { natsSink } from '../../adapters/events/nats-sink.js';
import { PortfolioSnapshotter, projectionPortfolioSource } from '../../application/workflows/portfolio-snapshotter.js';
import { ReadQueries } from '../../application/queries/read-queries.js';
import { AnalyticsQueries } from '../../application/queries/analytics-queries.js';
import { parseDec } from '../../domain/shared/decimal.js';
import { LiveUpdates } from '../../application/live/live-updates.js';
import { LossGuard } from '../../application/workflows/loss-guard.js';
import { setKillSwitch } from '../../application/commands/kill-switch.js';
import type { TradingView } from '../../application/workflows/trading-state.js';
import type { AlertRepeatCounter } from '../../application/ports/alert-repeats.js';
import { liveFeed } from '../account-market-data.js';
import { processorObserver } from '../processor-observer.js';
import type { Core } from './core.js';
import type { Markets } from './markets.js';
import { wireOutbound, type Outbound } from './outbound-webhooks.js';
import { summarySource } from './summary-source.js';

/** What the API reads: the read models, the processors that follow the log, snapshots, queries and live updates. */
export interface ReadSide {
  readonly projections: ProjectionRunner;
  readonly processors: ProcessorHost;
  readonly snapshotter: PortfolioSnapshotter;
  readonly queries: ReadQueries;
  readonly analytics: AnalyticsQueries;
  readonly live: LiveUpdates;
  /** signed outbound webhooks: one runner per endpoint on the leader, and the admins' API */
  readonly outbound: Outbound;
  /** this node took or lost the lead: the read models, the leader's processors and the snapshots run here or stop */
  lead(leading: boolean): Promise<void>;
  stop(): Promise<void>;
}

/** `snapshots`: the leader takes portfolio snapshots (on its timer, and when a fill or observed balances change an account) */
export function wireReadSide(core: Core, markets: Markets, view: TradingView, repeats: AlertRepeatCounter, snapshots: boolean): ReadSide {
  const { events, log, metrics, config } = core;
  const { readModels } = core.storage;
  const projections = new ProjectionRunner(events, readModels, {
    onError: (e) => log.error({ err: String(e) }, 'projection failed'),
    onLag: (lag) => metrics.projectionLag.set(lag),
  });
  const guard = newLossGuard(core, view);
  const snapshotter = new PortfolioSnapshotter({
    source: projectionPortfolioSource(readModels, () => [...new Set(view.current.allAccounts().map((a) => a.tenantId))]),
    mark: (accountId, symbol) => markets.accountPrice(accountId, symbol)?.price, clock: core.clock, store: core.storage.snapshots, logger: log, intervalMs: config.snapshotIntervalMs,
    onSnapshots: (snapshots) => guard.check(snapshots),
  });
  const accountSnapshots = {
    readModelsAt: (position: number) => within(projections.waitFor(position), 10_000, 'the read models are behind; snapshots wait'),
    snapshotAccounts: (accountIds: ReadonlySet<string>) => snapshotter.snapshotAccounts(accountIds),
  };
  // every other reaction to the log: one module and one line in application/processors/registry.ts
  const nats = config.outbound.nats;
  const streamSink = nats ? natsSink({ url: nats.url, stream: nats.stream, subjectPrefix: nats.subjectPrefix }) : undefined;
  const processors = new ProcessorHost(events, registeredProcessors({
    events, readModels, ...(snapshots ? { snapshots: accountSnapshots } : {}), ...(streamSink && nats ? { eventStream: { sink: streamSink, subjectPrefix: nats.subjectPrefix } } : {}),
  }), { observer: processorObserver(log, metrics) });
  const queries = new ReadQueries(readModels, events, (accountId, symbol) => {
    const quote = markets.accountPrice(accountId, symbol);
    return quote ? { price: quote.price, source: quote.source, ageMs: quote.ageMs, stale: quote.ageMs > config.marketData.maxPriceAgeMs } : undefined;
  }, repeats, (tenantId, accountId) => {
    const state = view.current;
    const accounts = accountId !== undefined ? [accountId] : state.allAccounts().filter((a) => a.tenantId === tenantId).map((a) => a.accountId);
    return accounts.filter((id) => state.account(id)?.tenantId === tenantId).flatMap((id) => state.liveOrdersOf(id).map((o) => o.clientOrderId));
  });
  const analytics = new AnalyticsQueries(readModels, (accountId, symbol) => {
    const quote = markets.accountPrice(accountId, symbol);
    return quote ? parseDec(quote.price) : undefined;
  });
  const live = new LiveUpdates({
    events, feed: liveFeed(core.feed, markets.prices), clock: core.clock, waitForProjection: (position) => projections.waitFor(position), heartbeatMs: config.streams.heartbeatMs,
    onError: (e) => log.warn({ err: String(e) }, 'live updates failed'),
  });
  const outbound = wireOutbound(core, summarySource(analytics, queries));
  return {
    projections, processors, snapshotter, queries, analytics, live, outbound,
    lead: async (leading) => {
      if (leading) {
        await projections.start();
        await processors.setLeader(true);
        if (snapshots) snapshotter.start();
        await outbound.webhooks.start();
      } else {
        await outbound.webhooks.stop();
        await snapshotter.stop();
        await processors.setLeader(false);
        await projections.stop();
      }
    },
    stop: async () => {
      live.close();
      await outbound.webhooks.stop();
      await snapshotter.stop();
      await processors.stop();
      await streamSink?.close();
      await projections.stop();
    },
  };
}

/** Rejects when `work` has not settled within `ms` (a processor's pass must not wait forever: it is tried again). */
function within<T>(work: Promise<T>, ms: number, reason: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(reason)), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** The daily loss and drawdown limits of accounts, watched after each round of snapshots (ADR-0019). */
function newLossGuard(core: Core, view: TradingView): LossGuard {
  return new LossGuard({
    snapshots: core.storage.snapshots, logger: core.log,
    account: (accountId) => {
      const config = view.account(accountId);
      return config ? { limits: config.risk, killSwitch: view.current.snapshot(accountId)?.killSwitch ?? false } : undefined;
    },
    engage: async (tenantId, accountId, reason) => {
      const result = await setKillSwitch({ ...core.commandDeps, ids: core.ids, accountsOf: () => [] }, tenantId, { accountId }, true, reason);
      if (!result.ok) core.log.error({ accountId, code: result.error.code }, 'engaging the kill switch for a loss limit failed');
    },
  });
}
