/**
 * A paper account on a real exchange's live public prices (PATRIOT_PAPER_PRICES): a dry run that
 * sizes, fills and marks at the exchange's prices, with no keys. Against the sandbox's public data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceSandbox } from '../adapters/exchanges/sandbox/binance-sandbox.js';
import { Dec } from '../domain/shared/decimal.js';
import { cleanupTempDirs, demoOf, fetchJson, marketAlert, postAlert, quiesce, startTestServer, waitUntil, type TestServer } from '../../test/support/server.js';

let sandbox: BinanceSandbox;
let server: TestServer;
beforeAll(async () => {
  sandbox = await BinanceSandbox.start({ accounts: [] });
  server = await startTestServer({ config: { paperPrices: 'binance', exchangeUrls: { binance: sandbox.httpUrl } } });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await sandbox?.close();
  cleanupTempDirs();
});

describe('paper accounts on live public prices', () => {
  it("sizes, fills and marks a paper order at the exchange's live price, not the synthetic feed's", async () => {
    const { runtime } = server;
    const demo = demoOf(runtime);
    runtime.feed.setPrice('BTC/USDT', '10000'); // the synthetic feed says something else entirely
    const live = sandbox.setPrice('BTC/USDT', '55555');
    await waitUntil(async () => {
      const prices = await fetchJson<{ items: { symbol: string; price: string; source: string }[] }>(runtime, `/api/v1/prices?accountId=${demo.accountId}&symbols=BTC/USDT`);
      const btc = prices.body.items.find((i) => i.symbol === 'BTC/USDT');
      return btc !== undefined && new Dec(btc.price).equals(new Dec(live.price)) && /binance/.test(btc.source);
    }, 'the live price of BTC/USDT for the paper account', 20_000);
    expect((await postAlert(runtime, marketAlert(demo.secret, { id: 'dry-run-1', quantity: '0.01' }))).status).toBe(202);
    await quiesce(runtime);
    const fills = await fetchJson<{ items: { price: string }[] }>(runtime, `/api/v1/fills?accountId=${demo.accountId}`);
    const price = new Dec(fills.body.items[0]!.price);
    // filled at the live price plus the paper exchange's slippage (5 bps), nowhere near the synthetic 10,000
    expect(price.greaterThanOrEqualTo(new Dec(live.price)) && price.lessThanOrEqualTo(new Dec(live.price).times('1.001')), price.toFixed()).toBe(true);
  });
});
