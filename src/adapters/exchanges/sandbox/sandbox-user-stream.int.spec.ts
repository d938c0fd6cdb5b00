/**
 * The user-data stream through the real ccxt pro client (WebSocket API,
 * userDataStream.subscribe.signature) and the legacy listenKey stream over a raw WebSocket.
 */
import ccxt from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ACCOUNT_ID, clientOrderId, failure, proClient, startSandbox, type BinanceProClient, type SandboxFixture } from './test-support/sandbox-fixture.js';

let fx: SandboxFixture;
let pro: BinanceProClient;

beforeEach(async () => {
  fx = await startSandbox();
  pro = proClient(fx.sandbox);
  await pro.loadMarkets();
});

afterEach(async () => {
  await pro.close();
  await fx.sandbox.close();
});

describe('user-data stream via ccxt pro', () => {
  it('watchOrders sees NEW, then the fill of the resting limit order when the feed crosses it; watchMyTrades and watchBalance follow', async () => {
    await pro.authenticate({ type: 'spot' }); // resolves once the subscription is confirmed
    const id = clientOrderId();
    const newReport = pro.watchOrders('BTC/USDT');
    const placed = await pro.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 96000, { clientOrderId: id });
    const [accepted] = await newReport;
    expect(accepted).toMatchObject({ id: placed.id, clientOrderId: id, status: 'open', filled: 0, price: 96000, amount: 0.01 });

    const fillReport = pro.watchOrders('BTC/USDT');
    const tradeReport = pro.watchMyTrades('BTC/USDT');
    const balanceReport = pro.watchBalance();
    fx.feed.setPrice('BTC/USDT', '95900');
    const [filled] = await fillReport;
    expect(filled).toMatchObject({ id: placed.id, clientOrderId: id, status: 'closed', filled: 0.01, remaining: 0 });
    expect(filled!.cost).toBeCloseTo(960, 8);
    const [trade] = await tradeReport;
    expect(trade).toMatchObject({ order: placed.id, symbol: 'BTC/USDT', side: 'buy', price: 96000, amount: 0.01, takerOrMaker: 'maker' });
    expect(trade!.fee).toMatchObject({ currency: 'USDT', cost: 0.192 });
    const balance = await balanceReport;
    expect(balance['BTC']).toMatchObject({ free: 1.01, used: 0 });
    expect(balance['USDT']!.used).toBe(0);

    const rest = await pro.fetchOrder(placed.id!, 'BTC/USDT');
    expect(rest).toMatchObject({ status: 'closed', filled: 0.01 });
  });

  it('cancels arrive as canceled, and orders placed on the paper exchange directly stream and list like the others', async () => {
    await pro.authenticate({ type: 'spot' });
    let updates = pro.watchOrders('BTC/USDT');
    const limit = await pro.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 99000, { clientOrderId: clientOrderId() });
    expect((await updates).at(-1)).toMatchObject({ id: limit.id, status: 'open' });
    updates = pro.watchOrders('BTC/USDT');
    await pro.cancelOrder(limit.id!, 'BTC/USDT');
    expect((await updates).at(-1)).toMatchObject({ id: limit.id, status: 'canceled', clientOrderId: limit.clientOrderId });

    updates = pro.watchOrders('BTC/USDT');
    const id = clientOrderId();
    const direct = await fx.sandbox.exchange.placeOrder(ACCOUNT_ID, { clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.002' });
    expect(direct.kind).toBe('accepted');
    expect((await updates).at(-1)).toMatchObject({ clientOrderId: id, status: 'closed', filled: 0.002 });
    const trades = await pro.fetchMyTrades('BTC/USDT');
    expect(trades.map((t) => t.amount)).toEqual([0.002]);
  });

  it('after every user-data connection is dropped, the pending watch fails with NetworkError and a new watch resubscribes', async () => {
    await pro.authenticate({ type: 'spot' });
    const pending = pro.watchOrders('BTC/USDT');
    expect(fx.sandbox.faults.dropUserDataStreams()).toBe(1);
    const dropped = await failure(pending);
    expect(dropped).toBeInstanceOf(ccxt.NetworkError);

    await pro.authenticate({ type: 'spot' });
    const next = pro.watchOrders('BTC/USDT');
    const placed = await pro.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: clientOrderId() });
    const seen = await next;
    expect(seen.map((o) => o.id)).toContain(placed.id);
  });

  it('refuses a WebSocket API subscription signed with the wrong secret (-1022) or an unknown key (-2015)', async () => {
    const wrongSecret = proClient(fx.sandbox, { secret: 'not-the-secret' });
    const unknownKey = proClient(fx.sandbox, { apiKey: 'nobodysKey' });
    try {
      // authenticate() is the subscription alone (watchOrders would fail earlier, in loadMarkets' signed REST calls)
      const badSignature = await failure(authenticateExpectingFailure(wrongSecret));
      expect(badSignature).toBeInstanceOf(ccxt.AuthenticationError);
      expect(badSignature.message).toContain('-1022');
      const badKey = await failure(authenticateExpectingFailure(unknownKey));
      expect(badKey).toBeInstanceOf(ccxt.AuthenticationError);
      expect(badKey.message).toContain('-2015');
    } finally {
      await wrongSecret.close();
      await unknownKey.close();
    }
  });
});

/**
 * ccxt 4.5 parks concurrent authenticate() callers on an internal future that it rejects when the
 * subscription fails, whether or not anyone waits on it: that rejection would go unhandled.
 */
function authenticateExpectingFailure(client: BinanceProClient): Promise<void> {
  const attempt = client.authenticate({ type: 'spot' });
  const ws = (client.clients as Record<string, { futures: Record<string, Promise<unknown>> }>)[fx.sandbox.wsApiUrl];
  void ws?.futures['authenticate:signature:spot']?.catch(() => undefined);
  return attempt;
}

describe('legacy listenKey stream', () => {
  it('POST userDataStream gives a key whose /ws/<key> stream pushes raw executionReports; PUT keeps it, DELETE ends it (-1125 after)', async () => {
    const { listenKey } = (await pro.publicPostUserDataStream()) as { listenKey: string };
    expect(listenKey).toMatch(/^[A-Za-z0-9]{60}$/);
    expect(((await pro.publicPostUserDataStream()) as { listenKey: string }).listenKey).toBe(listenKey);

    const socket = new WebSocket(`${fx.sandbox.wsUrl}/${listenKey}`);
    const events: Record<string, unknown>[] = [];
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const firstReport = new Promise<void>((resolve) =>
      socket.on('message', (data) => {
        events.push(JSON.parse(String(data)) as Record<string, unknown>);
        if (events.some((e) => e.e === 'executionReport' && e.x === 'TRADE')) resolve();
      }),
    );
    const id = clientOrderId();
    const placed = await pro.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: id });
    await firstReport;
    socket.close();
    const reports = events.filter((e) => e.e === 'executionReport');
    expect(reports.map((e) => [e.x, e.X])).toEqual([
      ['NEW', 'NEW'],
      ['TRADE', 'FILLED'],
    ]);
    expect(reports[1]).toMatchObject({ s: 'BTCUSDT', c: id, S: 'BUY', o: 'MARKET', i: Number(placed.id), l: '0.00100000', z: '0.00100000', N: 'USDT', m: false });

    expect(await pro.publicPutUserDataStream({ listenKey })).toEqual({});
    expect(await pro.publicDeleteUserDataStream({ listenKey })).toEqual({});
    const gone = await failure(pro.publicPutUserDataStream({ listenKey }));
    expect(gone).toBeInstanceOf(ccxt.AuthenticationError);
    expect(gone.message).toContain('-1125');
  });
});
