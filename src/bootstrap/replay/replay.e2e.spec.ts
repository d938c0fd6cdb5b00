import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { testPgUrl } from '../../../test/support/postgres.js';
import { loadConfig } from '../config.js';
import { replayFrom, ReplayRefused } from './replay-command.js';
import type { ReplayReport } from './run-replay.js';
import { fixtureAlerts, fixtureCandles } from './test-support/replay-fixture.js';

/** ADR-0025: a fixed alert history replayed through the live engine gives one report, whatever the store. */
const source = { alerts: fixtureAlerts(40), prices: { csv: fixtureCandles(30) } };
const config = loadConfig({}, {});
const withoutStore = ({ store: _store, ...rest }: ReplayReport) => rest;

async function replayDatabases(): Promise<string[]> {
  const client = new pg.Client({ connectionString: testPgUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'patriot_replay_%'");
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

// limit orders rest and fill in seeded partial chunks (the seed includes the client order id)
const limit = { alerts: fixtureAlerts(4, { refusals: false }), prices: { csv: fixtureCandles(4) }, strategy: { orderTemplate: { type: 'limit' as const, offsetBps: '5' } } };

describe('replaying an alert history', () => {
  let sqlite: ReplayReport | undefined;
  let limitReport: ReplayReport | undefined;

  it('reports the trades, PnL after fees and every refusal with its live code', async () => {
    sqlite = await replayFrom(source, config, { kind: 'sqlite' });
    expect(sqlite).toMatchObject({ format: 'json', store: 'sqlite', alerts: 46, accepted: 41, duplicates: 1 });
    expect(sqlite.roundTrips).toHaveLength(20);
    expect(sqlite.roundTrips[0]).toMatchObject({ symbol: 'BTC/USDT', side: 'long', status: 'closed', quantity: '0.01', openedAt: '2024-01-01T00:30:00.000Z', closedAt: '2024-01-01T01:00:00.000Z' });
    // bought at the 00:00 candle's close (42021.01) plus 5 bps of slippage; sold at the 01:00 candle's open less 5 bps
    expect(sqlite.roundTrips[0]!.averageEntryPrice).toBe('42042.02');
    const strategy = sqlite.strategies[0]!;
    expect(strategy.strategyId).toBe('strat_replay');
    expect(strategy.metrics).toMatchObject({ trades: 20, wins: 0, losses: 20, realizedPnl: '-38.7341462', fees: '25.8207462' });
    expect(sqlite.accounts[0]).toMatchObject({ accountId: 'acc_replay_paper', startingBalance: '100000', metrics: { realizedPnl: '-38.7341462' } });
    expect(sqlite.refused.map((r) => [r.stage, r.code])).toEqual([
      ['prices', 'NO_PRICE_AT_TIME'],
      ['ingest', 'UNKNOWN_SYMBOL'],
      ['exchange', 'INSUFFICIENT_BALANCE'],
      ['ingest', 'MISSING_ACTION'],
      ['ingest', 'STALE_SIGNAL'],
    ]);
    // the secret the history carried never reaches the report
    expect(JSON.stringify(sqlite)).not.toContain('the-live-secret-is-replaced');
  });

  it('gives the same report when run again', async () => {
    expect(sqlite).toBeDefined();
    expect(await replayFrom(source, config, { kind: 'sqlite' })).toEqual(sqlite);
  });

  it('plays the candles between alerts to orders resting on the paper exchange', async () => {
    // a buy limit 5 bps under the 00:00 candle's close (42021.01): not reached at 00:30, reached by the 01:00 candle's low (41996)
    const report = await replayFrom(limit, config, { kind: 'sqlite' });
    limitReport = report;
    expect(report.roundTrips[0]).toMatchObject({ openedAt: '2024-01-01T01:00:00.000Z', side: 'long' });
    expect(Number(report.roundTrips[0]!.averageEntryPrice)).toBeLessThanOrEqual(42000.01);
    expect(await replayFrom(limit, config, { kind: 'sqlite' })).toEqual(report);
  });

  it.skipIf(!testPgUrl)('gives the same report on PostgreSQL, in a database of its own that is dropped afterwards', async () => {
    expect(sqlite).toBeDefined();
    const before = await replayDatabases();
    const postgres = await replayFrom(source, { ...config, databaseUrl: testPgUrl! }, { kind: 'postgres', serverUrl: testPgUrl! });
    expect(postgres.store).toBe('postgres');
    expect(withoutStore(postgres)).toEqual(withoutStore(sqlite!));
    expect(limitReport).toBeDefined();
    expect(withoutStore(await replayFrom(limit, { ...config, databaseUrl: testPgUrl! }, { kind: 'postgres', serverUrl: testPgUrl! }))).toEqual(withoutStore(limitReport!));
    expect(await replayDatabases()).toEqual(before);
  });

  it('refuses a bad history before making any store, naming the line', async () => {
    const bad = { ...source, alerts: 'time,message\n2024-01-01T00:00:00Z,ok\nnot a time,ok\n' };
    const refused = await replayFrom(bad, config, { kind: 'sqlite' }).then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(ReplayRefused);
    expect((refused as ReplayRefused).error).toMatchObject({ code: 'REPLAY_BAD_TIME', line: 3 });
  });
});
