/**
 * Binance's authentication on the wire: X-MBX-APIKEY, HMAC-SHA256 over query + body, timestamp
 * and recvWindow against the sandbox clock; through ccxt and as raw HTTP.
 */
import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, SECRET, clientOrderId, failure, restClient, startSandbox, type SandboxFixture } from './test-support/sandbox-fixture.js';

let fx: SandboxFixture;

beforeEach(async () => {
  fx = await startSandbox();
});

afterEach(async () => {
  await fx.sandbox.close();
});

const sign = (payload: string, secret = SECRET) => createHmac('sha256', secret).update(payload).digest('hex');

async function raw(method: string, pathAndQuery: string, init: { body?: string; apiKey?: string } = {}) {
  const response = await fetch(`${fx.sandbox.httpUrl}${pathAndQuery}`, {
    method,
    headers: { ...(init.apiKey !== undefined ? { 'X-MBX-APIKEY': init.apiKey } : {}), 'Content-Type': 'application/x-www-form-urlencoded' },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await response.text();
  expect(text).not.toContain(SECRET);
  return { status: response.status, headers: response.headers, json: JSON.parse(text) as unknown };
}

describe('authentication through ccxt', () => {
  it('a wrong secret is -1022 and an unknown key -2015 (AuthenticationError)', async () => {
    const wrongSecret = restClient(fx.sandbox, { secret: 'not-the-secret' });
    const unknownKey = restClient(fx.sandbox, { apiKey: 'someoneElse' });
    const signature = await failure(wrongSecret.fetchBalance());
    expect(signature).toBeInstanceOf(ccxt.AuthenticationError);
    expect(signature.message).toContain('{"code":-1022,"msg":"Signature for this request is not valid."}');
    const key = await failure(unknownKey.fetchBalance());
    expect(key).toBeInstanceOf(ccxt.AuthenticationError);
    expect(key.message).toContain('-2015');
  });

  it('a timestamp outside recvWindow, or more than 1 s ahead of the server, is -1021 (InvalidNonce)', async () => {
    const client = restClient(fx.sandbox);
    await client.loadMarkets();
    fx.clock.offsetMs = 20_000; // the client is 20 s behind; ccxt sends recvWindow=10000
    const late = await failure(client.fetchBalance());
    expect(late).toBeInstanceOf(ccxt.InvalidNonce);
    expect(late.message).toContain('{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}');
    fx.clock.offsetMs = -5_000;
    const ahead = await failure(client.fetchBalance());
    expect(ahead).toBeInstanceOf(ccxt.InvalidNonce);
    expect(ahead.message).toContain("1000ms ahead of the server's time");
    fx.clock.offsetMs = 0;
    expect((await client.fetchBalance())['USDT']!.free).toBe(100000);
  });

  it('a recvWindow over 60000 is -1131', async () => {
    const client = restClient(fx.sandbox, { options: { fetchCurrencies: false, fetchMarkets: { types: ['spot'] }, defaultType: 'spot', recvWindow: 70_000 } });
    const error = await failure(client.fetchBalance());
    expect(error.message).toContain('-1131');
  });
});

describe('authentication on the wire', () => {
  it('public endpoints need no key and carry the weight header', async () => {
    const ping = await raw('GET', '/api/v3/ping');
    expect(ping).toMatchObject({ status: 200, json: {} });
    expect(Number(ping.headers.get('x-mbx-used-weight-1m'))).toBeGreaterThan(0);
    const info = await raw('GET', '/api/v3/exchangeInfo?symbol=BTCUSDT');
    expect(info.json).toMatchObject({ timezone: 'UTC', symbols: [{ symbol: 'BTCUSDT', status: 'TRADING', permissionSets: [['SPOT']] }] });
    expect((await raw('GET', '/api/v3/exchangeInfo?symbol=NOPE')).json).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });

  it('signed endpoints need the key header (-2014), a signature (-1102) and a timestamp (-1102)', async () => {
    const query = `timestamp=${Date.now()}`;
    expect(await raw('GET', `/api/v3/account?${query}&signature=${sign(query)}`)).toMatchObject({ status: 401, json: { code: -2014, msg: 'API-key format invalid.' } });
    expect(await raw('GET', `/api/v3/account?${query}`, { apiKey: API_KEY })).toMatchObject({
      status: 400,
      json: { code: -1102, msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed." },
    });
    expect((await raw('GET', `/api/v3/account?recvWindow=5000&signature=${sign('recvWindow=5000')}`, { apiKey: API_KEY })).json).toMatchObject({ code: -1102 });
    expect(await raw('GET', `/api/v3/account?${query}&signature=${sign(query)}`, { apiKey: API_KEY })).toMatchObject({ status: 200, json: { accountType: 'SPOT' } });
  });

  it('the signature covers the query string followed by the body; changing either is -1022', async () => {
    const id = clientOrderId();
    const query = `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC`;
    const body = `quantity=0.001&price=90000&newClientOrderId=${id}&timestamp=${Date.now()}&recvWindow=5000`;
    const signature = sign(query + body);
    const tampered = await raw('POST', `/api/v3/order?${query}`, { apiKey: API_KEY, body: `${body.replace('0.001', '0.002')}&signature=${signature}` });
    expect(tampered).toMatchObject({ status: 400, json: { code: -1022 } });
    const placed = await raw('POST', `/api/v3/order?${query}`, { apiKey: API_KEY, body: `${body}&signature=${signature}` });
    expect(placed).toMatchObject({ status: 200, json: { symbol: 'BTCUSDT', clientOrderId: id, status: 'NEW', origQty: '0.00100000', price: '90000.00000000', fills: [] } });
  });
});
