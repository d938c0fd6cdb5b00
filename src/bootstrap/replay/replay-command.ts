import { parseAlertHistory, type AlertHistory } from '../../domain/replay/alert-history.js';
import { parseCandleCsv, type CandleSeries } from '../../domain/replay/candles.js';
import type { ReplayInputError } from '../../domain/replay/replay-input-error.js';
import type { ReplayStrategyBody, ReplayReportDto } from '../../contracts/replay-api.js';
import type { PatriotConfig } from '../config.js';
import { replaySetup } from './replay-setup.js';
import { runReplay } from './run-replay.js';
import { fetchCandles } from './fetch-candles.js';
import type { ReplayStoreChoice } from './replay-store.js';

/** At most this many alerts are replayed at once (the API, the CLI). */
export const MAX_REPLAY_ALERTS = 100_000;

/** A replay refused before anything ran: bad input, with its code and line. */
export class ReplayRefused extends Error {
  constructor(readonly error: ReplayInputError | { readonly code: string; readonly message: string; readonly line?: number }, readonly file?: string) {
    super(`${error.code}${file !== undefined ? ` in ${file}` : ''}: ${error.message}`);
  }
}

export interface ReplaySource {
  /** the alert history's text */
  readonly alerts: string;
  /** a candle CSV's text, or where to fetch candles through ccxt */
  readonly prices: { readonly csv: string } | { readonly exchange: string; readonly timeframe: string };
  /** the unified symbol the candles are of (default BTC/USDT) */
  readonly symbol?: string;
  /** the ticker of alerts made from a list of trades (default: the symbol without its slash) */
  readonly ticker?: string;
  readonly strategy?: ReplayStrategyBody;
  readonly startingBalance?: string;
}

/** Reads the inputs (refusing bad ones with a code and a line, before any store is made), then replays. */
export async function replayFrom(source: ReplaySource, config: PatriotConfig, store: ReplayStoreChoice): Promise<ReplayReportDto> {
  const symbol = source.symbol ?? 'BTC/USDT';
  const history = readHistory(source.alerts, source.ticker ?? symbol.replace('/', ''));
  const setup = replaySetup(source.strategy, source.startingBalance);
  if (!setup.ok) throw new ReplayRefused(setup.error);
  const prices = 'csv' in source.prices ? readCandles(symbol, source.prices.csv) : await fetched(source.prices.exchange, symbol, source.prices.timeframe, history);
  return runReplay({ history, prices: [prices], setup: setup.value, store, config });
}

function readHistory(text: string, ticker: string): AlertHistory {
  const parsed = parseAlertHistory(text, { ticker, maxAlerts: MAX_REPLAY_ALERTS });
  if (!parsed.ok) throw new ReplayRefused(parsed.error, 'the alert history');
  return parsed.value;
}

function readCandles(symbol: string, csv: string): CandleSeries {
  const parsed = parseCandleCsv(symbol, csv);
  if (!parsed.ok) throw new ReplayRefused(parsed.error, 'the prices');
  return parsed.value;
}

async function fetched(exchange: string, symbol: string, timeframe: string, history: AlertHistory): Promise<CandleSeries> {
  const parsed = await fetchCandles({ baseUrl: exchange, symbol, timeframe, from: history.alerts[0]!.at, to: history.alerts.at(-1)!.at });
  if (!parsed.ok) throw new ReplayRefused(parsed.error, 'the prices');
  return parsed.value;
}

