import { describe, expect, it } from 'vitest';
import { ALERT_LIMITS, readAlertEnvelope, type AlertEnvelope } from './alert-envelope.js';

const SECRET = 's3cr3t-Value-Do-Not-Leak';

function read(body: string): AlertEnvelope {
  const result = readAlertEnvelope(body);
  if (!result.ok) throw new Error(`expected an envelope, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function errorOf(body: string): { code: string; message: string } {
  const result = readAlertEnvelope(body);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('readAlertEnvelope: JSON', () => {
  it('reads our native format, takes the secret out of the fields and keeps the explicit id', () => {
    const env = read(
      JSON.stringify({ secret: SECRET, id: 'L1-BTCUSDT-2024', action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.5' }),
    );
    expect(env.format).toBe('patriot-json');
    expect(env.secret).toBe(SECRET);
    expect(env.explicitId).toBe('L1-BTCUSDT-2024');
    expect({ ...env.fields }).toEqual({ id: 'L1-BTCUSDT-2024', action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.5' });
    expect(Object.values(env.fields)).not.toContain(SECRET);
  });

  it('recognises and flattens 3Commas Signal Bot JSON', () => {
    const body = `{"secret": "${SECRET}", "max_lag": "300", "timestamp": "2024-05-01T12:00:00Z",
      "trigger_price": "64000.5", "tv_exchange": "BINANCE", "tv_instrument": "BTCUSDT",
      "action": "buy", "bot_uuid": "abc-123",
      "strategy_info": {"market_position": "long", "market_position_size": "0.01"},
      "order": {"amount": "0.01", "currency_type": "base"}}`;
    const env = read(body);
    expect(env.format).toBe('3commas-json');
    expect(env.secret).toBe(SECRET);
    expect(env.fields['order.amount']).toBe('0.01');
    expect(env.fields['order.currency_type']).toBe('base');
    expect(env.fields['strategy_info.market_position']).toBe('long');
    expect(env.fields['tv_instrument']).toBe('BTCUSDT');
    expect(env.fields['secret']).toBeUndefined();
  });

  it('lower-cases keys, keeps number text exactly, maps booleans and null', () => {
    const env = read('{"Action":"SELL","QTY":0.123456789012345678901,"Big":12345678901234567890,"reduce":true,"note":null}');
    expect(env.fields['action']).toBe('SELL');
    expect(env.fields['qty']).toBe('0.123456789012345678901');
    expect(env.fields['big']).toBe('12345678901234567890');
    expect(env.fields['reduce']).toBe('true');
    expect('note' in env.fields).toBe(true);
    expect(env.fields['note']).toBeUndefined();
  });

  it('flattens arrays with their index', () => {
    expect(read('{"tags":["a","b"]}').fields['tags.1']).toBe('b');
  });

  it.each([
    ['secret', { secret: SECRET }],
    ['passphrase', { passphrase: SECRET }],
    ['token', { token: SECRET }],
    ['upper-case SECRET', { SECRET: SECRET }],
    ['numeric secret', { secret: 12345 }],
  ])('finds the secret under %s', (_name, extra) => {
    const env = read(JSON.stringify({ ...extra, action: 'buy' }));
    expect(env.secret).toBe(String(Object.values(extra)[0]));
    expect(Object.keys(env.fields)).toEqual(['action']);
  });

  it('prefers secret over passphrase over token and removes all of them from the fields', () => {
    const env = read(JSON.stringify({ token: 't', passphrase: 'p', secret: 's', action: 'buy' }));
    expect(env.secret).toBe('s');
    expect(Object.keys(env.fields)).toEqual(['action']);
  });

  it.each([
    ['id', 'A'],
    ['alert_id', 'B'],
    ['signal_id', 'C'],
    ['idempotency_key', 'D'],
  ])('finds the explicit id under %s', (key, value) => {
    expect(read(JSON.stringify({ [key]: value, action: 'buy' })).explicitId).toBe(value);
  });

  it('has no secret or id when none is sent', () => {
    const env = read('{"action":"buy"}');
    expect(env.secret).toBeUndefined();
    expect(env.explicitId).toBeUndefined();
  });

  it('treats __proto__ and constructor as plain data', () => {
    const env = read('{"__proto__":{"polluted":"yes"},"constructor":"x","action":"buy"}');
    expect(env.fields['__proto__.polluted']).toBe('yes');
    expect(env.fields['constructor']).toBe('x');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('decodes string escapes', () => {
    expect(read('{"comment":"a\\"b\\\\c\\n\\u00e9"}').fields['comment']).toBe('a"b\\c\né');
  });

  it('ignores a BOM and surrounding whitespace', () => {
    expect(read('\ufeff  \n{"action":"buy"}\n ').fields['action']).toBe('buy');
  });

  it('last duplicate key wins', () => {
    expect(read('{"action":"buy","action":"sell"}').fields['action']).toBe('sell');
  });
});

describe('readAlertEnvelope: text', () => {
  it('reads OctoBot KEY=VALUE lines', () => {
    const env = read(`EXCHANGE=BINANCE\nSYMBOL=BTCUSDT\nSIGNAL=BUY\nORDER_TYPE=LIMIT\nVOLUME=0.01\nPRICE=42000\nSECRET=${SECRET}\n`);
    expect(env.format).toBe('octobot-kv');
    expect(env.secret).toBe(SECRET);
    expect({ ...env.fields }).toEqual({
      exchange: 'BINANCE',
      symbol: 'BTCUSDT',
      signal: 'BUY',
      order_type: 'LIMIT',
      volume: '0.01',
      price: '42000',
    });
  });

  it('reads ;-separated pairs, CRLF, quoted values, TOKEN= and an id', () => {
    const env = read(`TOKEN=${SECRET};SYMBOL="BTCUSDT" ;\r\nSIGNAL=SELL; ID=abc;TAG=a=b`);
    expect(env.secret).toBe(SECRET);
    expect(env.explicitId).toBe('abc');
    expect(env.fields['symbol']).toBe('BTCUSDT');
    expect(env.fields['signal']).toBe('SELL');
    expect(env.fields['tag']).toBe('a=b');
  });

  it('reads PineConnector-style lines: licence position is the secret', () => {
    const env = read(`${SECRET},buy,BTCUSDT,qty=0.01,comment=hello`);
    expect(env.format).toBe('pineconnector');
    expect(env.secret).toBe(SECRET);
    expect({ ...env.fields }).toEqual({ action: 'buy', symbol: 'BTCUSDT', qty: '0.01', comment: 'hello' });
  });

  it('PineConnector: an explicit secret= parameter wins over the licence id', () => {
    const env = read(`60123456789,closelong,GBPUSD,secret=${SECRET}`);
    expect(env.secret).toBe(SECRET);
    expect(env.fields['action']).toBe('closelong');
    expect(env.fields['secret']).toBeUndefined();
  });
});

describe('readAlertEnvelope: errors', () => {
  it.each([
    ['empty body', '', 'MALFORMED_BODY'],
    ['whitespace only', ' \n\t ', 'MALFORMED_BODY'],
    ['broken JSON object', '{"action": "buy",', 'MALFORMED_BODY'],
    ['trailing comma', '{"action": "buy",}', 'MALFORMED_BODY'],
    ['single quotes', "{'action': 'buy'}", 'MALFORMED_BODY'],
    ['text after JSON', '{"action":"buy"} x', 'MALFORMED_BODY'],
    ['JSON array', '[{"action":"buy"}]', 'MALFORMED_BODY'],
    ['empty array', '[]', 'MALFORMED_BODY'],
    ['bare JSON string', '"buy"', 'MALFORMED_BODY'],
    ['bare number', '42', 'MALFORMED_BODY'],
    ['free text', 'Buy BTC now please', 'MALFORMED_BODY'],
    ['kv with a bad part', 'SYMBOL=BTCUSDT\nnonsense', 'MALFORMED_BODY'],
    ['kv with empty key', '=buy', 'MALFORMED_BODY'],
    ['pineconnector with a bad param', 'lic,buy,BTCUSDT,qty', 'MALFORMED_BODY'],
    ['bad escape', '{"a":"\\x"}', 'MALFORMED_BODY'],
    ['raw control char in string', '{"a":"x\u0001"}', 'MALFORMED_BODY'],
    ['leading zero number', '{"a":01}', 'MALFORMED_BODY'],
    ['too deep', `${'{"a":'.repeat(ALERT_LIMITS.maxDepth + 1)}1${'}'.repeat(ALERT_LIMITS.maxDepth + 1)}`, 'BODY_TOO_DEEP'],
    ['very deep arrays', `{"a":${'['.repeat(10_000)}`, 'BODY_TOO_DEEP'],
    ['too many JSON fields', JSON.stringify(Object.fromEntries(Array.from({ length: ALERT_LIMITS.maxFields + 1 }, (_, i) => [`k${i}`, i]))), 'TOO_MANY_FIELDS'],
    ['too many array items', `{"a":[${Array.from({ length: ALERT_LIMITS.maxFields + 1 }, () => '1').join(',')}]}`, 'TOO_MANY_FIELDS'],
    ['too many kv pairs', Array.from({ length: ALERT_LIMITS.maxFields + 1 }, (_, i) => `K${i}=1`).join('\n'), 'TOO_MANY_FIELDS'],
    ['too large', `{"a":"${'x'.repeat(ALERT_LIMITS.maxBodyLength)}"}`, 'BODY_TOO_LARGE'],
  ])('%s -> %s', (_name, body, code) => {
    const error = errorOf(body);
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('accepts exactly the maximum depth', () => {
    const depth = ALERT_LIMITS.maxDepth;
    const body = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    expect(read(body).fields['a.a.a.a.a.a.a.a']).toBe('1');
  });

  it.each([
    ['broken JSON', `{"secret":"${SECRET}", "action": buy}`],
    ['JSON array', `["${SECRET}"]`],
    ['broken kv', `SECRET=${SECRET}\n${SECRET}`],
    ['free text', `${SECRET} buy now`],
    ['too deep', `{"secret":"${SECRET}","a":${'['.repeat(20)}`],
  ])('never puts the secret in an error message (%s)', (_name, body) => {
    const error = errorOf(body);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('s3cr3t');
  });
});

describe('receivedSummary (issue 20)', () => {
  it('keeps the first fields, cut short, and never one whose name may hold a credential', async () => {
    const { receivedSummary } = await import('./alert-envelope.js');
    const summary = receivedSummary({ action: 'buy', ticker: 'X'.repeat(200), 'order.api_key': 'k', passphrase2: 'p', 'auth.token': 't', signature: 's', comment: undefined, qty: '1' });
    expect(summary).toEqual({ action: 'buy', ticker: `${'X'.repeat(79)}…`, qty: '1' });
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, String(i)]));
    expect(Object.keys(receivedSummary(many))).toHaveLength(12);
  });
});
