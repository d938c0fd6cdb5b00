/**
 * Configuration while alerts flow (issue 23): a real `patriot serve` takes alerts flat out from 16
 * senders in this process while accounts and strategies are created back to back through the API.
 * Every new account is usable at once (its strategy is accepted, its first alert trades), and
 * every clientOrderId reaches the paper exchange exactly once — asserted from the exchange's side
 * (its placement attempts), not only from our log. On SQLite and on PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEMO_PASSWORD, cleanupTempDirs, makeTempDir, waitUntil } from './support/server.js';
import { killAll, spawnServer, stopGracefully } from './support/processes.js';
import { fire, is2xx, type Answer } from './support/alert-load.js';
import { configureBackToBack, type Configured } from './support/configure-load.js';
import { readWholeLog } from './support/log-checks.js';
import { freshDatabase, testPgUrl } from './support/postgres.js';
import { loadConfig } from '../src/bootstrap/config.js';
import { openStorage } from '../src/bootstrap/storage.js';
import type { RecordedEvent } from '../src/application/ports/event-store.js';

const CONFIGURATIONS = 16;
const SENDERS = 16;

afterAll(async () => {
  await killAll();
  cleanupTempDirs();
});

async function readLog(env: Record<string, string>, dataDir: string): Promise<RecordedEvent[]> {
  const config = loadConfig({}, { dataDir, ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}) });
  const storage = await openStorage(config, () => undefined);
  try {
    return await readWholeLog(storage.events);
  } finally {
    await storage.close();
  }
}

const finalOrderEvents = new Set(['OrderFilled', 'OrderExchangeRejected', 'OrderCancelled', 'OrderExpired', 'OrderRejected']);

async function configureUnderLoad(env: Record<string, string>): Promise<void> {
  const dataDir = makeTempDir('patriot-config-load-');
  const server = await spawnServer({
    PATRIOT_DATA_DIR: dataDir, PATRIOT_DEMO_PASSWORD: DEMO_PASSWORD, PATRIOT_FEED_INTERVAL_MS: '50',
    PATRIOT_WEBHOOK_RATE_PER_MIN: '0', PATRIOT_API_WRITE_RATE_PER_MIN: '0', PATRIOT_API_TRADING_RATE_PER_MIN: '0', ...env,
  }, 30_000);
  const secret = await waitUntil(() => /"secret":"([^"]+)"/.exec(server.output())?.[1], 'the serve banner');

  // the load: the demo strategy's alerts, flat out, until the configuration is done
  const answers: Answer[] = [];
  let configured = false;
  const load = fire(server.url, secret, Array.from({ length: 100_000 }, (_, i) => i), SENDERS, (_i, a) => answers.push(a), () => configured);

  let created: Configured[];
  try {
    created = await configureBackToBack(CONFIGURATIONS, 'load', () => server, () => server);
  } finally {
    configured = true;
    await load;
  }
  const accepted = answers.filter(is2xx).length;
  expect(accepted, 'alerts accepted while configuring').toBeGreaterThan(0);
  expect(answers.filter((a) => !is2xx(a)), 'every demo alert accepted').toEqual([]);

  // every approved order reaches a final state (market orders on paper fill)
  const log = await waitUntil(async () => {
    const events = await readLog(env, dataDir);
    const approved = new Set(events.filter((e) => e.type === 'OrderApproved').map((e) => String(e.data.clientOrderId)));
    const final = new Set(events.filter((e) => finalOrderEvents.has(e.type) && (e.type !== 'OrderFilled' || e.data.complete === true)).map((e) => String(e.data.clientOrderId)));
    const processed = events.filter((e) => e.type === 'SignalProcessed').length;
    const received = events.filter((e) => e.type === 'SignalReceived').length;
    return processed === received && approved.size > 0 && [...approved].every((id) => final.has(id)) ? events : undefined;
  }, 'every signal routed and every order final', 120_000, 250);
  await stopGracefully(server);

  const approved = log.filter((e) => e.type === 'OrderApproved');
  const decided = approved.length + log.filter((e) => e.type === 'OrderRejected').length; // the demo's risk limits refuse some
  expect(decided, 'one order decision per accepted alert').toBe(accepted + CONFIGURATIONS);
  // each new account traded its first alert
  for (const c of created) {
    const orders = approved.filter((e) => e.metadata.correlationId === c.signalId);
    expect(orders.map((e) => e.data.accountId), `the first alert of ${c.strategyId}`).toEqual([c.accountId]);
  }
  // the exchange's side: one placement attempt per clientOrderId, and an order for every approval
  const exchangeDb = new Database(join(dataDir, 'paper-exchange.db'), { readonly: true, fileMustExist: true });
  try {
    expect(exchangeDb.prepare('SELECT client_order_id AS id, count AS n FROM paper_attempts WHERE count <> 1').all(), 'clientOrderIds sent more than once').toEqual([]);
    const attempted = (exchangeDb.prepare('SELECT count(*) AS n FROM paper_attempts').get() as { n: number }).n;
    expect(attempted).toBe(approved.length);
  } finally {
    exchangeDb.close();
  }
  expect(server.output(), 'no order was handed to the exchange twice').not.toMatch(/clientOrderId as used|rebuilding state from the log/);
}

describe('accounts and strategies created while alerts flow', () => {
  it('on SQLite: every new account is usable at once, every clientOrderId placed once', async () => {
    await configureUnderLoad({});
  }, 240_000);

  it.skipIf(!testPgUrl)('on PostgreSQL: every new account is usable at once, every clientOrderId placed once', async () => {
    const { url, drop } = await freshDatabase('cfgload');
    try {
      await configureUnderLoad({ DATABASE_URL: url });
    } finally {
      await drop();
    }
  }, 240_000);
});
