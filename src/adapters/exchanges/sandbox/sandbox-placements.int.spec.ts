/**
 * Placement attempts counted per clientOrderId at the sandbox's API, through the real ccxt
 * client: requests received, orders accepted (created), refusals with Binance's code, so tests
 * elsewhere can assert that every clientOrderId was accepted at most once.
 */
import ccxt from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientOrderId, failure, restClient, startSandbox, type BinanceClient, type SandboxFixture } from './test-support/sandbox-fixture.js';

const TOKEN = 'admin-token-placements';
let fx: SandboxFixture;
let client: BinanceClient;

beforeEach(async () => {
  fx = await startSandbox({ adminToken: TOKEN });
  client = restClient(fx.sandbox);
  await client.loadMarkets();
});

afterEach(async () => {
  await client.close();
  await fx.sandbox.close();
});

const buy = (id: string, symbol = 'BTC/USDT') => client.createOrder(symbol, 'market', 'buy', symbol === 'BTC/USDT' ? 0.001 : 10, undefined, { clientOrderId: id });

describe('placements per clientOrderId', () => {
  it('counts received, accepted and refused requests, with the last refusal', async () => {
    const placed = clientOrderId();
    await buy(placed);
    expect(fx.sandbox.placements(placed)).toEqual({ received: 1, accepted: 1, refused: 0 });

    const resting = clientOrderId();
    await client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 90000, { clientOrderId: resting });
    expect(await failure(client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 90000, { clientOrderId: resting }))).toBeInstanceOf(ccxt.InvalidOrder);
    expect(fx.sandbox.placements(resting)).toEqual({ received: 2, accepted: 1, refused: 1, lastRefusal: { code: -2010, msg: 'Duplicate order sent.' } });

    const halted = clientOrderId();
    expect(await failure(buy(halted, 'FTT/USDT'))).toBeInstanceOf(ccxt.MarketClosed);
    expect(fx.sandbox.placements(halted)).toEqual({ received: 1, accepted: 0, refused: 1, lastRefusal: { code: -1013, msg: 'Market is closed.' } });

    expect(fx.sandbox.placements(clientOrderId())).toEqual({ received: 0, accepted: 0, refused: 0 });
  });

  it('faults: refused before the exchange (503, 429) count as refusals; accepted then failed (500 after, hang) as accepted', async () => {
    const gateway = clientOrderId();
    fx.sandbox.faults.inject({ kind: 'http_error', status: 503 });
    expect(await failure(buy(gateway))).toBeInstanceOf(ccxt.ExchangeNotAvailable);
    expect(fx.sandbox.placements(gateway)).toEqual({ received: 1, accepted: 0, refused: 1, lastRefusal: { code: 503, msg: 'HTTP 503' } });

    const after = clientOrderId();
    fx.sandbox.faults.inject({ kind: 'http_error', status: 500, when: 'after' });
    expect(await failure(buy(after))).toBeInstanceOf(ccxt.OperationFailed);
    expect(await failure(buy(after))).toBeInstanceOf(ccxt.InvalidOrder); // a blind retry: the paper exchange keeps ids unique
    expect(fx.sandbox.placements(after)).toEqual({ received: 2, accepted: 1, refused: 1, lastRefusal: { code: -2010, msg: 'Duplicate order sent.' } });

    const hung = clientOrderId();
    fx.sandbox.faults.inject({ kind: 'timeout', mode: 'destroy' });
    expect(await failure(buy(hung))).toBeInstanceOf(ccxt.NetworkError);
    expect(fx.sandbox.placements(hung)).toEqual({ received: 1, accepted: 1, refused: 0 });

    const limited = clientOrderId();
    fx.sandbox.faults.inject({ kind: 'rate_limit', retryAfterSeconds: 1, path: '/api/v3/order', method: 'POST' });
    expect(await failure(buy(limited))).toBeInstanceOf(ccxt.DDoSProtection);
    expect(fx.sandbox.placements(limited)).toMatchObject({ received: 1, accepted: 0, refused: 1, lastRefusal: { code: -1003 } });
  });

  it('an order without clientOrderId is counted under the id the sandbox gave it; GET /sandbox/placements returns the map', async () => {
    const order = await client.createOrder('BTC/USDT', 'market', 'buy', 0.001);
    expect(fx.sandbox.placements(order.clientOrderId!)).toEqual({ received: 1, accepted: 1, refused: 0 });
    const named = clientOrderId();
    await buy(named);

    const headers = { Authorization: `Bearer ${TOKEN}` };
    const all = (await (await fetch(`${fx.sandbox.httpUrl}/sandbox/placements`, { headers })).json()) as Record<string, unknown>;
    expect(all).toEqual({ [order.clientOrderId!]: { received: 1, accepted: 1, refused: 0 }, [named]: { received: 1, accepted: 1, refused: 0 } });
    expect(all).toEqual(fx.sandbox.placementStats());
    const one = await (await fetch(`${fx.sandbox.httpUrl}/sandbox/placements?clientOrderId=${named}`, { headers })).json();
    expect(one).toEqual({ [named]: { received: 1, accepted: 1, refused: 0 } });
    expect((await fetch(`${fx.sandbox.httpUrl}/sandbox/placements`)).status).toBe(401);
  });
});
