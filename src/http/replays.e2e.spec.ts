/**
 * Replays over HTTP against the real server, on SQLite and on PostgreSQL (ADR-0025): a replay
 * leaves the live log's head (position and hash) and the live read models as they were, its report
 * equals the CLI's for the same history, it is kept for the tenant only, and a bad history answers
 * 422 with its code and line and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, demoOf, fetchJson, login, marketAlert, postAlert, quiesce, startTestServer, type TestServer } from '../../test/support/server.js';
import { freshDatabase, testPgUrl } from '../../test/support/postgres.js';
import { registerUser } from '../application/commands/configure.js';
import { KeyedMutex } from '../application/shared/keyed-mutex.js';
import { systemClock } from '../adapters/system/system-clock.js';
import type { ReplayDto } from '../contracts/replay-api.js';
import { loadConfig } from '../bootstrap/config.js';
import { replayFrom } from '../bootstrap/replay/replay-command.js';
import { fixtureAlerts, fixtureCandles } from '../bootstrap/replay/test-support/replay-fixture.js';

const alerts = fixtureAlerts(40);
const prices = fixtureCandles(30);
const LIVE_READS = ['/api/v1/signals?limit=100', '/api/v1/orders?limit=100', '/api/v1/fills?limit=100', '/api/v1/positions', '/api/v1/balances', '/api/v1/strategies', '/api/v1/accounts', '/api/v1/round-trips?to=2100-01-01T00:00:00Z'];

const backends: [string, (() => Promise<{ url?: string; drop?: () => Promise<void> }>)][] = [['SQLite', async () => ({})]];
if (testPgUrl) backends.push(['PostgreSQL', () => freshDatabase('rp')]);

for (const [backend, database] of backends) describe(`replays over HTTP on ${backend}`, () => {
  let server: TestServer;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    server = await startTestServer(db.url !== undefined ? { config: { databaseUrl: db.url } } : {});
    const { runtime } = server;
    runtime.feed.setPrice('BTC/USDT', '97000');
    const res = await postAlert(runtime, marketAlert(demoOf(runtime).secret, { id: 'live-1' }));
    expect(res.status, res.text).toBe(202);
    await quiesce(runtime);
  }, 120_000);
  afterAll(async () => {
    await server.close();
    await drop?.();
    cleanupTempDirs();
  });

  const head = async () => {
    const { events } = server.runtime;
    const position = await events.headPosition();
    const [last] = await events.readAll(position - 1, 1);
    return { position, hash: last?.hash };
  };
  const liveReads = async () => Promise.all(LIVE_READS.map(async (path) => (await fetchJson(server.runtime, path)).text));

  it('replays beside the live data without changing it; the report is the CLI\'s and is kept', async () => {
    const before = { head: await head(), reads: await liveReads() };
    expect(before.head.position).toBeGreaterThan(0);
    const posted = await fetchJson<ReplayDto>(server.runtime, '/api/v1/replays', { json: { alerts, prices, name: 'fixture', ...(backend === 'SQLite' ? {} : { store: 'postgres' }) } });
    expect(posted.status, posted.text).toBe(201);
    await quiesce(server.runtime);
    expect(await head()).toEqual(before.head);
    expect(await liveReads()).toEqual(before.reads);

    const { store: _store, ...report } = posted.body.report;
    const cli = await replayFrom({ alerts, prices: { csv: prices } }, loadConfig({}, {}), { kind: 'sqlite' });
    const { store: _cliStore, ...cliReport } = cli;
    expect(report).toEqual(cliReport);
    expect(posted.body.report.store).toBe(backend === 'SQLite' ? 'sqlite' : 'postgres');

    const list = await fetchJson<{ items: { replayId: string; name: string; trades: number; refused: number }[] }>(server.runtime, '/api/v1/replays');
    expect(list.body.items[0]).toMatchObject({ replayId: posted.body.replayId, name: 'fixture', trades: 20, refused: 5 });
    const one = await fetchJson<ReplayDto>(server.runtime, `/api/v1/replays/${posted.body.replayId}`);
    expect(one.body).toEqual(posted.body);
  });

  it('answers a bad history with its code and line and stores nothing', async () => {
    const before = (await fetchJson(server.runtime, '/api/v1/replays')).text;
    const bad = await fetchJson<{ error: { code: string; line: number } }>(server.runtime, '/api/v1/replays', { json: { alerts: '[\n{"time": "2024-01-01T00:00:00Z", "message": "x"},\n{"time": "soon", "message": "x"}\n]', prices } });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'REPLAY_BAD_TIME', line: 3 });
    const badPrices = await fetchJson<{ error: { code: string; line: number } }>(server.runtime, '/api/v1/replays', { json: { alerts, prices: 'time,open,high,low,close\n2024-01-01T00:00:00Z,1,2,3,1\n' } });
    expect(badPrices.status).toBe(422);
    expect(badPrices.body.error).toMatchObject({ code: 'REPLAY_BAD_CANDLE', line: 2 });
    const unknownField = await fetchJson(server.runtime, '/api/v1/replays', { json: { alerts, prices, extra: 1 } });
    expect(unknownField.status).toBe(400);
    if (backend === 'SQLite') {
      const noPostgres = await fetchJson<{ error: { code: string } }>(server.runtime, '/api/v1/replays', { json: { alerts, prices, store: 'postgres' } });
      expect(noPostgres.status).toBe(422);
      expect(noPostgres.body.error.code).toBe('REPLAY_STORE_UNAVAILABLE');
    }
    expect((await fetchJson(server.runtime, '/api/v1/replays')).text).toEqual(before);
  });

  it('keeps a tenant\'s reports from another tenant', async () => {
    const { runtime } = server;
    await registerUser({ store: runtime.events, mutex: new KeyedMutex(), clock: systemClock }, { userId: 'usr_rp_other', tenantId: 'tnt_rp_other', name: 'Other', role: 'admin' }, 'test');
    await runtime.auth.setLogin('rp-other', { userId: 'usr_rp_other', tenantId: 'tnt_rp_other', role: 'admin' }, 'other-password-123');
    const token = (await login(runtime, 'rp-other', 'other-password-123'))!;
    const mine = await fetchJson<{ items: { replayId: string }[] }>(runtime, '/api/v1/replays');
    const theirs = await fetchJson<{ items: unknown[] }>(runtime, '/api/v1/replays', { token });
    expect(theirs.body.items).toEqual([]);
    const read = await fetchJson<{ error: { code: string } }>(runtime, `/api/v1/replays/${mine.body.items[0]!.replayId}`, { token });
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe('REPLAY_NOT_FOUND');
  });
});
