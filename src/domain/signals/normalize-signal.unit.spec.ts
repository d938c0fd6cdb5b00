import { describe, expect, it } from 'vitest';
import { readAlertEnvelope } from './alert-envelope.js';
import { normalizeSignal, parseAlertTime, type NormalizeContext } from './normalize-signal.js';
import type { NormalizedSignal } from './signal.js';
import type { DomainError, Result } from '../shared/result.js';

const SECRET = 'hunter2-super-secret';
const ctx: NormalizeContext = {
  listedSymbols: ['BTC/USDT', 'BTC/USDT:USDT', 'ETH/USDT', 'SOL/USDT'],
  symbolMap: { 'OANDA:XAUUSD': 'XAU/USDT:USDT' },
};

function normalize(body: string, context: NormalizeContext = ctx): Result<NormalizedSignal, DomainError> {
  const env = readAlertEnvelope(body);
  if (!env.ok) throw new Error(`envelope: ${env.error.code}: ${env.error.message}`);
  return normalizeSignal(env.value, context);
}

function signalOf(body: string): NormalizedSignal {
  const r = normalize(body);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

function errorOf(body: string): DomainError {
  const r = normalize(body);
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
}

const json = (o: Record<string, unknown>): string => JSON.stringify({ secret: SECRET, ...o });

describe('normalizeSignal: formats', () => {
  it.each<[string, string, NormalizedSignal]>([
    [
      'native strategy JSON',
      json({
        action: 'buy',
        ticker: 'BINANCE:BTCUSDT.P',
        quantity: '0.015',
        price: '64123.50',
        position_size: '0.015',
        market_position: 'long',
        order_id: 'Long Entry',
        timenow: '2024-05-01T12:00:03Z',
        comment: 'breakout',
      }),
      {
        action: 'buy',
        ticker: 'BINANCE:BTCUSDT.P',
        symbol: 'BTC/USDT:USDT',
        quantity: '0.015',
        price: '64123.5',
        targetPosition: '0.015',
        marketPosition: 'long',
        orderId: 'Long Entry',
        comment: 'breakout',
        alertTime: '2024-05-01T12:00:03.000Z',
      },
    ],
    [
      'flat alias JSON with JSON numbers',
      `{"secret":"${SECRET}","side":"Short","symbol":"ETHUSDT","qty":1.5,"close":3000,"time":1714564800}`,
      { action: 'sell', ticker: 'ETHUSDT', symbol: 'ETH/USDT', quantity: '1.5', price: '3000', alertTime: '2024-05-01T12:00:00.000Z' },
    ],
    [
      'TradingView-style nested strategy keys',
      json({ strategy: { order: { action: 'sell', contracts: '2', id: 'Exit', price: '150' }, position_size: '-2', market_position: 'short' }, ticker: 'SOLUSDT' }),
      { action: 'sell', ticker: 'SOLUSDT', symbol: 'SOL/USDT', quantity: '2', price: '150', targetPosition: '-2', marketPosition: 'short', orderId: 'Exit' },
    ],
    [
      '3Commas base amount',
      `{"secret":"${SECRET}","timestamp":"2024-05-01T12:00:00Z","trigger_price":"64000","tv_exchange":"BINANCE","tv_instrument":"BTCUSDT",
        "action":"buy","bot_uuid":"u","strategy_info":{"market_position":"long"},"order":{"amount":"0.01","currency_type":"base"}}`,
      {
        action: 'buy',
        ticker: 'BINANCE:BTCUSDT',
        symbol: 'BTC/USDT',
        quantity: '0.01',
        price: '64000',
        marketPosition: 'long',
        alertTime: '2024-05-01T12:00:00.000Z',
      },
    ],
    [
      '3Commas quote amount',
      `{"secret":"${SECRET}","tv_instrument":"BTCUSDT.P","action":"sell","order":{"amount":"250","currency_type":"quote"}}`,
      { action: 'sell', ticker: 'BTCUSDT.P', symbol: 'BTC/USDT:USDT', quoteAmount: '250' },
    ],
    [
      'OctoBot market',
      `EXCHANGE=BINANCE\nSYMBOL=ETHUSDT\nSIGNAL=SELL\nVOLUME=0.3\nTAG=tp1\nSECRET=${SECRET}`,
      { action: 'sell', ticker: 'BINANCE:ETHUSDT', symbol: 'ETH/USDT', quantity: '0.3', comment: 'tp1' },
    ],
    [
      'OctoBot limit (PRICE is the limit price)',
      `SYMBOL=BTCUSDT;SIGNAL=BUY;ORDER_TYPE=LIMIT;VOLUME=0.01;PRICE=42000;TOKEN=${SECRET}`,
      { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT', quantity: '0.01', price: '42000', orderType: 'limit', limitPrice: '42000' },
    ],
    [
      'PineConnector',
      `${SECRET},buy,BTCUSDT,qty=0.01`,
      { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT', quantity: '0.01' },
    ],
    [
      'PineConnector closelong',
      `${SECRET},closelong,BTCUSDT`,
      { action: 'close', closeSide: 'long', ticker: 'BTCUSDT', symbol: 'BTC/USDT' },
    ],
    [
      'PineConnector vol_dollar',
      `${SECRET},sell,ETHUSDT,vol_dollar=100`,
      { action: 'sell', ticker: 'ETHUSDT', symbol: 'ETH/USDT', quoteAmount: '100' },
    ],
    [
      'symbol map wins',
      json({ action: 'buy', ticker: 'OANDA:XAUUSD' }),
      { action: 'buy', ticker: 'OANDA:XAUUSD', symbol: 'XAU/USDT:USDT' },
    ],
    [
      'explicit limit price and type',
      json({ action: 'buy', ticker: 'BTCUSDT', order_type: 'Limit', limit_price: '60000', price: '61000' }),
      { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT', price: '61000', orderType: 'limit', limitPrice: '60000' },
    ],
    [
      'limit_price alone implies a limit order',
      json({ action: 'buy', ticker: 'BTCUSDT', limit_price: '60000' }),
      { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT', orderType: 'limit', limitPrice: '60000' },
    ],
    [
      'explicit market ignores a stray limit price',
      json({ action: 'buy', ticker: 'BTCUSDT', type: 'market', limit_price: '60000' }),
      { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT', orderType: 'market' },
    ],
    [
      'flat target position, zero allowed',
      json({ action: 'sell', ticker: 'BTCUSDT', position_size: '0', market_position: 'flat' }),
      { action: 'sell', ticker: 'BTCUSDT', symbol: 'BTC/USDT', targetPosition: '0', marketPosition: 'flat' },
    ],
    [
      'blank optional fields are absent',
      json({ action: 'buy', ticker: 'BTCUSDT', quantity: '', price: '  ', comment: '' }),
      { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT' },
    ],
  ])('%s', (_name, body, expected) => {
    expect(signalOf(body)).toEqual(expected);
  });

  it('a TradingView text/plain body carrying the same JSON gives the same signal', () => {
    const body = json({ action: 'buy', ticker: 'BTCUSDT', quantity: '1' });
    // TradingView sends text/plain when it thinks the message is not JSON; we never look at the header.
    const padded = `\n  ${body.replace(/,/g, ',\n   ')}  \n`;
    expect(signalOf(padded)).toEqual(signalOf(body));
  });
});

describe('normalizeSignal: actions', () => {
  it.each([
    ['buy', 'buy', undefined],
    ['BUY', 'buy', undefined],
    ['long', 'buy', undefined],
    ['enter_long', 'buy', undefined],
    ['sell', 'sell', undefined],
    ['Short', 'sell', undefined],
    ['enter_short', 'sell', undefined],
    ['close', 'close', undefined],
    ['exit', 'close', undefined],
    ['flat', 'close', undefined],
    ['closeall', 'close', undefined],
    ['close_long', 'close', 'long'],
    ['close-long', 'close', 'long'],
    ['Close Long', 'close', 'long'],
    ['closelong', 'close', 'long'],
    ['exit_long', 'close', 'long'],
    ['close_short', 'close', 'short'],
    ['closeshort', 'close', 'short'],
    ['exit_short', 'close', 'short'],
  ])('%s -> %s %s', (value, action, closeSide) => {
    const s = signalOf(json({ action: value, ticker: 'BTCUSDT' }));
    expect(s.action).toBe(action);
    expect(s.closeSide).toBe(closeSide);
  });

  it.each(['signal', 'side'])('reads the action from "%s"', (key) => {
    expect(signalOf(json({ [key]: 'sell', ticker: 'BTCUSDT' })).action).toBe('sell');
  });
});

describe('normalizeSignal: quantities and prices', () => {
  it.each([
    ['0', 'INVALID_QUANTITY'],
    ['-1', 'INVALID_QUANTITY'],
    ['-0.5', 'INVALID_QUANTITY'],
    ['abc', 'INVALID_QUANTITY'],
    ['NaN', 'INVALID_QUANTITY'],
    ['Infinity', 'INVALID_QUANTITY'],
    ['1e10', 'INVALID_QUANTITY'],
    ['1000000000.000001', 'INVALID_QUANTITY'],
    ['99999999999999999999999', 'INVALID_QUANTITY'],
    ['0.0000000000000000001', 'INVALID_QUANTITY'],
    ['1e-19', 'INVALID_QUANTITY'],
    ['0%', 'INVALID_PERCENT'],
    ['100.5%', 'INVALID_PERCENT'],
    ['-5%', 'INVALID_PERCENT'],
    ['x%', 'INVALID_PERCENT'],
    ['1,5', 'INVALID_QUANTITY'],
  ])('quantity %s -> %s', (quantity, code) => {
    const error = errorOf(json({ action: 'buy', ticker: 'BTCUSDT', quantity }));
    expect(error.code).toBe(code);
    expect(error.message).toContain('"quantity"');
  });

  it.each([
    ['1000000000', '1000000000'],
    ['0.000000000000000001', '0.000000000000000001'],
    ['1e-18', '0.000000000000000001'],
    ['+2.50', '2.5'],
    ['1.2e3', '1200'],
    ['.5', '0.5'],
  ])('quantity %s is accepted as %s', (quantity, canonical) => {
    expect(signalOf(json({ action: 'buy', ticker: 'BTCUSDT', quantity })).quantity).toBe(canonical);
  });

  it.each([['25%', '25'], ['100%', '100'], ['0.5%', '0.5'], [' 12.50% ', '12.5']])('a percent quantity %s is a percent of the sizing base (%s), not a quantity', (qty, percent) => {
    const signal = signalOf(json({ action: 'close', ticker: 'BTCUSDT', qty }));
    expect(signal.quantityPercent).toBe(percent);
    expect(signal.quantity).toBeUndefined();
  });

  it.each(['stop_loss', 'sl'])('reads a stop-loss price from "%s" (risk sizing and the bracket\'s stop); a bad one is INVALID_BRACKET', (key) => {
    const signal = signalOf(json({ action: 'buy', ticker: 'BTCUSDT', [key]: '95000.5' }));
    expect(signal.stopLossPrice).toBe('95000.5');
    expect(signal.bracket?.stopLoss).toEqual({ price: '95000.5' });
    expect(errorOf(json({ action: 'buy', ticker: 'BTCUSDT', [key]: '-1' })).code).toBe('INVALID_BRACKET');
  });

  it.each(['stop_loss_limit', 'sl_limit'])('"%s" makes the bracket\'s stop a stop-limit: a price or a percent beyond the trigger; without a stop_loss, zero, negative or 100 % it is refused', (key) => {
    expect(signalOf(json({ action: 'buy', ticker: 'BTCUSDT', stop_loss: '95000', [key]: '94800' })).bracket?.stopLossLimit).toEqual({ price: '94800' });
    expect(signalOf(json({ action: 'buy', ticker: 'BTCUSDT', stop_loss: '1%', [key]: '0.25%' })).bracket?.stopLossLimit).toEqual({ percent: '0.25' });
    expect(errorOf(json({ action: 'buy', ticker: 'BTCUSDT', take_profit: '2%', [key]: '0.3%' })).code).toBe('INVALID_BRACKET');
    expect(errorOf(json({ action: 'buy', ticker: 'BTCUSDT', stop_loss: '1%', [key]: '0' })).code).toBe('INVALID_BRACKET');
    expect(errorOf(json({ action: 'buy', ticker: 'BTCUSDT', stop_loss: '1%', [key]: '-3' })).code).toBe('INVALID_BRACKET');
    expect(errorOf(json({ action: 'buy', ticker: 'BTCUSDT', stop_loss: '1%', [key]: '100%' })).code).toBe('PERCENT_OVER_100');
  });

  it.each(['qty', 'contracts', 'size', 'volume'])('reads the quantity from "%s"', (key) => {
    expect(signalOf(json({ action: 'buy', ticker: 'BTCUSDT', [key]: '3' })).quantity).toBe('3');
  });

  it('a JSON number quantity keeps its exact digits', () => {
    expect(signalOf(`{"action":"buy","ticker":"BTCUSDT","quantity":0.123456789012345678}`).quantity).toBe('0.123456789012345678');
  });

  it.each(['0', '-64000', 'x', '2e9', '0.0000000000000000001'])('price %s -> INVALID_PRICE', (price) => {
    const error = errorOf(json({ action: 'buy', ticker: 'BTCUSDT', price }));
    expect(error.code).toBe('INVALID_PRICE');
    expect(error.message).toContain('"price"');
  });

  it.each([['limit_price'], ['trigger_price'], ['close']])('%s is validated as a price', (key) => {
    expect(errorOf(json({ action: 'buy', ticker: 'BTCUSDT', [key]: '-1' })).code).toBe('INVALID_PRICE');
  });

  it('a 3Commas amount of zero is INVALID_QUANTITY', () => {
    expect(errorOf(json({ action: 'buy', tv_instrument: 'BTCUSDT', order: { amount: '0', currency_type: 'quote' } })).code).toBe('INVALID_QUANTITY');
  });

  it('an unsupported 3Commas currency_type is INVALID_QUANTITY', () => {
    const error = errorOf(json({ action: 'buy', tv_instrument: 'BTCUSDT', order: { amount: '10', currency_type: 'margin_percent' } }));
    expect(error.code).toBe('INVALID_QUANTITY');
    expect(error.message).toContain('margin_percent');
  });

  it('target position may be negative but is bounded', () => {
    expect(signalOf(json({ action: 'sell', ticker: 'BTCUSDT', position_size: '-3' })).targetPosition).toBe('-3');
    expect(errorOf(json({ action: 'sell', ticker: 'BTCUSDT', position_size: '-2e9' })).code).toBe('INVALID_QUANTITY');
    expect(errorOf(json({ action: 'sell', ticker: 'BTCUSDT', position_size: 'long' })).code).toBe('INVALID_QUANTITY');
  });
});

describe('normalizeSignal: error codes', () => {
  it.each<[string, string, string, RegExp]>([
    ['no action', 'MISSING_ACTION', json({ ticker: 'BTCUSDT' }), /action/],
    ['blank action', 'MISSING_ACTION', json({ action: ' ', ticker: 'BTCUSDT' }), /action/],
    ['unknown action', 'INVALID_ACTION', json({ action: 'hodl', ticker: 'BTCUSDT' }), /"hodl".*buy, sell/],
    ['no ticker', 'MISSING_SYMBOL', json({ action: 'buy' }), /\{\{ticker\}\}/],
    ['unknown ticker', 'UNKNOWN_SYMBOL', json({ action: 'buy', ticker: 'BINANCE:DOGEUSDT' }), /BINANCE:DOGEUSDT/],
    ['bad quantity', 'INVALID_QUANTITY', json({ action: 'buy', ticker: 'BTCUSDT', qty: '-1' }), /"qty".*greater than zero/],
    ['bad price', 'INVALID_PRICE', json({ action: 'buy', ticker: 'BTCUSDT', close: 'n/a' }), /"close"/],
    ['bad time', 'INVALID_TIME', json({ action: 'buy', ticker: 'BTCUSDT', timenow: 'yesterday' }), /"timenow".*\{\{timenow\}\}/],
    ['limit without price', 'LIMIT_PRICE_REQUIRED', json({ action: 'buy', ticker: 'BTCUSDT', order_type: 'limit' }), /limit_price/],
    ['OctoBot limit without PRICE', 'LIMIT_PRICE_REQUIRED', 'SYMBOL=BTCUSDT;SIGNAL=BUY;ORDER_TYPE=LIMIT', /price/],
    ['bad order type', 'INVALID_ORDER_TYPE', json({ action: 'buy', ticker: 'BTCUSDT', order_type: 'iceberg' }), /market.*limit/],
    ['bad market position', 'INVALID_MARKET_POSITION', json({ action: 'buy', ticker: 'BTCUSDT', market_position: 'sideways' }), /long, short or flat/],
    [
      'strategy placeholder in a plain alert',
      'UNRESOLVED_PLACEHOLDER',
      json({ action: '{{strategy.order.action}}', ticker: 'BTCUSDT' }),
      /"action".*\{\{strategy\.order\.action\}\}.*strategy/,
    ],
    [
      'placeholder in quantity',
      'UNRESOLVED_PLACEHOLDER',
      json({ action: 'buy', ticker: 'BTCUSDT', quantity: '{{strategy.order.contracts}}' }),
      /"quantity".*\{\{strategy\.order\.contracts\}\}/,
    ],
    [
      'misspelt placeholder',
      'UNRESOLVED_PLACEHOLDER',
      json({ action: 'buy', ticker: '{{Ticker}}' }),
      /"ticker".*\{\{Ticker\}\}.*spelling/,
    ],
    [
      'placeholder in a nested, unused field',
      'UNRESOLVED_PLACEHOLDER',
      json({ action: 'buy', ticker: 'BTCUSDT', strategy_info: { prev_market_position: '{{strategy.prev_market_position}}' } }),
      /"strategy_info\.prev_market_position"/,
    ],
    ['placeholder in OctoBot text', 'UNRESOLVED_PLACEHOLDER', 'SYMBOL={{ticker}};SIGNAL=BUY', /"symbol".*\{\{ticker\}\}/],
  ])('%s -> %s', (_name, code, body, message) => {
    const error = errorOf(body);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('never puts the secret in an error message', () => {
    const bodies = [
      json({ ticker: 'BTCUSDT' }),
      json({ action: 'buy', ticker: 'NOPE' }),
      json({ action: 'buy', ticker: 'BTCUSDT', quantity: '-1' }),
      `${SECRET},hodl,BTCUSDT`,
      `SECRET=${SECRET};SYMBOL=BTCUSDT;SIGNAL={{strategy.order.action}}`,
    ];
    for (const body of bodies) {
      expect(errorOf(body).message).not.toContain(SECRET);
    }
  });

  it('bounds how much alert content an error message quotes', () => {
    const error = errorOf(json({ action: 'x'.repeat(5000), ticker: 'BTCUSDT' }));
    expect(error.code).toBe('INVALID_ACTION');
    expect(error.message.length).toBeLessThan(300);
  });
});

describe('parseAlertTime', () => {
  it.each([
    ['2024-05-01T12:00:03Z', '2024-05-01T12:00:03.000Z'],
    ['2024-05-01T12:00:03.250Z', '2024-05-01T12:00:03.250Z'],
    ['2024-05-01T12:00:03.123456789Z', '2024-05-01T12:00:03.123Z'],
    ['2024-05-01T14:00:03+02:00', '2024-05-01T12:00:03.000Z'],
    ['2024-05-01T07:30:03-0430', '2024-05-01T12:00:03.000Z'],
    ['2024-05-01T12:00:03', '2024-05-01T12:00:03.000Z'],
    ['2024-05-01 12:00', '2024-05-01T12:00:00.000Z'],
    ['2024-05-01', '2024-05-01T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['1714564803', '2024-05-01T12:00:03.000Z'],
    ['1714564803.5', '2024-05-01T12:00:03.500Z'],
    ['1714564803250', '2024-05-01T12:00:03.250Z'],
  ])('%s -> %s', (text, iso) => {
    expect(parseAlertTime(text)).toBe(iso);
  });

  it.each([
    'yesterday',
    '',
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T12:60:00Z',
    '1969-12-31T23:59:59Z',
    '-1714564803',
    '99999999999999999',
    '2024-05-01T12:00:00+25:00',
    '2024/05/01 12:00',
  ])('%s is not a time', (text) => {
    expect(parseAlertTime(text)).toBeUndefined();
  });

  it.each(['timenow', 'timestamp', 'time'])('reads the alert time from "%s"', (key) => {
    expect(signalOf(json({ action: 'buy', ticker: 'BTCUSDT', [key]: '2024-05-01T12:00:00Z' })).alertTime).toBe('2024-05-01T12:00:00.000Z');
  });

  it('prefers {{timenow}} over {{time}} (the bar time)', () => {
    const s = signalOf(json({ action: 'buy', ticker: 'BTCUSDT', time: '2024-05-01T00:00:00Z', timenow: '2024-05-01T12:00:00Z' }));
    expect(s.alertTime).toBe('2024-05-01T12:00:00.000Z');
  });
});

// ---- issue 17: stop and take-profit order types from alerts
describe('normalizeSignal: stop and take-profit orders (issue 17)', () => {
  it('order_type stop / stop_limit / take_profit / take_profit_limit with stop_price', () => {
    const stop = signalOf(json({ action: 'sell', ticker: 'BTCUSDT', order_type: 'stop', stop_price: '95000' }));
    expect([stop.orderType, stop.stopPrice, stop.limitPrice]).toEqual(['stop_market', '95000', undefined]);
    const stopLimit = signalOf(json({ action: 'sell', ticker: 'BTCUSDT', order_type: 'stop_limit', stop_price: '95000', limit_price: '94900' }));
    expect([stopLimit.orderType, stopLimit.stopPrice, stopLimit.limitPrice]).toEqual(['stop_limit', '95000', '94900']);
    expect(signalOf(json({ action: 'sell', ticker: 'BTCUSDT', order_type: 'take_profit', stop_price: '99000' })).orderType).toBe('take_profit');
    expect(signalOf(json({ action: 'buy', ticker: 'BTCUSDT', order_type: 'take_profit_limit', stop_price: '90000', price: '90000' })).orderType).toBe('take_profit_limit');
  });
  it('a stop type without stop_price is STOP_PRICE_REQUIRED; a stop_limit without a limit is LIMIT_PRICE_REQUIRED; a cancel needs no ticker', () => {
    expect(errorOf(json({ action: 'sell', ticker: 'BTCUSDT', order_type: 'stop' })).code).toBe('STOP_PRICE_REQUIRED');
    expect(errorOf(json({ action: 'sell', ticker: 'BTCUSDT', order_type: 'stop_limit', stop_price: '95000' })).code).toBe('LIMIT_PRICE_REQUIRED');
    expect(signalOf(json({ action: 'cancel' }))).toMatchObject({ action: 'cancel', symbol: '' });
    expect(signalOf(json({ action: 'cancel', ticker: 'BTCUSDT' }))).toMatchObject({ action: 'cancel', symbol: 'BTC/USDT' });
  });
});

describe('normalizeSignal: trailing stops (issue 17)', () => {
  it('trailing_percent makes a trailing stop-market; 0 is TRAILING_DISTANCE_ZERO, 100 % is PERCENT_OVER_100', () => {
    expect(signalOf(json({ action: 'sell', ticker: 'BTCUSDT', trailing_percent: '1.5%' }))).toMatchObject({ orderType: 'stop_market', trailingPercent: '1.5' });
    expect(errorOf(json({ action: 'sell', ticker: 'BTCUSDT', trailing_percent: '0' })).code).toBe('TRAILING_DISTANCE_ZERO');
    expect(errorOf(json({ action: 'sell', ticker: 'BTCUSDT', trailing_percent: '100' })).code).toBe('PERCENT_OVER_100');
  });
  it('trailing_distance is a distance in price; 0 is TRAILING_DISTANCE_ZERO, text is INVALID_TRAILING, both distances at once are INVALID_TRAILING', () => {
    const signal = signalOf(json({ action: 'sell', ticker: 'BTCUSDT', trailing_distance: '500' }));
    expect(signal).toMatchObject({ orderType: 'stop_market', trailingDistance: '500' });
    expect(signal).not.toHaveProperty('trailingPercent');
    expect(errorOf(json({ action: 'sell', ticker: 'BTCUSDT', trailing_distance: '0' })).code).toBe('TRAILING_DISTANCE_ZERO');
    expect(errorOf(json({ action: 'sell', ticker: 'BTCUSDT', trailing_distance: 'far' })).code).toBe('INVALID_TRAILING');
    expect(errorOf(json({ action: 'sell', ticker: 'BTCUSDT', trailing_distance: '500', trailing_percent: '1%' })).code).toBe('INVALID_TRAILING');
  });
});
