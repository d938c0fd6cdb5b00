/**
 * `patriot replay-alerts` (ADR-0025): the report as text and JSON from files; TradingView's list of
 * trades replayed end to end; candles fetched through ccxt fetchOHLCV from the sandbox; bad input
 * exits 2 with its code and line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../bootstrap/config.js';
import type { ReplayReport } from '../bootstrap/replay/run-replay.js';
import { fixtureAlerts, fixtureCandles } from '../bootstrap/replay/test-support/replay-fixture.js';
import { startSandbox } from '../adapters/exchanges/sandbox/test-support/sandbox-fixture.js';
import { replayAlertsCommand } from './replay-alerts.js';

const dir = mkdtempSync(join(tmpdir(), 'patriot-replay-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new Capture();
  const err = new Capture();
  const code = await replayAlertsCommand(args, loadConfig({}, {}), out, err);
  return { code, out: out.text, err: err.text };
}

describe('patriot replay-alerts', () => {
  const alerts = file('alerts.json', fixtureAlerts(12));
  const prices = file('prices.csv', fixtureCandles(10));

  it('prints the report, and the same as JSON with --json', async () => {
    const text = await run(alerts, '--prices', prices);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain('Replay of 18 alerts (json)');
    expect(text.out).toMatch(/strategy strat_replay\s+-?\d/);
    expect(text.out).toContain('UNKNOWN_SYMBOL');
    const json = await run(alerts, '--prices', prices, '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out) as ReplayReport;
    expect(report).toMatchObject({ alerts: 18, store: 'sqlite' });
    expect(report.roundTrips.length).toBeGreaterThan(0);
    expect(text.out).toContain(`${report.strategies[0]!.metrics.realizedPnl}`);
  });

  it('replays TradingView\'s list of trades, sized by the strategy file', async () => {
    const trades = file('trades.csv', [
      'Trade #,Type,Signal,Date/Time,Price USDT,Contracts,Profit USDT',
      '2,Exit long,Close,2024-01-01 06:00,0,0.02,0',
      '2,Entry long,Long,2024-01-01 04:00,0,0.02,0',
      '1,Exit long,Close,2024-01-01 03:00,0,0.01,0',
      '1,Entry long,Long,2024-01-01 01:00,0,0.01,0',
    ].join('\n').replaceAll(',0,', ',42000,'));
    const strategy = file('strategy.json', JSON.stringify({ name: 'TV strategy', sizing: { kind: 'target_position', multiplier: '2' } }));
    const result = await run(trades, '--prices', prices, '--strategy', strategy, '--json');
    expect(result.code, result.err).toBe(0);
    const report = JSON.parse(result.out) as ReplayReport;
    expect(report.format).toBe('tradingview-trades');
    expect(report.refused).toEqual([]);
    // sized by the strategy (twice the list's position), each trade one round trip
    expect(report.roundTrips.map((t) => [t.openedAt, t.closedAt, t.status, t.quantity])).toEqual([
      ['2024-01-01T01:00:00.000Z', '2024-01-01T03:00:00.000Z', 'closed', '0.02'],
      ['2024-01-01T04:00:00.000Z', '2024-01-01T06:00:00.000Z', 'closed', '0.04'],
    ]);
  });

  it('fetches the candles through ccxt fetchOHLCV from the sandbox', async () => {
    const { sandbox } = await startSandbox();
    try {
      const base = sandbox.ccxtUrls().public.replace(/\/api\/v3$/, '');
      const result = await run(alerts, '--exchange', base, '--timeframe', '1h', '--json');
      expect(result.code, result.err).toBe(0);
      const report = JSON.parse(result.out) as ReplayReport;
      expect(report.prices[0]).toMatchObject({ symbol: 'BTC/USDT' });
      expect(report.prices[0]!.candles).toBeGreaterThanOrEqual(7);
      expect(report.roundTrips.length).toBeGreaterThan(0);
    } finally {
      await sandbox.close();
    }
  });

  it.each([
    [['missing.json', '--prices', 'x.csv'], 'REPLAY_FILE_UNREADABLE'],
    [['bad-alerts', '--prices', 'prices'], 'REPLAY_BAD_TIME in the alert history: line 3'],
    [['alerts', '--prices', 'bad-prices'], 'REPLAY_BAD_CANDLE in the prices: line 2'],
    [['alerts', '--prices', 'prices', '--strategy', 'bad-strategy'], 'REPLAY_BAD_STRATEGY'],
  ])('refuses bad input with exit code 2: %j', async (args, message) => {
    const paths: Record<string, string> = {
      alerts, prices,
      'bad-alerts': file('bad-alerts.csv', 'time,message\n2024-01-01T00:00:00Z,x\nlater,x\n'),
      'bad-prices': file('bad-prices.csv', 'time,open,high,low,close\n2024-01-01T00:00:00Z,1,0.5,0.4,1\n'),
      'bad-strategy': file('bad-strategy.json', JSON.stringify({ sizing: { kind: 'quote_amount', amount: '-1' } })),
    };
    const result = await run(...args.map((a) => (a.startsWith('--') ? a : paths[a] ?? join(dir, a))));
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.out).toBe('');
  });

  it('prints its usage without an alert file or with both price sources', async () => {
    expect((await run()).code).toBe(2);
    expect((await run(alerts, '--prices', prices, '--exchange', 'http://127.0.0.1:1')).err).toContain('usage: patriot replay-alerts');
  });
});
