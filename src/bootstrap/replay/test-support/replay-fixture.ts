/**
 * A fixed alert history and its candles (deterministic: no randomness), for the replay's specs and
 * bench: hourly BTC/USDT candles, and alerts that buy and sell in turn, with a few that live trading
 * would refuse (an unknown ticker, a buy the balance cannot pay, one before the first candle, a
 * repeat, a malformed body, a sell over the risk limit).
 */
const HOUR = 3_600_000;
export const FIXTURE_START = Date.UTC(2024, 0, 1);

const iso = (at: number) => new Date(at).toISOString();

/** Candles every hour from FIXTURE_START: a wave with a drift, as CSV (time,open,high,low,close,volume). */
export function fixtureCandles(hours: number): string {
  const lines = ['time,open,high,low,close,volume'];
  let price = 42_000;
  for (let h = 0; h < hours; h++) {
    const open = price;
    const close = Math.round((open * (1 + 0.004 * Math.sin(h / 5) + 0.0005 * Math.cos(h / 3))) * 100) / 100;
    const high = Math.max(open, close) + 25;
    const low = Math.min(open, close) - 25;
    lines.push(`${iso(FIXTURE_START + h * HOUR)},${open.toFixed(2)},${high.toFixed(2)},${low.toFixed(2)},${close.toFixed(2)},${(10 + (h % 7)).toFixed(1)}`);
    price = close;
  }
  return `${lines.join('\n')}\n`;
}

const message = (fields: Record<string, string>) => JSON.stringify({ secret: 'the-live-secret-is-replaced', ...fields });

/** `count` alerts, every 30 min from 30 min after FIXTURE_START, as a JSON array of {time, message}. */
export function fixtureAlerts(count: number, options: { refusals?: boolean } = {}): string {
  const alerts: { time: string; message: string }[] = [];
  for (let i = 0; i < count; i++) {
    const at = FIXTURE_START + HOUR / 2 + i * (HOUR / 2);
    const time = iso(at);
    const action = i % 2 === 0 ? 'buy' : 'sell';
    alerts.push({ time, message: message({ id: `alert-${i}`, action, ticker: 'BINANCE:BTCUSDT', quantity: i % 4 < 2 ? '0.01' : '0.02', timenow: time }) });
  }
  if (options.refusals ?? true) {
    const at = (i: number) => iso(FIXTURE_START + HOUR / 2 + i * (HOUR / 2) + 60_000);
    alerts.push({ time: at(3), message: message({ id: 'doge', action: 'buy', ticker: 'DOGEUSDT', quantity: '10', timenow: at(3) }) });
    alerts.push({ time: at(5), message: message({ id: 'whale', action: 'buy', ticker: 'BTCUSDT', quantity: '50', timenow: at(5) }) });
    alerts.push({ time: iso(FIXTURE_START - HOUR), message: message({ id: 'early', action: 'buy', ticker: 'BTCUSDT', quantity: '0.01', timenow: iso(FIXTURE_START - HOUR) }) });
    alerts.push({ time: at(7), message: message({ id: 'alert-6', action: 'buy', ticker: 'BTCUSDT', quantity: '0.01', timenow: at(7) }) });
    alerts.push({ time: at(9), message: message({ id: 'no-action', ticker: 'BTCUSDT', quantity: '0.01', timenow: at(9) }) });
    alerts.push({ time: at(11), message: message({ id: 'stale', action: 'buy', ticker: 'BTCUSDT', quantity: '0.01', timenow: iso(FIXTURE_START) }) });
  }
  return JSON.stringify(alerts, null, 1);
}
