import { err, ok, type Result } from '../shared/result.js';
import { Dec, ZERO, parseDec, decToString } from '../shared/decimal.js';
import type { CsvRecord } from './csv-records.js';
import { isoOf, parseReplayTime } from './replay-time.js';
import type { ReplayAlert } from './alert-history.js';
import type { ReplayInputError } from './replay-input-error.js';

type TradeType = 'entry long' | 'exit long' | 'entry short' | 'exit short';

/** What TradingView's strategy alert ("Order fills", PATRIOT's strategy message) would have sent for each row. */
const ACTION: Readonly<Record<TradeType, { action: 'buy' | 'sell'; leg: 'entry' | 'exit' }>> = {
  'entry long': { action: 'buy', leg: 'entry' },
  'exit long': { action: 'sell', leg: 'exit' },
  'entry short': { action: 'sell', leg: 'entry' },
  'exit short': { action: 'buy', leg: 'exit' },
};

const column = (names: readonly string[], ...prefixes: string[]): number => names.findIndex((n) => prefixes.some((p) => n === p || n.startsWith(`${p} `)));

/**
 * TradingView's "List of trades" export (columns `Trade #, Type, Signal, Date/Time, Price <quote>,
 * Contracts, Profit <quote>, ...`), one alert per row as PATRIOT's strategy alert message would carry
 * it: the order's action and contracts, the fill price, the position after it and a per-row id. At the
 * same time an exit goes before an entry (a reversal closes first).
 */
export function tradingViewTrades(header: CsvRecord, rows: readonly CsvRecord[], ticker: string): Result<ReplayAlert[], ReplayInputError> {
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const trade = column(names, 'trade #');
  const type = column(names, 'type');
  const signal = column(names, 'signal');
  const time = column(names, 'date/time', 'date and time', 'date');
  const price = column(names, 'price');
  const contracts = column(names, 'contracts', 'quantity', 'size (qty)', 'size');
  const missing = [['Date/Time', time], ['Price', price], ['Contracts', contracts]].filter(([, i]) => i === -1).map(([n]) => n);
  if (missing.length > 0) return err({ code: 'REPLAY_UNKNOWN_FORMAT', line: header.line, message: `line ${header.line}: the list of trades has no ${missing.join(', ')} column` });
  const made: { line: number; at: number; kind: (typeof ACTION)[TradeType]; quantity: Dec; fillPrice: Dec; number: string; signal: string; index: number }[] = [];
  for (const row of rows) {
    const cell = (i: number) => (i >= 0 ? (row.cells[i] ?? '').trim() : '');
    const kind = ACTION[cell(type).toLowerCase() as TradeType];
    if (!kind) return err({ code: 'REPLAY_BAD_TRADE', line: row.line, message: `line ${row.line}: Type must be "Entry long", "Exit long", "Entry short" or "Exit short"` });
    const at = parseReplayTime(cell(time));
    if (at === undefined) return err({ code: 'REPLAY_BAD_TIME', line: row.line, message: `line ${row.line}: Date/Time must be "YYYY-MM-DD HH:MM" (UTC) or an ISO-8601 time` });
    const fillPrice = parseDec(cell(price).replaceAll(',', ''));
    const quantity = parseDec(cell(contracts).replaceAll(',', ''));
    if (!fillPrice || !fillPrice.greaterThan(0)) return err({ code: 'REPLAY_BAD_TRADE', line: row.line, message: `line ${row.line}: Price must be a positive number` });
    if (!quantity || !quantity.greaterThan(0)) return err({ code: 'REPLAY_BAD_TRADE', line: row.line, message: `line ${row.line}: Contracts must be a positive number` });
    const number = cell(trade) || String(row.line);
    made.push({ line: row.line, at, kind, quantity, fillPrice, number, signal: cell(signal), index: made.length });
  }
  made.sort((a, b) => a.at - b.at || Number(b.kind.leg === 'exit') - Number(a.kind.leg === 'exit') || a.index - b.index);
  // the strategy's position after each fill, as {{strategy.position_size}} would say it
  let position = ZERO;
  const alerts = made.map((m): ReplayAlert => {
    position = position.plus(m.kind.action === 'buy' ? m.quantity : m.quantity.negated());
    // an exit closes at most the position it exits (never turns it around)
    if (m.kind.leg === 'exit' && (m.kind.action === 'sell' ? position.lessThan(0) : position.greaterThan(0))) position = ZERO;
    const message = {
      id: `tv-trade-${m.number}-${m.kind.leg}`,
      action: m.kind.action,
      ticker,
      quantity: decToString(m.quantity),
      price: decToString(m.fillPrice),
      position_size: decToString(position),
      market_position: position.isZero() ? 'flat' : position.greaterThan(0) ? 'long' : 'short',
      order_id: m.signal || `${m.kind.leg} ${m.number}`,
      timenow: isoOf(m.at),
    };
    return { line: m.line, at: m.at, time: isoOf(m.at), message: JSON.stringify(message) };
  });
  return ok(alerts);
}
