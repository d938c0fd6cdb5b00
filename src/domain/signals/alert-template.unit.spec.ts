import { describe, expect, it } from 'vitest';
import { readAlertEnvelope } from './alert-envelope.js';
import { actionAlertMessages, tradingViewAlertMessage } from './alert-template.js';
import { normalizeSignal } from './normalize-signal.js';

const SECRET = 'wh_9f8e7d6c5b4a';
const ctx = { listedSymbols: ['BTC/USDT', 'BTC/USDT:USDT'], symbolMap: {} };

/** What TradingView does at fire time: replaces each {{placeholder}} with its text value. */
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([^{}]+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

const FILL = {
  'strategy.order.action': 'sell',
  ticker: 'BTCUSDT.P',
  'strategy.order.contracts': '0.015',
  close: '64123.5',
  'strategy.position_size': '-0.015',
  'strategy.market_position': 'short',
  'strategy.order.id': 'Short Entry',
  timenow: '2024-05-01T12:00:03Z',
};

describe('tradingViewAlertMessage', () => {
  it('strategy mode is pretty JSON with every strategy placeholder and a per-fill id', () => {
    const text = tradingViewAlertMessage({ secret: SECRET, mode: 'strategy' });
    expect(text).toContain('\n  "');
    const parsed = JSON.parse(text) as Record<string, string>;
    expect(parsed).toEqual({
      secret: SECRET,
      id: '{{strategy.order.id}}-{{ticker}}-{{timenow}}',
      action: '{{strategy.order.action}}',
      ticker: '{{ticker}}',
      quantity: '{{strategy.order.contracts}}',
      price: '{{close}}',
      position_size: '{{strategy.position_size}}',
      market_position: '{{strategy.market_position}}',
      order_id: '{{strategy.order.id}}',
      timenow: '{{timenow}}',
    });
  });

  it('strategy mode, filled in as TradingView would, round-trips to a signal', () => {
    const body = fill(tradingViewAlertMessage({ secret: SECRET, mode: 'strategy' }), FILL);
    const env = readAlertEnvelope(body);
    expect(env.ok).toBe(true);
    if (!env.ok) return;
    expect(env.value.format).toBe('patriot-json');
    expect(env.value.secret).toBe(SECRET);
    expect(env.value.explicitId).toBe('Short Entry-BTCUSDT.P-2024-05-01T12:00:03Z');
    expect(normalizeSignal(env.value, ctx)).toEqual({
      ok: true,
      value: {
        action: 'sell',
        ticker: 'BTCUSDT.P',
        symbol: 'BTC/USDT:USDT',
        quantity: '0.015',
        price: '64123.5',
        targetPosition: '-0.015',
        marketPosition: 'short',
        orderId: 'Short Entry',
        alertTime: '2024-05-01T12:00:03.000Z',
      },
    });
  });

  it('two fills of the same order at different times get different ids', () => {
    const template = tradingViewAlertMessage({ secret: SECRET, mode: 'strategy' });
    const a = readAlertEnvelope(fill(template, FILL));
    const b = readAlertEnvelope(fill(template, { ...FILL, timenow: '2024-05-01T12:05:00Z' }));
    expect(a.ok && b.ok && a.value.explicitId !== b.value.explicitId).toBe(true);
  });

  it('strategy mode pasted into a plain alert (nothing filled) is UNRESOLVED_PLACEHOLDER', () => {
    const env = readAlertEnvelope(fill(tradingViewAlertMessage({ secret: SECRET, mode: 'strategy' }), { ticker: 'BTCUSDT', close: '1', timenow: FILL.timenow }));
    expect(env.ok).toBe(true);
    if (!env.ok) return;
    const r = normalizeSignal(env.value, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'UNRESOLVED_PLACEHOLDER' } });
    if (!r.ok) expect(r.error.message).not.toContain(SECRET);
  });

  it('indicator mode uses no strategy placeholders and round-trips', () => {
    const text = tradingViewAlertMessage({ secret: SECRET, mode: 'indicator' });
    expect(text).not.toContain('{{strategy.');
    const env = readAlertEnvelope(fill(text, { ticker: 'BINANCE:BTCUSDT', close: '64000', timenow: FILL.timenow }));
    expect(env.ok).toBe(true);
    if (!env.ok) return;
    expect(env.value.explicitId).toBeUndefined();
    expect(normalizeSignal(env.value, ctx)).toEqual({
      ok: true,
      value: { action: 'buy', ticker: 'BINANCE:BTCUSDT', symbol: 'BTC/USDT', price: '64000', alertTime: '2024-05-01T12:00:03.000Z' },
    });
  });

  it('escapes a secret with JSON-special characters', () => {
    const secret = 'a"b\\c';
    const env = readAlertEnvelope(tradingViewAlertMessage({ secret, mode: 'indicator' }));
    expect(env.ok && env.value.secret).toBe(secret);
  });
});

describe('actionAlertMessages (issue 17)', () => {
  const values = { ticker: 'BTCUSDT', close: '64123.5', timenow: '2024-05-01T12:00:03Z' };
  const expected: Record<string, Partial<Record<string, unknown>>> = {
    buy: { action: 'buy' }, sell: { action: 'sell' }, limit: { action: 'buy', orderType: 'limit', limitPrice: '64123.5' },
    percent: { action: 'buy', quantityPercent: '25' }, bracket: { action: 'buy' }, bracket_levels: { action: 'buy' }, bracket_stop_limit: { action: 'buy' },
    stop: { action: 'sell', orderType: 'stop_market', stopPrice: '64123.5' }, stop_limit: { action: 'sell', orderType: 'stop_limit' },
    take_profit: { action: 'sell', orderType: 'take_profit' }, trailing: { action: 'sell', trailingPercent: '1.5' },
    close: { action: 'close' }, close_half: { action: 'close', quantityPercent: '50' },
    exit_long: { action: 'close', closeSide: 'long' }, exit_short: { action: 'close', closeSide: 'short' }, cancel: { action: 'cancel' },
  };
  it('every action message, filled in as TradingView would, is accepted and means what its label says', () => {
    const messages = actionAlertMessages(SECRET);
    expect(messages.map((m) => m.action).sort()).toEqual(Object.keys(expected).sort());
    for (const m of messages) {
      const env = readAlertEnvelope(fill(m.message, values));
      expect(env.ok, m.action).toBe(true);
      if (!env.ok) continue;
      expect(env.value.secret).toBe(SECRET);
      const signal = normalizeSignal(env.value, ctx);
      expect(signal.ok, `${m.action}: ${JSON.stringify(signal)}`).toBe(true);
      if (signal.ok) expect(signal.value, m.action).toMatchObject({ symbol: 'BTC/USDT', ...expected[m.action] });
    }
  });
  it('the brackets carry their levels', () => {
    const bracket = actionAlertMessages(SECRET).find((m) => m.action === 'bracket_levels')!;
    const env = readAlertEnvelope(fill(bracket.message, values));
    const signal = env.ok ? normalizeSignal(env.value, ctx) : undefined;
    expect(signal?.ok && signal.value.bracket).toEqual({ takeProfits: [{ percent: '2' }, { percent: '4' }], split: ['50', '50'], stopLoss: { percent: '1.5' }, breakEven: true });
    const stopLimit = actionAlertMessages(SECRET).find((m) => m.action === 'bracket_stop_limit')!;
    const env2 = readAlertEnvelope(fill(stopLimit.message, values));
    const signal2 = env2.ok ? normalizeSignal(env2.value, ctx) : undefined;
    expect(signal2?.ok && signal2.value.bracket).toEqual({ takeProfits: [{ percent: '2' }], stopLoss: { percent: '1' }, stopLossLimit: { percent: '0.3' }, breakEven: false });
  });
});
