/**
 * Replay speed (issue 20, ADR-0025): a fixed history of `--alerts` alerts (buy and sell in turn
 * every 30 min) against hourly candles, replayed through the trading engine on a paper account in a
 * store of its own, timed from the parsed input to the report. Not a test.
 *
 *   node --import tsx bench/replay.ts [--alerts=10000] [--store=sqlite|postgres]   (postgres: BENCH_PG_URL)
 */
import { parseArgs } from 'node:util';
import { cpuUsage } from 'node:process';
import { loadConfig } from '../src/bootstrap/config.js';
import { parseAlertHistory } from '../src/domain/replay/alert-history.js';
import { parseCandleCsv } from '../src/domain/replay/candles.js';
import { replaySetup } from '../src/bootstrap/replay/replay-setup.js';
import { runReplay } from '../src/bootstrap/replay/run-replay.js';
import { fixtureAlerts, fixtureCandles } from '../src/bootstrap/replay/test-support/replay-fixture.js';

const { values } = parseArgs({ options: { alerts: { type: 'string', default: '10000' }, store: { type: 'string', default: 'sqlite' } } });
const count = Number(values.alerts);
if (!Number.isInteger(count) || count < 1) throw new Error('--alerts must be a positive integer');
const pgUrl = process.env.BENCH_PG_URL;
if (values.store === 'postgres' && !pgUrl) throw new Error('--store=postgres needs BENCH_PG_URL (a server where the bench may create a database)');

const history = parseAlertHistory(fixtureAlerts(count, { refusals: false }), { ticker: 'BTCUSDT', maxAlerts: 100_000 });
const prices = parseCandleCsv('BTC/USDT', fixtureCandles(Math.ceil(count / 2) + 2));
const setup = replaySetup();
if (!history.ok || !prices.ok || !setup.ok) throw new Error('the bench fixture does not parse');

const started = performance.now();
const cpu = cpuUsage();
const report = await runReplay({
  history: history.value, prices: [prices.value], setup: setup.value, config: loadConfig({}, {}),
  store: values.store === 'postgres' ? { kind: 'postgres', serverUrl: pgUrl! } : { kind: 'sqlite' },
});
const seconds = (performance.now() - started) / 1000;
const used = cpuUsage(cpu);
const result = {
  figure: 'replay_alerts', store: values.store, alerts: report.alerts, accepted: report.accepted, refused: report.refused.length, trades: report.strategies[0]?.metrics.trades ?? 0,
  seconds: Number(seconds.toFixed(2)), alertsPerSecond: Math.round(report.alerts / seconds), cpuSeconds: Number(((used.user + used.system) / 1e6).toFixed(2)),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.stderr.write(`${report.alerts} alerts replayed on ${values.store} in ${result.seconds} s (${result.alertsPerSecond}/s, ${result.cpuSeconds} s CPU)\n`);
