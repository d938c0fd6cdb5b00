import type { Logger as Pino } from 'pino';
import type { EventStore } from '../../application/ports/event-store.js';
import type { KeyValueStore } from '../../application/ports/key-value.js';
import type { Clock, IdGenerator } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import { KeyedMutex } from '../../application/shared/keyed-mutex.js';
import { RandomIds, systemClock } from '../../adapters/system/system-clock.js';
import { SealedCredentialVault, type Keyring } from '../../adapters/credentials/sealed-vault.js';
import { sealWebhookSecrets, sealingWebhookSecrets } from '../../adapters/credentials/sealed-webhook-secrets.js';
import { SyntheticPriceFeed } from '../../adapters/marketdata/synthetic-price-feed.js';
import { PAPER_MARKETS, PAPER_START_PRICES } from '../../adapters/exchanges/paper/markets.js';
import { openStorage, type Storage } from '../storage.js';
import { openStorageWaiting } from '../wait-for-database.js';
import { checkMasterKey, loadKeyring } from '../master-key.js';
import { secureDataDir } from '../data-permissions.js';
import { asLogger, createLogger } from '../logger.js';
import { PatriotMetrics, timedAppends } from '../metrics.js';
import { StoreHealth } from '../store-health.js';
import type { PatriotConfig } from '../config.js';
import type { StartOptions } from '../runtime.js';

/** What every capability is wired from: logging, metrics, ids, the storage, the master key and what it seals. */
export interface Core {
  readonly config: PatriotConfig;
  readonly clock: Clock;
  readonly logger: Pino;
  readonly log: Logger;
  readonly metrics: PatriotMetrics;
  readonly ids: IdGenerator;
  readonly streamMutex: KeyedMutex;
  readonly storage: Storage;
  /** the port held while waiting for the database, handed over to the real server */
  readonly handOver: (() => Promise<number>) | undefined;
  readonly health: StoreHealth;
  /** the event log, timed and watched (every append reports to the store's health) */
  readonly events: EventStore;
  /** small durable settings; webhook secrets are sealed on their way in */
  readonly kv: KeyValueStore;
  readonly keyring: Keyring;
  readonly vault: SealedCredentialVault;
  readonly feed: SyntheticPriceFeed;
  /** what application commands need */
  readonly commandDeps: { readonly store: EventStore; readonly mutex: KeyedMutex; readonly clock: Clock };
}

/** Opens the storage (waiting for PostgreSQL when it is not up yet), checks the master key and seals what it must. */
export async function openCore(config: PatriotConfig, options: StartOptions): Promise<Core> {
  const clock = options.clock ?? systemClock;
  const logger = createLogger(config.logLevel, options.logDestination);
  const log = asLogger(logger);
  const metrics = new PatriotMetrics();
  const unsecured = secureDataDir(config.dataDir); // 0700, its files 0600
  if (unsecured.length > 0) log.warn({ paths: unsecured }, 'could not make these data files private to this user: fix their owner or mode');
  // PostgreSQL not reachable yet: wait for it (GET /health 200, /ready 503 meanwhile on the port)
  const { storage, handOver } = await openStorageWaiting(config, () => openStorage(config, (e) => log.error({ err: String(e) }, 'event listener failed'), {
    onLogLost: (error) => log.error({ file: error.path, reason: error.message }, 'the event log file was deleted or replaced under the running server: alerts are refused, /ready answers 503'),
  }), log);
  // whether an alert can be recorded now (/ready): every append reports to it, and the store is probed
  const health = new StoreHealth({ probe: () => storage.probe(), log });
  health.start();
  const keyring = loadKeyring(config, (path) => log.warn({ path }, 'generated a master key beside the data; set PATRIOT_MASTER_KEY to keep it elsewhere (required with several nodes)'));
  try {
    await checkMasterKey(storage.kv, keyring);
    await sealWebhookSecrets(storage.kv, keyring); // secrets stored in plain text by an earlier version
  } catch (error) {
    health.stop();
    await storage.close();
    throw error;
  }
  const events = health.watch(timedAppends(storage.events, metrics));
  const kv = sealingWebhookSecrets(storage.kv, keyring);
  const streamMutex = new KeyedMutex();
  return {
    config, clock, logger, log, metrics, ids: new RandomIds(clock), streamMutex, storage, handOver, health, events, kv, keyring,
    vault: new SealedCredentialVault(kv, keyring),
    feed: new SyntheticPriceFeed({ clock, seed: config.feed.seed, markets: PAPER_MARKETS, startPrices: PAPER_START_PRICES, intervalMs: config.feed.intervalMs }),
    commandDeps: { store: events, mutex: streamMutex, clock },
  };
}
