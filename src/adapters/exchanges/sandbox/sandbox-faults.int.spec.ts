/**
 * Every injected fault as the real ccxt client sees it: the error class, Binance's raw code in
 * the message, and, for faults after acceptance, exactly one order at the exchange.
 */
import ccxt from 'ccxt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACCOUNT_ID, clientOrderId, failure, restClient, startSandbox, type BinanceClient, type SandboxFixture } from './test-support/sandbox-fixture.js';

let fx: SandboxFixture;
let client: BinanceClient;

beforeEach(async () => {
  fx = await startSandbox();
  client = restClient(fx.sandbox);
  await client.loadMarkets();
});

afterEach(async () => {
  await client.close();
  await fx.sandbox.close();
});

const buy = (id: string) => client.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: id });

/** Runs one call with a short client timeout (the faults that never answer in time). */
async function impatiently<T>(call: () => Promise<T>): Promise<T> {
  const usual = client.timeout;
  client.timeout = 300;
  try {
    return await call();
  } finally {
    client.timeout = usual;
  }
}

/** Exactly one order with this clientOrderId exists, filled, and it was placed once. */
async function expectExactlyOneOrder(id: string): Promise<void> {
  const all = await client.fetchOrders('BTC/USDT');
  expect(all.filter((order) => order.clientOrderId === id)).toHaveLength(1);
  expect((await client.fetchOrder('', 'BTC/USDT', { clientOrderId: id })).status).toBe('closed');
  expect(fx.sandbox.exchange.placementAttempts(ACCOUNT_ID, id)).toBe(1);
}

async function expectNoOrder(id: string): Promise<void> {
  const missing = await failure(client.fetchOrder('', 'BTC/USDT', { clientOrderId: id }));
  expect(missing).toBeInstanceOf(ccxt.OrderNotFound);
  expect(fx.sandbox.exchange.placementAttempts(ACCOUNT_ID, id)).toBe(0);
}

describe('faults after the order is accepted', () => {
  it('timeout (hang): the order is committed, the answer never comes: RequestTimeout', async () => {
    fx.sandbox.faults.inject({ kind: 'timeout' });
    const id = clientOrderId();
    expect(await failure(impatiently(() => buy(id)))).toBeInstanceOf(ccxt.RequestTimeout);
    await expectExactlyOneOrder(id);
  });

  it('timeout (destroy): the order is committed, then the socket is cut: NetworkError', async () => {
    fx.sandbox.faults.inject({ kind: 'timeout', mode: 'destroy' });
    const id = clientOrderId();
    const error = await failure(buy(id));
    expect(error).toBeInstanceOf(ccxt.NetworkError);
    expect(error).not.toBeInstanceOf(ccxt.RequestTimeout);
    await expectExactlyOneOrder(id);
  });

  it('500 after: -1006 "execution status unknown" (OperationFailed), the order exists', async () => {
    fx.sandbox.faults.inject({ kind: 'http_error', status: 500, when: 'after' });
    const id = clientOrderId();
    const error = await failure(buy(id));
    expect(error).toBeInstanceOf(ccxt.OperationFailed);
    expect(error.message).toContain('"code":-1006');
    await expectExactlyOneOrder(id);
  });

  it('504 after: -1007 backend timeout (RequestTimeout), the order exists', async () => {
    fx.sandbox.faults.inject({ kind: 'http_error', status: 504, when: 'after' });
    const id = clientOrderId();
    const error = await failure(buy(id));
    expect(error).toBeInstanceOf(ccxt.RequestTimeout);
    expect(error.message).toContain('"code":-1007');
    await expectExactlyOneOrder(id);
  });

  it('duplicate with the order placed: -2010 "Duplicate order sent." (InvalidOrder), the order exists once', async () => {
    fx.sandbox.faults.inject({ kind: 'duplicate', placeOrder: true });
    const id = clientOrderId();
    const error = await failure(buy(id));
    expect(error).toBeInstanceOf(ccxt.InvalidOrder);
    expect(error.message).toContain('{"code":-2010,"msg":"Duplicate order sent."}');
    await expectExactlyOneOrder(id);
  });

  it('invisible: a placed order answers -2013 to every order query for N seconds (sandbox clock), then shows; its trades show at once', async () => {
    fx.sandbox.faults.inject({ kind: 'invisible', seconds: 5, times: 2 });
    const marketId = clientOrderId();
    const limitId = clientOrderId();
    const market = await buy(marketId);
    const limit = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 90000, { clientOrderId: limitId });
    for (const query of [client.fetchOrder('', 'BTC/USDT', { clientOrderId: marketId }), client.fetchOrder(limit.id!, 'BTC/USDT')]) {
      const error = await failure(query);
      expect(error).toBeInstanceOf(ccxt.OrderNotFound);
      expect(error.message).toContain('-2013');
    }
    expect(await client.fetchOpenOrders('BTC/USDT')).toEqual([]);
    expect(await client.fetchOrders('BTC/USDT')).toEqual([]);
    // Binance reads trades from the engine's memory first: they show while the order does not
    expect((await client.fetchMyTrades('BTC/USDT')).map((t) => t.order)).toEqual([market.id]);

    fx.clock.offsetMs += 5_001;
    expect((await client.fetchOrder(market.id!, 'BTC/USDT')).clientOrderId).toBe(marketId);
    expect((await client.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual([limitId]);
    expect((await client.fetchMyTrades('BTC/USDT')).map((t) => t.order)).toEqual([market.id]);
    await expectExactlyOneOrder(marketId);
  });

  it('invisible everywhere: its trades are hidden too until it shows', async () => {
    fx.sandbox.faults.inject({ kind: 'invisible', seconds: 5, everywhere: true });
    const id = clientOrderId();
    const market = await buy(id);
    expect(await failure(client.fetchOrder('', 'BTC/USDT', { clientOrderId: id }))).toBeInstanceOf(ccxt.OrderNotFound);
    expect(await client.fetchOrders('BTC/USDT')).toEqual([]);
    expect(await client.fetchMyTrades('BTC/USDT')).toEqual([]);
    fx.clock.offsetMs += 5_001;
    expect((await client.fetchMyTrades('BTC/USDT')).map((t) => t.order)).toEqual([market.id]);
    await expectExactlyOneOrder(id);
  });

  it('latency beyond the client timeout: RequestTimeout, yet the order is placed when the delayed request runs', async () => {
    fx.sandbox.faults.inject({ kind: 'latency', ms: 600, method: 'POST', path: '/api/v3/order' });
    const id = clientOrderId();
    expect(await failure(impatiently(() => buy(id)))).toBeInstanceOf(ccxt.RequestTimeout);
    // the delayed request is counted when it reaches the exchange, and the order is there once the exchange answers it
    await vi.waitFor(() => expect(fx.sandbox.exchange.placementAttempts(ACCOUNT_ID, id)).toBe(1), { timeout: 15_000, interval: 20 });
    await vi.waitFor(async () => expect((await fx.sandbox.exchange.fetchOrder(ACCOUNT_ID, id))?.status).toBe('filled'), { timeout: 15_000, interval: 20 });
    await expectExactlyOneOrder(id);
  });
});

describe('faults before anything happens', () => {
  it('503 / 502 from the gateway (ExchangeNotAvailable): no order', async () => {
    fx.sandbox.faults.inject({ kind: 'http_error', status: 503 });
    fx.sandbox.faults.inject({ kind: 'http_error', status: 502 });
    for (const status of ['503', '502']) {
      const id = clientOrderId();
      const error = await failure(buy(id));
      expect(error).toBeInstanceOf(ccxt.ExchangeNotAvailable);
      expect(error.message).toContain(status);
      await expectNoOrder(id);
    }
  });

  it('503 with Binance\'s body before processing: -1001 (OperationFailed), no order', async () => {
    fx.sandbox.faults.inject({ kind: 'http_error', status: 503, body: 'binance' });
    const id = clientOrderId();
    const error = await failure(buy(id));
    expect(error).toBeInstanceOf(ccxt.OperationFailed);
    expect(error.message).toContain('"code":-1001');
    await expectNoOrder(id);
  });

  it('duplicate without the order: -2010 "Duplicate order sent.", nothing placed', async () => {
    fx.sandbox.faults.inject({ kind: 'duplicate' });
    const id = clientOrderId();
    const error = await failure(buy(id));
    expect(error).toBeInstanceOf(ccxt.InvalidOrder);
    expect(error.message).toContain('-2010');
    await expectNoOrder(id);
  });

  it('429 with Retry-After (-1003), then 418 while the client keeps sending in the window, then normal service', async () => {
    fx.sandbox.faults.inject({ kind: 'rate_limit', retryAfterSeconds: 2, banSeconds: 3 });
    const limited = await failure(client.fetchBalance());
    expect(limited).toBeInstanceOf(ccxt.DDoSProtection);
    expect(limited.message).toContain('429');
    expect(limited.message).toContain('"code":-1003');
    expect(client.last_response_headers!['Retry-After']).toBe('2');

    const banned = await failure(client.fetchTicker('BTC/USDT'));
    expect(banned).toBeInstanceOf(ccxt.DDoSProtection);
    expect(banned.message).toContain('418');
    expect(banned.message).toContain('"code":-1003');
    expect(banned.message).toContain('banned until');
    expect(client.last_response_headers!['Retry-After']).toBe('3');

    fx.clock.offsetMs += 3_001;
    expect((await client.fetchBalance())['USDT']!.free).toBe(100000);
  });

  it('a fault with a duration applies to every matching request until it ends; others pass', async () => {
    fx.sandbox.faults.inject({ kind: 'http_error', status: 503, method: 'GET', path: '/api/v3/account', forMs: 4000 });
    expect(await failure(client.fetchBalance())).toBeInstanceOf(ccxt.ExchangeNotAvailable);
    expect(await failure(client.fetchBalance())).toBeInstanceOf(ccxt.ExchangeNotAvailable);
    expect((await client.fetchTicker('BTC/USDT')).last).toBe(97000);
    expect(fx.sandbox.faults.pending()).toHaveLength(1);
    fx.clock.offsetMs += 4_001;
    expect(fx.sandbox.faults.pending()).toEqual([]);
    expect((await client.fetchBalance())['BTC']!.free).toBe(1);
  });
});

describe('admin endpoint', () => {
  const token = 'admin-token-for-tests';

  it('drives faults and prices over HTTP with the admin token; refuses without it', async () => {
    await fx.sandbox.close();
    fx = await startSandbox({ adminToken: token });
    await client.close();
    client = restClient(fx.sandbox);
    const admin = (method: string, path: string, body?: unknown, auth = `Bearer ${token}`) =>
      fetch(`${fx.sandbox.httpUrl}${path}`, { method, headers: { Authorization: auth, 'Content-Type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

    expect((await admin('GET', '/sandbox/faults', undefined, 'Bearer wrong')).status).toBe(401);
    expect((await fetch(`${fx.sandbox.httpUrl}/sandbox/faults`)).status).toBe(401);
    const bad = await admin('POST', '/sandbox/faults', [{ kind: 'latency', ms: 5 }, { kind: 'http_error', status: 501 }]);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('status');
    expect(fx.sandbox.faults.pending()).toEqual([]); // all or nothing

    const injected = await admin('POST', '/sandbox/faults', [{ kind: 'http_error', status: 500, when: 'after' }, { kind: 'latency', ms: 1, times: 3 }]);
    expect(injected.status).toBe(200);
    const { ids } = (await injected.json()) as { ids: string[] };
    expect(ids).toHaveLength(2);
    expect(((await (await admin('GET', '/sandbox/faults')).json()) as { pending: unknown[] }).pending).toHaveLength(2);

    const id = clientOrderId();
    const error = await failure(buy(id));
    expect(error).toBeInstanceOf(ccxt.OperationFailed);
    expect(error.message).toContain('-1006');
    await expectExactlyOneOrder(id);

    expect((await admin('DELETE', '/sandbox/faults')).status).toBe(200);
    expect(fx.sandbox.faults.pending()).toEqual([]);

    const moved = await admin('POST', '/sandbox/price', { symbol: 'BTCUSDT', price: '98765.43' });
    expect(moved.status).toBe(200);
    expect((await client.fetchTicker('BTC/USDT')).last).toBe(98765.43);

    const dropped = await admin('POST', '/sandbox/faults', { kind: 'drop_user_streams' });
    expect(await dropped.json()).toMatchObject({ dropped: 0 });
  });
});
