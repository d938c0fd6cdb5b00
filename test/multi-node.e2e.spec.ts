/**
 * Two PATRIOT nodes on one PostgreSQL database (and one shared paper exchange file): 2,000
 * alerts over 50 accounts, each sent to either node at random; the leader is SIGKILLed midway
 * and whatever it did not acknowledge is sent to the survivor. Afterwards: every acknowledged
 * alert is in the log once and processed once, each account's orders reached the exchange in
 * the order of their signals, no clientOrderId reached the exchange twice, stream versions are
 * contiguous, the hash chain verifies, and read models rebuilt from scratch equal the live ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { freshDatabase, testPgUrl } from './support/postgres.js';
import { DEMO_PASSWORD, cleanupTempDirs, makeTempDir, waitUntil } from './support/server.js';
import { configureBackToBack, type Configured } from './support/configure-load.js';
import { seeded } from './support/alert-load.js';
import { expectContiguousVersions, readWholeLog } from './support/log-checks.js';
import { ensureBuilt, hasExited, killAll, killHard, spawnServer, stopGracefully, type Spawned } from './support/processes.js';
import { openPostgresStorage } from '../src/bootstrap/storage.js';
import { webhookSecretKey } from '../src/bootstrap/runtime.js';
import { loadConfig } from '../src/bootstrap/config.js';
import { replayProjections, verifyLog } from '../src/bootstrap/maintenance.js';
import { configureStrategy, openAccount } from '../src/application/commands/configure.js';
import { KeyedMutex } from '../src/application/shared/keyed-mutex.js';
import { systemClock } from '../src/adapters/system/system-clock.js';
import type { RecordedEvent } from '../src/application/ports/event-store.js';

const ALERTS = 2000;
const ACCOUNTS = 50;
const CONCURRENCY = 16;
/** SIGKILL the leader once this many alerts were answered */
const KILL_AFTER = 800;
const TENANT = 'tnt_mn';
/** paper accounts and strategies created through the API during the load, alternating nodes; each one's first alert goes to the other node */
const CONFIGURATIONS = 12;
/**
 * How long a node may take to answer /ready: two nodes start at once, and under CPU stress
 * (stress-ng --cpu 2 on two cores) loading the code and the demo login alone took 13-16 s, so
 * the default 20 s was missed now and then (issue 21). A bound, not a measure.
 */
const START_BUDGET_MS = 90_000;

const accountId = (i: number) => `acc_mn_${i}`;
const strategyId = (i: number) => `strat_mn_${i}`;
const secretOf = (i: number) => `mn-secret-${i}-${'x'.repeat(16)}`;

async function seed(url: string): Promise<void> {
  const storage = await openPostgresStorage(url);
  try {
    const deps = { store: storage.events, mutex: new KeyedMutex(), clock: systemClock };
    for (let i = 0; i < ACCOUNTS; i++) {
      const opened = await openAccount(deps, {
        accountId: accountId(i), tenantId: TENANT, name: `multi-node ${i}`, exchange: 'paper', quoteAsset: 'USDT',
        initialBalances: [{ asset: 'USDT', amount: '100000' }], risk: {},
      }, 'test-seed');
      expect(opened.ok).toBe(true);
      const configured = await configureStrategy(deps, {
        strategyId: strategyId(i), tenantId: TENANT, name: `multi-node ${i}`, symbolMap: {}, risk: {}, maxSignalAgeSeconds: 0,
        accounts: [{ accountId: accountId(i), sizing: { kind: 'signal_quantity', multiplier: '1' }, orderTemplate: { type: 'market' } }],
      }, () => TENANT, 'test-seed');
      expect(configured.ok).toBe(true);
      await storage.kv.set(webhookSecretKey(strategyId(i)), secretOf(i));
    }
  } finally {
    await storage.close();
  }
}

/**
 * Resolves once the stored read-model checkpoint reaches the log's head as of now: some node
 * projects. A lead held while projections are stopped would otherwise go unnoticed (the
 * survivor catches up on takeover, and replay brings the live read models to the head first).
 */
async function readModelsReachHead(url: string, what: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const head = Number((await client.query<{ position: string }>('SELECT position FROM event_head')).rows[0]?.position ?? 0);
    await waitUntil(async () => {
      const r = await client.query<{ position: string }>("SELECT position FROM projection_checkpoint WHERE name = 'read-models'");
      return Number(r.rows[0]?.position ?? 0) >= head;
    }, `${what}: the read models to reach the log's head ${head}`, 60_000, 50);
  } finally {
    await client.end();
  }
}

/** Accounts opened so far (the seeded ones, the demo's, and those configured during the load). */
async function accountsIn(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE type = 'AccountOpened'")).rows[0]!.n);
  } finally {
    await client.end();
  }
}

interface Duties {
  readonly leader: boolean;
  readonly accounts: number;
}

async function dutiesOf(node: Spawned): Promise<Duties> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { leader: value('patriot_node_leader') === 1, accounts: value('patriot_accounts_owned') };
}

type Answer = { ok: true; signalId: string; status: number } | { ok: false; reason: string };

async function send(node: Spawned, i: number): Promise<Answer> {
  const n = i % ACCOUNTS;
  // quantities differ per alert, so every order is recognisable at the exchange
  const body = JSON.stringify({ secret: secretOf(n), id: `mn-${i}`, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: `0.00${100 + (i % 97)}` });
  try {
    const response = await fetch(`${node.url}/webhook/${strategyId(n)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await response.text();
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, signalId: (JSON.parse(text) as { signalId: string }).signalId };
    return { ok: false, reason: `${response.status} ${text}` };
  } catch (error) {
    return { ok: false, reason: String(error) };
  }
}

describe.skipIf(!testPgUrl)('two nodes on one database, one killed with SIGKILL midway', () => {
  let url: string;
  let drop: () => Promise<void>;
  const dataDir = makeTempDir('patriot-multinode-');

  beforeAll(async () => {
    ensureBuilt();
    ({ url, drop } = await freshDatabase('multinode'));
    await seed(url);
  });
  afterAll(async () => {
    await killAll();
    await drop?.();
    cleanupTempDirs();
  });

  // A load test: its length is the machine's speed. What may not take for ever is bounded by the
  // waits inside (start-up, spread, re-sends, takeover, processing); the budget of the whole test
  // covers their sum, like the crash test's, instead of the 30 s default.
  it('processes every acknowledged alert exactly once, keeps each account in signal order, never sends a clientOrderId twice', { timeout: 300_000 }, async () => {
    const env = { DATABASE_URL: url, PATRIOT_DATA_DIR: dataDir, PATRIOT_LEASE_INTERVAL_MS: '500', PATRIOT_FEED_INTERVAL_MS: '100', PATRIOT_DEMO_PASSWORD: DEMO_PASSWORD, PATRIOT_API_WRITE_RATE_PER_MIN: '0' };
    // both start at once on a fresh database: they race to seed the demo as well
    const nodes = await Promise.all([spawnServer({ ...env, PATRIOT_NODE_ID: 'node-a' }, START_BUDGET_MS), spawnServer({ ...env, PATRIOT_NODE_ID: 'node-b' }, START_BUDGET_MS)]);
    const totalAccounts = ACCOUNTS + 1; // and the demo account
    // the accounts spread over both nodes; exactly one leads
    const spread = await waitUntil(async () => {
      const d = await Promise.all(nodes.map(dutiesOf));
      return d[0]!.accounts + d[1]!.accounts === totalAccounts && d[0]!.accounts > 0 && d[1]!.accounts > 0 && d.filter((x) => x.leader).length === 1 ? d : undefined;
    }, 'accounts spread over both nodes', 20_000, 100);
    const victim = nodes[spread[0]!.leader ? 0 : 1]!;
    const survivor = nodes[spread[0]!.leader ? 1 : 0]!;

    const answers = new Map<number, Answer>();
    const rand = seeded(7); // deterministic, so a failing run can be replayed
    const queue = Array.from({ length: ALERTS }, (_, i) => i);
    let answered = 0;
    let kill: Promise<void> | undefined;
    let takeover: Promise<number> | undefined;
    const alive = (node: Spawned) => (hasExited(node) || kill ? survivor : node);
    // configuration while the alerts flow (and while the leader dies): a node must know at once what any node just configured
    const configuring = configureBackToBack(CONFIGURATIONS, 'mn-config', (k) => alive(nodes[k % 2]!), (k) => alive(nodes[(k + 1) % 2]!));
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const target = rand() < 0.5 ? victim : survivor;
          let answer = await send(target, i);
          // not acknowledged (the node died under it): send it again, to the node that is alive
          for (const deadline = Date.now() + 30_000; !answer.ok && Date.now() < deadline; ) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            answer = await send(hasExited(victim) || kill ? survivor : target, i);
          }
          answers.set(i, answer);
          if (++answered === KILL_AFTER) {
            await readModelsReachHead(url, 'before the kill, with the leader alive'); // (the other workers keep sending)
            const killedAt = Date.now();
            kill = killHard(victim);
            // the survivor takes over every account and the lead within seconds of the kill, under load
            takeover = waitUntil(async () => {
              const d = await dutiesOf(survivor);
              return d.leader && d.accounts === (await accountsIn(url)) ? Date.now() - killedAt : undefined;
            }, 'the survivor to take over', 20_000, 25);
          }
        }
      }),
    );
    const configured: Configured[] = await configuring;
    await kill;
    expect(victim.child.signalCode).toBe('SIGKILL');
    const TOTAL = ALERTS + CONFIGURATIONS;
    for (let i = 0; i < ALERTS; i++) expect(answers.get(i)?.ok, `alert ${i}: ${JSON.stringify(answers.get(i))}`).toBe(true);

    const tookOverMs = await takeover!;
    process.stdout.write(`multi-node: the survivor held every account and the lead ${tookOverMs} ms after the SIGKILL\n`);

    // wait until every signal is processed and every order filled, as the log says
    const storage = await openPostgresStorage(url);
    let log: RecordedEvent[] = [];
    try {
      await waitUntil(async () => {
        log = await readWholeLog(storage.events);
        const processed = log.filter((e) => e.type === 'SignalProcessed').length;
        const filled = new Set(log.filter((e) => e.type === 'OrderFilled').map((e) => e.streamId)).size;
        return processed === TOTAL && filled === TOTAL;
      }, 'every signal processed and every order filled', 60_000, 250);
    } finally {
      await storage.close();
    }

    // every acknowledged alert is in the log once, under the id its 2xx named, routed once
    const received = log.filter((e) => e.type === 'SignalReceived');
    expect(received).toHaveLength(TOTAL);
    const receivedIds = new Set(received.map((e) => (e.data as { signalId: string }).signalId));
    for (const [i, a] of answers) if (a.ok) expect(receivedIds.has(a.signalId), `alert ${i}`).toBe(true);
    const processedBySignal = new Map<string, number>();
    for (const e of log.filter((x) => x.type === 'SignalProcessed')) processedBySignal.set(e.streamId, (processedBySignal.get(e.streamId) ?? 0) + 1);
    expect([...processedBySignal.values()].every((n) => n === 1)).toBe(true);
    const approved = log.filter((e) => e.type === 'OrderApproved').map((e) => e.data as { clientOrderId: string; accountId: string; signalId: string });
    expect(approved).toHaveLength(TOTAL);
    for (const c of configured) {
      expect(approved.filter((o) => o.signalId === c.signalId).map((o) => o.accountId), `the first alert of ${c.strategyId}`).toEqual([c.accountId]);
    }
    expect(log.filter((e) => e.type === 'OrderRejected' || e.type === 'OrderExchangeRejected')).toEqual([]);

    // stream versions are contiguous from 1
    expectContiguousVersions(log);

    // per account: signals in log order = approvals in log order = placements at the exchange
    const signalPosition = new Map(received.map((e) => [(e.data as { signalId: string }).signalId, e.globalPosition]));
    const approvedByAccount = new Map<string, typeof approved>();
    for (const o of approved) approvedByAccount.set(o.accountId, [...(approvedByAccount.get(o.accountId) ?? []), o]);
    const exchangeDb = new Database(join(dataDir, 'paper-exchange.db'), { readonly: true, fileMustExist: true });
    try {
      const placed = exchangeDb.prepare('SELECT account_id AS accountId, client_order_id AS clientOrderId FROM paper_orders ORDER BY order_id').all() as { accountId: string; clientOrderId: string }[];
      expect(placed).toHaveLength(TOTAL);
      expect(new Set(placed.map((p) => p.clientOrderId)).size).toBe(TOTAL);
      const attempts = exchangeDb.prepare('SELECT client_order_id AS id, count AS n FROM paper_attempts WHERE count <> 1').all();
      expect(attempts, 'clientOrderIds sent more than once').toEqual([]);
      for (let n = 0; n < ACCOUNTS; n++) {
        const mine = approvedByAccount.get(accountId(n)) ?? [];
        const positions = mine.map((o) => signalPosition.get(o.signalId)!);
        expect(positions, `signals of ${accountId(n)} routed out of order`).toEqual([...positions].sort((a, b) => a - b));
        const atExchange = placed.filter((p) => p.accountId === accountId(n)).map((p) => p.clientOrderId);
        expect(atExchange, `orders of ${accountId(n)} placed out of order`).toEqual(mine.map((o) => o.clientOrderId));
      }
    } finally {
      exchangeDb.close();
    }

    // the chain verifies; with the survivor stopped, read models rebuilt from scratch equal the live ones
    const config = loadConfig({}, { databaseUrl: url, dataDir });
    expect(await verifyLog(config)).toMatchObject({ ok: true });
    await readModelsReachHead(url, 'the survivor leads');
    expect(await stopGracefully(survivor), survivor.output()).toBe(0);
    const replayed = await replayProjections(config);
    expect(replayed.identical, JSON.stringify(replayed)).toBe(true);
  });
});
