import { err, ok, type Result } from '../shared/result.js';
import { csvRecords, type CsvRecord } from './csv-records.js';
import { arrayElementLines, badJsonLine } from './json-lines.js';
import { isoOf, parseReplayTime } from './replay-time.js';
import { tradingViewTrades } from './tradingview-trades.js';
import type { ReplayInputError } from './replay-input-error.js';

/** One alert of a history: when it came (the replay's clock then) and its body as TradingView would post it. */
export interface ReplayAlert {
  /** where it is in the file: a CSV record's line, a JSON element's line */
  readonly line: number;
  /** epoch ms */
  readonly at: number;
  readonly time: string;
  readonly message: string;
}

export type AlertHistoryFormat = 'json' | 'csv' | 'tradingview-trades';

export interface AlertHistory {
  readonly format: AlertHistoryFormat;
  /** in time order (alerts at the same time keep the file's order; an exit before an entry) */
  readonly alerts: readonly ReplayAlert[];
}

export interface AlertHistoryOptions {
  /** the ticker written into alerts made from TradingView's list of trades (it carries none) */
  readonly ticker: string;
  /** more alerts than this are refused */
  readonly maxAlerts: number;
}

/** An alert body longer than this is refused (the webhook takes 64 KiB). */
const MAX_MESSAGE = 64 * 1024;

/**
 * Reads an alert history: a JSON array or a CSV (header `time,message`) of alerts, or TradingView's
 * strategy tester "List of trades" CSV export, turned into the alerts a strategy alert would have sent.
 * The first bad line refuses the whole file.
 */
export function parseAlertHistory(text: string, options: AlertHistoryOptions): Result<AlertHistory, ReplayInputError> {
  const trimmed = text.trim();
  if (trimmed === '') return err({ code: 'REPLAY_EMPTY', message: 'the alert history is empty' });
  const parsed = trimmed.startsWith('[') ? jsonAlerts(text) : csvAlerts(text, options);
  if (!parsed.ok) return parsed;
  const { format, alerts } = parsed.value;
  if (alerts.length === 0) return err({ code: 'REPLAY_EMPTY', message: 'the alert history holds no alert' });
  if (alerts.length > options.maxAlerts) return err({ code: 'REPLAY_TOO_LARGE', message: `the alert history holds ${alerts.length} alerts; at most ${options.maxAlerts} are replayed at once` });
  const ordered = alerts.map((alert, index) => ({ alert, index })).sort((a, b) => a.alert.at - b.alert.at || a.index - b.index);
  return ok({ format, alerts: ordered.map((o) => o.alert) });
}

function alertOf(line: number, time: unknown, message: unknown): Result<ReplayAlert, ReplayInputError> {
  const at = parseReplayTime(time);
  if (at === undefined) return err({ code: 'REPLAY_BAD_TIME', line, message: `line ${line}: "time" must be an ISO-8601 time, "YYYY-MM-DD HH:MM[:SS]" (UTC) or epoch seconds / milliseconds` });
  const body = typeof message === 'string' ? message : message !== null && typeof message === 'object' ? JSON.stringify(message) : undefined;
  if (body === undefined || body.trim() === '') return err({ code: 'REPLAY_BAD_ROW', line, message: `line ${line}: "message" must be the alert body (text or a JSON object)` });
  if (body.length > MAX_MESSAGE) return err({ code: 'REPLAY_BAD_ROW', line, message: `line ${line}: the message is longer than 64 KiB (the webhook would refuse it)` });
  return ok({ line, at, time: isoOf(at), message: body });
}

function jsonAlerts(text: string): Result<{ format: AlertHistoryFormat; alerts: ReplayAlert[] }, ReplayInputError> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const line = badJsonLine(text);
    return err({ code: 'REPLAY_BAD_JSON', line, message: `line ${line}: the alert history is not valid JSON` });
  }
  if (!Array.isArray(value)) return err({ code: 'REPLAY_BAD_JSON', line: 1, message: 'line 1: a JSON alert history is an array of {"time", "message"}' });
  const lines = arrayElementLines(text);
  const alerts: ReplayAlert[] = [];
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const line = lines[i] ?? i + 1;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return err({ code: 'REPLAY_BAD_ROW', line, message: `line ${line}: each alert is an object {"time", "message"}` });
    const alert = alertOf(line, (item as Record<string, unknown>).time, (item as Record<string, unknown>).message);
    if (!alert.ok) return alert;
    alerts.push(alert.value);
  }
  return ok({ format: 'json', alerts });
}

const norm = (s: string) => s.trim().toLowerCase();

function csvAlerts(text: string, options: AlertHistoryOptions): Result<{ format: AlertHistoryFormat; alerts: ReplayAlert[] }, ReplayInputError> {
  const records = csvRecords(text);
  if (!records.ok) return records;
  const [header, ...rows] = records.value;
  if (!header) return err({ code: 'REPLAY_EMPTY', message: 'the alert history is empty' });
  const names = header.cells.map(norm);
  if (names.includes('trade #') && names.includes('type')) {
    const alerts = tradingViewTrades(header, rows, options.ticker);
    return alerts.ok ? ok({ format: 'tradingview-trades', alerts: alerts.value }) : alerts;
  }
  const time = names.indexOf('time');
  const message = names.indexOf('message');
  if (time < 0 || message < 0) {
    return err({ code: 'REPLAY_UNKNOWN_FORMAT', line: header.line, message: `line ${header.line}: a CSV alert history needs the columns "time" and "message" (or is TradingView's "List of trades" export)` });
  }
  return collect(rows, (row) => alertOf(row.line, row.cells[time], row.cells[message]));
}

function collect(rows: readonly CsvRecord[], read: (row: CsvRecord) => Result<ReplayAlert, ReplayInputError>): Result<{ format: AlertHistoryFormat; alerts: ReplayAlert[] }, ReplayInputError> {
  const alerts: ReplayAlert[] = [];
  for (const row of rows) {
    const alert = read(row);
    if (!alert.ok) return alert;
    alerts.push(alert.value);
  }
  return ok({ format: 'csv', alerts });
}
