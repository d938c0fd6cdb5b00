import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../application/ports/clock.js';
import { TradingView } from '../../application/workflows/trading-state.js';
import { configureStrategy, openAccount } from '../../application/commands/configure.js';
import { webhookSecretKey } from '../../application/commands/strategies.js';
import { ingestAlert, type AlertRequest, type IngestOutcome } from '../../application/ingest/ingest-alert.js';
import type { AccountConfig } from '../../domain/accounts/account.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import { loadConfig, type PatriotConfig } from '../config.js';
import type { StartOptions } from '../runtime.js';
import { openCore, type Core } from '../wiring/core.js';
import { wireMarkets, type Markets } from '../wiring/markets.js';
import { wireTrading, type Trading } from '../wiring/trading.js';
import { wireAlerts, type Alerts } from '../wiring/alerts.js';
import { wireReadSide, type ReadSide } from '../wiring/read-side.js';
import { wireDuties } from '../wiring/duties.js';
import type { LeaseKeeper } from '../../application/workflows/lease-keeper.js';
import { followAccounts } from '../wiring/prices-in-use.js';
import { settleAll } from '../wiring/settle.js';
import type { ReplayStore } from './replay-store.js';
import type { ProcessorRunner } from '../../application/processors/processor-runner.js';
import { SequentialIds } from './sequential-ids.js';
import { replaySettings } from './replay-settings.js';

/** The replay's clock: the time of the alert (or candle) being replayed, set by the replay. */
export class ReplayClock implements Clock {
  private at: number;
  constructor(start: number) {
    this.at = start;
  }
  now(): number {
    return this.at;
  }
  /** moves to `at` (never back: the log's times only go forward) */
  set(at: number): void {
    if (at > this.at) this.at = at;
  }
}

/** What the live server uses for trading, wired the same way (runtime.ts), on a paper account in the replay's own store. */
export interface ReplayRuntime {
  readonly core: Core;
  readonly view: TradingView;
  readonly markets: Markets;
  readonly trading: Trading;
  readonly alerts: Alerts;
  readonly readSide: ReadSide;
  readonly clock: ReplayClock;
  ingest(request: AlertRequest): Promise<IngestOutcome>;
  /** until a whole round changes nothing: routing, the exchange, the executor and the reactors (bracket orders); the read models follow every few thousand events */
  settle(): Promise<void>;
  /** after the last alert: the read models (and the processors that only write documents) catch up with the log, then everything settles (runtime.ts's settle) */
  finish(): Promise<void>;
  close(): Promise<void>;
}

/** The live configuration's trading settings (fees, slippage, price age) in the replay's store, with nothing that reaches out (the defaults: no NATS, no exchange URLs, no credentials file; no demo). */
export function replayConfig(live: PatriotConfig, store: ReplayStore): PatriotConfig {
  const base = loadConfig({}, {});
  return {
    ...base,
    host: '127.0.0.1', port: 0, dataDir: store.dataDir, ...(store.databaseUrl !== undefined ? { databaseUrl: store.databaseUrl } : {}),
    masterKey: randomBytes(32).toString('hex'), logLevel: 'silent', demo: false, nodeId: 'replay',
    feed: live.feed, paper: live.paper,
    // the price set at an alert's time is the one it is decided on: nothing to wait for
    marketData: { ...live.marketData, priceWaitMs: 0 },
    orderRetryWithinMs: live.orderRetryWithinMs,
  };
}

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/**
 * Opens the trading engine as startPatriot wires it (core, markets, trading, alerts, read side,
 * duties) without the HTTP server, Telegram or the feed's timer, seeds the paper accounts and the
 * strategy, and waits until this node leads and owns the accounts.
 */
export async function openReplayRuntime(config: PatriotConfig, start: number, setup: { strategy: StrategyConfig; accounts: readonly AccountConfig[] }): Promise<ReplayRuntime> {
  const clock = new ReplayClock(start);
  const options: StartOptions = { clock, manualFeed: true, snapshots: false, logDestination: discard() };
  // ids from a counter, not randomness: client order ids (and the paper exchange's partial fills seeded by them) repeat run after run
  const opened = await openCore(config, options);
  // webhook secrets and signing keys kept once read (replay-settings.ts): the store has no other writer
  // the log itself, not wrapped in the append-latency histogram and the /ready health watch: the
  // replay has no /metrics or /ready, and the wrappers cost two async frames and a timer an append
  opened.health.stop();
  const events = opened.storage.events;
  const core: Core = { ...opened, ids: new SequentialIds(clock), kv: replaySettings(opened.kv), events, commandDeps: { ...opened.commandDeps, store: events } };
  const view = new TradingView();
  const markets = wireMarkets(core, view);
  const trading = wireTrading(core, markets, view, options);
  const alerts = wireAlerts(core, trading.processor);
  const readSide = wireReadSide(core, markets, view, alerts.repeats, false);
  let stopFollowing = (): void => undefined;
  let keeper: LeaseKeeper | undefined;
  let derived: ReadModelsPaused;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    stopFollowing();
    core.health.stop();
    readSide.live.close();
    await keeper?.stop();
    await trading.stop();
    await readSide.stop();
    markets.marketLists.close();
    await markets.prices.close();
    await markets.exchanges.close();
    await core.storage.close();
  };
  try {
    await trading.processor.catchUp();
    for (const account of setup.accounts) {
      const opened = await openAccount(core.commandDeps, account, 'replay');
      if (!opened.ok) throw new Error(`opening the replay's account failed: ${opened.error.message}`);
    }
    await trading.processor.catchUp();
    await core.kv.set(webhookSecretKey(setup.strategy.strategyId), randomBytes(24).toString('base64url'));
    const configured = await configureStrategy(core.commandDeps, setup.strategy, (id) => trading.processor.state.account(id)?.tenantId, 'replay');
    if (!configured.ok) throw new Error(`configuring the replay's strategy failed: ${configured.error.message}`);
    await trading.processor.catchUp();
    stopFollowing = await followAccounts(core, markets, view);
    await trading.processor.run();
    const duties = wireDuties(core, markets, trading, readSide, view);
    keeper = duties;
    await readSide.processors.start();
    await duties.start();
    for (let round = 0; !(duties.isLeader && setup.accounts.every((a) => view.ownsAccount(a.accountId))); round++) {
      if (round > 200) throw new Error('the replay node did not take its accounts');
      duties.nudge();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // the lease round that made this node the leader may still be taking up its duties (isLeader is set first): let it finish
    await duties.round();
    derived = await pauseReadModels(readSide);
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  const settle = async (): Promise<void> => {
    await settleAll(core, markets, trading, readSide, { readModels: false });
    await derived.keepUp(await core.events.headPosition(), READ_MODELS_EVERY);
  };
  const finish = async (): Promise<void> => {
    await settleAll(core, markets, trading, readSide, { readModels: false });
    await derived.keepUp(await core.events.headPosition(), 0);
    await derived.resume();
    await settleAll(core, markets, trading, readSide);
  };
  return {
    core, view, markets, trading, alerts, readSide, clock, settle, finish, close,
    ingest: (request) => ingestAlert(alerts.ingestDeps, request),
  };
}

/**
 * The read models are brought up to date once this many events were appended since they last
 * were: in batches of thousands instead of after every alert, and while those events are still
 * among the log's recent ones in memory (the SQLite store keeps 5,000 to 10,000), not read back.
 */
const READ_MODELS_EVERY = 2_000;

/**
 * Stops the read models' projection and the processors that only write read-model documents
 * (rebuiltWithReadModels) from following the log while the alerts are replayed: nothing the engine
 * decides reads them, and the report reads them only at the end. `keepUp` has them process what
 * was appended since they last did, when it is at least `every` events; `resume` starts them
 * again (they take up their stored checkpoints). The documents are those projecting after every
 * alert gives: a projection is a fold of the log, whatever its batches.
 */
interface ReadModelsPaused {
  keepUp(head: number, every: number): Promise<void>;
  resume(): Promise<void>;
}

async function pauseReadModels(readSide: ReadSide): Promise<ReadModelsPaused> {
  const documents = readSide.processors.processors.filter((p) => p.rebuiltWithReadModels === true && p.runsOn !== 'account-owner').map((p) => readSide.processors.runner(p.id)).filter((r) => r !== undefined);
  const paused: ProcessorRunner[] = [readSide.projections, ...documents];
  for (const runner of paused) await runner.stop();
  return {
    keepUp: async (head, every) => {
      for (const runner of paused) {
        if (head - runner.checkpoint < Math.max(1, every)) continue;
        // a stopped runner's pass reads one batch: as many as it takes (each moves the checkpoint on)
        for (let before = -1; runner.checkpoint < head && runner.checkpoint !== before; ) {
          before = runner.checkpoint;
          await runner.catchUp();
        }
      }
    },
    resume: async () => {
      for (const runner of paused) await runner.start();
    },
  };
}

