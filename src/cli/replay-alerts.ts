import { parseArgs } from 'node:util';
import type { PatriotConfig } from '../bootstrap/config.js';
import { ReplayRefused, replayFrom, type ReplaySource } from '../bootstrap/replay/replay-command.js';
import { readReplayFiles } from '../bootstrap/replay/replay-files.js';
import { ReplayStoreError } from '../bootstrap/replay/replay-store.js';
import type { ReplayReport } from '../bootstrap/replay/run-replay.js';

export const REPLAY_USAGE = `usage: patriot replay-alerts <alerts file> (--prices <candles.csv> | --exchange <url> [--timeframe 1h])
         [--symbol BTC/USDT] [--ticker BTCUSDT] [--strategy <strategy.json>] [--balance 100000] [--store sqlite|postgres] [--json]`;

/**
 * `patriot replay-alerts`: replays an alert history through the live engine on a paper account in
 * a store of its own (ADR-0025) and prints the report. Exit 0 when it ran, 2 when its input was refused.
 */
export async function replayAlertsCommand(argv: readonly string[], config: PatriotConfig, out: NodeJS.WritableStream, errOut: NodeJS.WritableStream): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv], allowPositionals: true, strict: true,
    options: {
      prices: { type: 'string' }, exchange: { type: 'string' }, timeframe: { type: 'string' }, symbol: { type: 'string' }, ticker: { type: 'string' },
      strategy: { type: 'string' }, balance: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const file = positionals[0];
  if (file === undefined || (values.prices === undefined) === (values.exchange === undefined) || (values.store !== undefined && values.store !== 'sqlite' && values.store !== 'postgres')) {
    errOut.write(`${REPLAY_USAGE}\n`);
    return 2;
  }
  if (values.store === 'postgres' && !config.databaseUrl) {
    errOut.write('replay refused: REPLAY_STORE_UNAVAILABLE: --store postgres needs DATABASE_URL (the replay makes a database of its own on that server)\n');
    return 2;
  }
  // SQLite in a temp directory by default (3x faster here than a database of its own, and no CREATEDB needed)
  const usePostgres = values.store === 'postgres';
  try {
    const files = readReplayFiles(file, values.prices, values.strategy);
    const source: ReplaySource = {
      alerts: files.alerts,
      prices: files.prices !== undefined ? { csv: files.prices } : { exchange: values.exchange!, timeframe: values.timeframe ?? '1h' },
      ...(values.symbol !== undefined ? { symbol: values.symbol } : {}), ...(values.ticker !== undefined ? { ticker: values.ticker } : {}),
      ...(files.strategy ? { strategy: files.strategy } : {}), ...(values.balance !== undefined ? { startingBalance: values.balance } : {}),
    };
    const report = await replayFrom(source, config, usePostgres ? { kind: 'postgres', serverUrl: config.databaseUrl! } : { kind: 'sqlite' });
    out.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return 0;
  } catch (error) {
    if (error instanceof ReplayRefused || error instanceof ReplayStoreError) {
      errOut.write(`replay refused: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

const pad = (cells: readonly string[], widths: readonly number[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [pad(header, widths), ...rows.map((r) => pad(r, widths))].map((l) => `  ${l}\n`).join('');
}

/** The report as text: per strategy and account the metrics, the round trips, the refusals. */
export function formatReport(report: ReplayReport): string {
  const lines: string[] = [];
  lines.push(`Replay of ${report.alerts} alerts (${report.format}) from ${report.from} to ${report.to} on ${report.store}: ${report.accepted} accepted, ${report.refused.length} refusals, ${report.duplicates} duplicates\n`);
  for (const p of report.prices) lines.push(`Prices: ${p.symbol}, ${p.candles} candles from ${p.from} to ${p.to}\n`);
  const metricRows = [
    ...report.strategies.map((s) => [`strategy ${s.strategyId}`, s.metrics] as const),
    ...report.accounts.map((a) => [`account ${a.accountId}`, a.metrics] as const),
  ].map(([who, m]) => [who, m.realizedPnl, m.unrealizedPnl ?? '-', m.fees, String(m.trades), m.winRate ?? '-', m.profitFactor ?? '-', m.maxDrawdown.amount, m.sharpe ?? '-']);
  lines.push('\nPnL after fees (quote asset):\n');
  lines.push(table(['', 'realised', 'unrealised', 'fees', 'trades', 'win rate', 'profit factor', 'max drawdown', 'sharpe'], metricRows));
  lines.push(`\nRound trips (${report.roundTrips.length}):\n`);
  lines.push(table(['opened', 'closed', 'symbol', 'side', 'quantity', 'entry', 'exit', 'fees', 'pnl'], report.roundTrips.map((t) => [t.openedAt, t.closedAt ?? 'open', t.symbol, t.side, t.quantity, t.averageEntryPrice, t.averageExitPrice ?? '-', t.fees, t.pnl])));
  lines.push(`\nRefused (${report.refused.length}):\n`);
  lines.push(table(['line', 'time', 'stage', 'code', 'why'], report.refused.map((r) => [String(r.line), r.time, r.stage, r.code, r.message])));
  return lines.join('');
}
