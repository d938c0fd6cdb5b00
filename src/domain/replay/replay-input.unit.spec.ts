import { describe, expect, it } from 'vitest';
import { parseAlertHistory } from './alert-history.js';
import { parseCandleCsv, priceAt } from './candles.js';
import { parseReplayTime } from './replay-time.js';

const options = { ticker: 'BTCUSDT', maxAlerts: 10 };
const body = (action: string) => JSON.stringify({ action, ticker: 'BTCUSDT', quantity: '0.01' });

describe('alert histories', () => {
  it('reads a JSON array, in time order, each alert with its line', () => {
    const text = `[\n {"time": "2024-01-01T02:00:00Z", "message": ${JSON.stringify(body('sell'))}},\n {"time": 1704070800, "message": {"action": "buy"}}\n]`;
    const parsed = parseAlertHistory(text, options);
    expect(parsed).toMatchObject({ ok: true, value: { format: 'json' } });
    if (!parsed.ok) return;
    expect(parsed.value.alerts.map((a) => [a.line, a.time])).toEqual([[3, '2024-01-01T01:00:00.000Z'], [2, '2024-01-01T02:00:00.000Z']]);
    expect(JSON.parse(parsed.value.alerts[0]!.message)).toEqual({ action: 'buy' });
  });

  it('reads a CSV of time,message with quoted JSON bodies spanning lines', () => {
    const text = `time,message\n2024-01-01 00:30,"{""action"":""buy"",\n""ticker"":""BTCUSDT""}"\n2024-01-01T01:00:00+01:00,plain text alert\n`;
    const parsed = parseAlertHistory(text, options);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.alerts.map((a) => [a.line, a.time, a.message])).toEqual([
      [4, '2024-01-01T00:00:00.000Z', 'plain text alert'],
      [2, '2024-01-01T00:30:00.000Z', '{"action":"buy",\n"ticker":"BTCUSDT"}'],
    ]);
  });

  it('turns TradingView\'s list of trades into strategy alerts, an exit before an entry at the same time', () => {
    const text = [
      'Trade #,Type,Signal,Date/Time,Price USDT,Contracts,Profit USDT,Profit %',
      '2,Exit long,Close,2024-01-01 05:00,43000,0.5,10,1',
      '2,Entry long,Long,2024-01-01 03:00,42000,0.5,,',
      '1,Exit long,Close,2024-01-01 03:00,41900,"1,000",5,1',
      '1,Entry long,Long,2024-01-01 01:00,41000,"1,000",,',
    ].join('\r\n');
    const parsed = parseAlertHistory(text, options);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.format).toBe('tradingview-trades');
    expect(parsed.value.alerts.map((a) => JSON.parse(a.message) as Record<string, string>)).toEqual([
      { id: 'tv-trade-1-entry', action: 'buy', ticker: 'BTCUSDT', quantity: '1000', price: '41000', position_size: '1000', market_position: 'long', order_id: 'Long', timenow: '2024-01-01T01:00:00.000Z' },
      { id: 'tv-trade-1-exit', action: 'sell', ticker: 'BTCUSDT', quantity: '1000', price: '41900', position_size: '0', market_position: 'flat', order_id: 'Close', timenow: '2024-01-01T03:00:00.000Z' },
      { id: 'tv-trade-2-entry', action: 'buy', ticker: 'BTCUSDT', quantity: '0.5', price: '42000', position_size: '0.5', market_position: 'long', order_id: 'Long', timenow: '2024-01-01T03:00:00.000Z' },
      { id: 'tv-trade-2-exit', action: 'sell', ticker: 'BTCUSDT', quantity: '0.5', price: '43000', position_size: '0', market_position: 'flat', order_id: 'Close', timenow: '2024-01-01T05:00:00.000Z' },
    ]);
  });

  it.each([
    ['', 'REPLAY_EMPTY', undefined],
    ['[]', 'REPLAY_EMPTY', undefined],
    ['[\n {"time": "2024-01-01T00:00:00Z", "message": "x"},\n {"time": "yesterday", "message": "x"}\n]', 'REPLAY_BAD_TIME', 3],
    ['[\n {"time": "2024-01-01T00:00:00Z"}\n]', 'REPLAY_BAD_ROW', 2],
    ['[\n {"time": "2024-01-01T00:00:00Z", "message": "x"},\n oops\n]', 'REPLAY_BAD_JSON', 3],
    ['[\n {"time": "2024-01-01T00:00:00Z", "message": "x"},\n {"time": "2024-01-01T00:00:00Z", "message": "x",}\n]', 'REPLAY_BAD_JSON', 3],
    ['[\n {"time": "2024-01-01T00:00:00Z", "message": "x"}\n {"time": "2024-01-01T00:00:00Z", "message": "x"}\n]', 'REPLAY_BAD_JSON', 3],
    ['time,message\n2024-01-01T00:00:00Z,"{never closed\n', 'REPLAY_BAD_CSV', 2],
    ['time,message\n2024-01-01T00:00:00Z,ok\n2024-02-31T00:00:00,ok\n', 'REPLAY_BAD_TIME', 3],
    ['when,what\n2024-01-01T00:00:00Z,x\n', 'REPLAY_UNKNOWN_FORMAT', 1],
    ['Trade #,Type,Signal,Date/Time,Price USDT,Contracts\n1,Entry sideways,L,2024-01-01 00:00,1,1\n', 'REPLAY_BAD_TRADE', 2],
    ['Trade #,Type,Signal,Date/Time,Price USDT,Contracts\n1,Entry long,L,2024-01-01 00:00,1,-1\n', 'REPLAY_BAD_TRADE', 2],
  ])('refuses bad input with a stable code and the line: %j', (text, code, line) => {
    const parsed = parseAlertHistory(text, options);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe(code);
    expect(parsed.error.line).toBe(line);
    if (line !== undefined) expect(parsed.error.message).toContain(`line ${line}`);
  });

  it('refuses more alerts than allowed', () => {
    const text = JSON.stringify(Array.from({ length: 11 }, (_, i) => ({ time: 1704067200 + i, message: 'x' })));
    expect(parseAlertHistory(text, options)).toMatchObject({ ok: false, error: { code: 'REPLAY_TOO_LARGE' } });
  });
});

describe('candles', () => {
  const csv = 'timestamp,open,high,low,close,volume\n1704070800000,101,103,100,102,5\n2024-01-01T00:00:00Z,100,102,99,101,5\n';

  it('prices a time with the open of a candle starting then, else the latest close; none before the first', () => {
    const series = parseCandleCsv('BTC/USDT', csv);
    expect(series.ok).toBe(true);
    if (!series.ok) return;
    const at = (iso: string) => priceAt(series.value, Date.parse(iso));
    expect(at('2023-12-31T23:59:59Z')).toBeUndefined();
    expect(at('2024-01-01T00:00:00Z')).toEqual({ price: '100', candleAt: '2024-01-01T00:00:00.000Z' });
    expect(at('2024-01-01T00:30:00Z')).toEqual({ price: '101', candleAt: '2024-01-01T00:00:00.000Z' });
    expect(at('2024-01-01T01:00:00Z')).toEqual({ price: '101', candleAt: '2024-01-01T01:00:00.000Z' });
    expect(at('2024-01-02T00:00:00Z')).toEqual({ price: '102', candleAt: '2024-01-01T01:00:00.000Z' });
  });

  it.each([
    ['time,open,high,low\n', 'REPLAY_UNKNOWN_FORMAT', 1],
    ['time,open,high,low,close\n2024-01-01T00:00:00Z,1,2,0.5,1.5\n2024-01-01T01:00:00Z,1,0.9,0.5,1.5\n', 'REPLAY_BAD_CANDLE', 3],
    ['time,open,high,low,close\n2024-01-01T00:00:00Z,1,2,0.5,abc\n', 'REPLAY_BAD_CANDLE', 2],
    ['time,open,high,low,close\nnot a time,1,2,0.5,1\n', 'REPLAY_BAD_TIME', 2],
    ['time,open,high,low,close\n2024-01-01T00:00:00Z,1,2,0.5,1\n2024-01-01T00:00:00Z,1,2,0.5,1\n', 'REPLAY_BAD_CANDLE', 3],
    ['time,open,high,low,close\n', 'REPLAY_EMPTY', undefined],
  ])('refuses bad candles with a code and the line: %j', (text, code, line) => {
    const parsed = parseCandleCsv('BTC/USDT', text);
    expect(parsed).toMatchObject({ ok: false, error: { code } });
    if (!parsed.ok) expect(parsed.error.line).toBe(line);
  });

  it('reads times as ISO-8601, UTC wall times, dates and epoch seconds or milliseconds', () => {
    expect(parseReplayTime('2024-01-01T01:00:00+01:00')).toBe(Date.UTC(2024, 0, 1));
    expect(parseReplayTime('2024-01-01 00:00')).toBe(Date.UTC(2024, 0, 1));
    expect(parseReplayTime('2024-01-01')).toBe(Date.UTC(2024, 0, 1));
    expect(parseReplayTime('1704067200')).toBe(Date.UTC(2024, 0, 1));
    expect(parseReplayTime(1704067200000)).toBe(Date.UTC(2024, 0, 1));
    expect(parseReplayTime('2024-13-01 00:00')).toBeUndefined();
  });
});
