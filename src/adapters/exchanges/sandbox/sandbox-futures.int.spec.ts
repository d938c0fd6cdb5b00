/**
 * The sandbox's USDⓈ-M futures subset (/fapi) through the unmodified ccxt binance client with
 * defaultType 'swap': markets, leverage and margin type with Binance's refusals, margin against
 * the wallet, reduce-only exits, resting limits, look-ups by clientOrderId, cancels, trades,
 * positions, and the REST faults applying to /fapi as to /api/v3.
 */
import ccxt from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, ACCOUNT_ID, SECRET, clientOrderId, failure, startSandbox, type SandboxFixture } from './test-support/sandbox-fixture.js';
import { until } from './test-support/polling.js';

const BTC = 'BTC/USDT:USDT';
const SOL = 'SOL/USDT:USDT';

let fixture: SandboxFixture | undefined;
afterEach(async () => {
  await fixture?.sandbox.close();
  fixture = undefined;
});

async function swapClient() {
  fixture = await startSandbox({ futuresWallets: { [ACCOUNT_ID]: '10000' } });
  const client = new ccxt.binance({
    apiKey: API_KEY, secret: SECRET, timeout: 3000, enableRateLimit: false, urls: { api: fixture.sandbox.ccxtUrls() },
    options: { fetchCurrencies: false, fetchMarkets: { types: ['linear'] }, defaultType: 'swap' },
  });
  await client.loadMarkets();
  return { client, sandbox: fixture.sandbox, feed: fixture.feed };
}

describe('sandbox USDⓈ-M futures through ccxt', () => {
  it('lists the USDT markets as linear perpetuals with their filters', async () => {
    const { client } = await swapClient();
    const btc = client.market(BTC);
    expect([btc.swap, btc.linear, btc.settle, btc.contractSize, btc.id]).toEqual([true, true, 'USDT', 1, 'BTCUSDT']);
    expect([btc.precision.amount, btc.precision.price, btc.limits.cost?.min]).toEqual([0.00001, 0.01, 5]);
    expect(Object.keys(client.markets ?? {}).every((s) => s.endsWith(':USDT'))).toBe(true);
  });

  it('sets leverage and margin type per symbol, with Binance refusals: bounds -4028, same type -4046, with a position -4048, with open orders -4047', async () => {
    const { client, sandbox } = await swapClient();
    expect(await client.setLeverage(5, BTC)).toMatchObject({ leverage: 5, symbol: 'BTCUSDT' });
    expect(await client.setMarginMode('isolated', BTC)).toMatchObject({ code: 200 });
    expect(sandbox.futures.settings(ACCOUNT_ID, 'BTC/USDT')).toEqual({ leverage: 5, marginType: 'ISOLATED' });
    const again = await failure(client.setMarginMode('isolated', BTC));
    expect([again.constructor.name, again.message]).toEqual(['MarginModeAlreadySet', 'binance {"code":-4046,"msg":"No need to change margin type."}']);
    // SOL's bracket tops out at 50
    const tooHigh = await failure(client.setLeverage(75, SOL));
    expect(tooHigh.message).toContain('"code":-4028');
    expect(tooHigh.message).toContain('Leverage 75 is not valid');
    expect(sandbox.futures.settings(ACCOUNT_ID, 'SOL/USDT').leverage).toBe(20);

    await client.createOrder(SOL, 'limit', 'buy', 1, 100);
    expect((await failure(client.setMarginMode('isolated', SOL))).message).toContain('"code":-4047');
    await client.createOrder(BTC, 'market', 'buy', 0.01);
    expect((await failure(client.setMarginMode('cross', BTC))).message).toContain('"code":-4048');
    expect(sandbox.futures.settings(ACCOUNT_ID, 'BTC/USDT').marginType).toBe('ISOLATED');
    expect(sandbox.futures.journal(ACCOUNT_ID).map((e) => e.kind)).toEqual(['leverage', 'marginType', 'order', 'order']);
  });

  it('holds notional / leverage as margin: an order the wallet cannot carry is refused with -2019 and nothing opens', async () => {
    const { client, sandbox } = await swapClient();
    await client.setLeverage(2, BTC);
    // 10,000 USDT at 2x carries about 20,000 of notional: 0.2 BTC at 97,000 is 19,400 (+ fees) — fits; 0.21 does not
    const refused = await failure(client.createOrder(BTC, 'market', 'buy', 0.21, undefined, { clientOrderId: 'toobig' }));
    expect(refused.message).toContain('{"code":-2019,"msg":"Margin is insufficient."}');
    expect(sandbox.placements('toobig')).toMatchObject({ received: 1, accepted: 0, refused: 1 });
    expect(await client.fetchPositions([BTC])).toEqual([]);
    await client.setLeverage(10, BTC);
    const placed = await client.createOrder(BTC, 'market', 'buy', 0.21);
    expect([placed.status, placed.filled, placed.average]).toEqual(['closed', 0.21, 97000]);
    const [position] = await client.fetchPositions([BTC]);
    expect([position?.side, position?.contracts, position?.entryPrice]).toEqual(['long', 0.21, 97000]);
    const balance = await client.fetchBalance();
    // margin 0.21 x 97,000 / 10 = 2,037 used; the taker fee (4 bps of 20,370 = 8.148) left the wallet
    expect(balance.USDT).toEqual({ free: 7954.852, used: 2037, total: 9991.852 });
  });

  it('a reduce-only order that would flip the position is refused (-2022); one within it closes and realises the PnL', async () => {
    const { client, sandbox, feed } = await swapClient();
    await client.createOrder(BTC, 'market', 'buy', 0.02);
    const flip = await failure(client.createOrder(BTC, 'market', 'sell', 0.03, undefined, { reduceOnly: true, clientOrderId: 'flip1' }));
    expect(flip.message).toContain('{"code":-2022,"msg":"ReduceOnly Order is rejected."}');
    expect(sandbox.placements('flip1')).toMatchObject({ accepted: 0, refused: 1 });
    // reduce-only on the same side as the position grows it: refused too
    expect((await failure(client.createOrder(BTC, 'market', 'buy', 0.01, undefined, { reduceOnly: true }))).message).toContain('"code":-2022');
    feed.setPrice('BTC/USDT', '98000');
    const exit = await client.createOrder(BTC, 'market', 'sell', 0.02, undefined, { reduceOnly: true, clientOrderId: 'exit1' });
    expect([exit.status, exit.reduceOnly]).toEqual(['closed', true]);
    expect(await client.fetchPositions([BTC])).toEqual([]);
    const trades = await client.fetchMyTrades(BTC);
    expect(trades.map((t) => [t.side, t.amount, t.price])).toEqual([['buy', 0.02, 97000], ['sell', 0.02, 98000]]);
    expect((trades[1]!.info as { realizedPnl: string }).realizedPnl).toBe('20');
  });

  it('a limit order rests, is found by clientOrderId and in the open orders, fills when the price reaches it, and a cancel of a filled one is -2011', async () => {
    const { client, feed } = await swapClient();
    const id = clientOrderId();
    await client.createOrder(BTC, 'limit', 'buy', 0.01, 96000, { clientOrderId: id });
    const resting = await client.fetchOrder(undefined as unknown as string, BTC, { clientOrderId: id });
    expect([resting.status, resting.clientOrderId, resting.price]).toEqual(['open', id, 96000]);
    expect((await client.fetchOpenOrders(BTC)).map((o) => o.clientOrderId)).toEqual([id]);
    feed.setPrice('BTC/USDT', '95900');
    const filled = await until(() => client.fetchOrder(undefined as unknown as string, BTC, { clientOrderId: id }), (o) => o.status === 'closed', 'the limit to fill');
    expect([filled.status, filled.filled, filled.average]).toEqual(['closed', 0.01, 96000]);
    expect((await failure(client.cancelOrder(filled.id!, BTC))).message).toContain('"code":-2011');
    const other = await client.createOrder(BTC, 'limit', 'buy', 0.01, 90000);
    expect((await client.cancelOrder(other.id!, BTC)).status).toBe('canceled');
    expect(await client.fetchOpenOrders(BTC)).toEqual([]);
    expect((await failure(client.fetchOrder(undefined as unknown as string, BTC, { clientOrderId: 'nosuchorder' }))).constructor.name).toBe('OrderNotFound');
  });

  it('REST faults apply to /fapi: a 503 before processing on /fapi/v1/leverage changes nothing; a lost answer on /fapi/v1/order still places it', async () => {
    const { client, sandbox } = await swapClient();
    sandbox.faults.inject({ kind: 'http_error', status: 503, method: 'POST', path: '/fapi/v1/leverage' });
    expect((await failure(client.setLeverage(7, BTC))).constructor.name).toBe('ExchangeNotAvailable');
    expect(sandbox.futures.settings(ACCOUNT_ID, 'BTC/USDT').leverage).toBe(20);
    sandbox.faults.inject({ kind: 'http_error', status: 500, when: 'after', method: 'POST', path: '/fapi/v1/order' });
    await failure(client.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 'lost1' }));
    expect(sandbox.placements('lost1')).toMatchObject({ received: 1, accepted: 1 });
    expect((await client.fetchOrder(undefined as unknown as string, BTC, { clientOrderId: 'lost1' })).status).toBe('closed');
  });

  it('refuses hedge-mode position sides and orders off the lot step', async () => {
    const { client } = await swapClient();
    expect((await failure(client.createOrder(BTC, 'market', 'buy', 0.01, undefined, { positionSide: 'LONG' }))).message).toContain('"code":-4061');
    const raw = client as unknown as { fapiPrivatePostOrder(p: object): Promise<unknown> };
    expect((await failure(raw.fapiPrivatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.000015' }))).message).toContain('LOT_SIZE');
    // 0.00005 BTC at 97,000 is 4.85 USDT, under the 5 USDT minimum (a reduce-only order may be smaller)
    expect((await failure(client.createOrder(BTC, 'market', 'buy', 0.00005))).message).toContain('"code":-4164');
  });
});
