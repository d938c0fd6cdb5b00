/**
 * Markets and prices through the API: each account answers its own exchange's list and prices
 * (here the paper exchange and its feed); symbol maps and tickers are checked against them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, demoOf, fetchJson, marketAlert, postAlert, quiesce, startTestServer, type TestServer } from '../../test/support/server.js';

interface Markets { accountId: string; exchange: string; venue: string; loaded: boolean; items: { symbol: string; status: string; precision: { price: string; amount: string }; limits: { minNotional: string } }[] }
interface Prices { venue: string; maxAgeMs: number; items: { symbol: string; price: string; source: string; ageMs: number; stale: boolean }[]; notListed?: string[] }
type Err = { error: { code: string; message: string } };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

describe("an account's markets and prices", () => {
  it('lists the markets of the account\'s exchange with precision, limits and status; filters; unknown accounts answer 404', async () => {
    const { runtime } = server;
    const demo = demoOf(runtime);
    const all = await fetchJson<Markets>(runtime, `/api/v1/markets?accountId=${demo.accountId}`);
    expect(all.status, all.text).toBe(200);
    expect(all.body).toMatchObject({ accountId: demo.accountId, exchange: 'paper', venue: 'the paper exchange', loaded: true });
    expect(all.body.items.map((m) => m.symbol)).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    expect(all.body.items[0]).toMatchObject({ status: 'trading', precision: { price: '0.01', amount: '0.00001' }, limits: { minNotional: '5' } });
    const eth = await fetchJson<Markets>(runtime, `/api/v1/markets?accountId=${demo.accountId}&q=eth`);
    expect(eth.body.items.map((m) => m.symbol)).toEqual(['ETH/USDT']);
    const index = await fetchJson<{ accounts: { accountId: string; markets: number }[] }>(runtime, '/api/v1/markets');
    expect(index.body.accounts).toContainEqual(expect.objectContaining({ accountId: demo.accountId, markets: 3 }));
    const missing = await fetchJson<Err>(runtime, '/api/v1/markets?accountId=acc_nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ACCOUNT_NOT_FOUND');
  });

  it('answers prices with their source and age; a moved price is seen at once; an unlisted symbol is named, never priced', async () => {
    const { runtime } = server;
    const demo = demoOf(runtime);
    runtime.feed.setPrice('BTC/USDT', '61000');
    const res = await fetchJson<Prices>(runtime, `/api/v1/prices?accountId=${demo.accountId}&symbols=BTC/USDT,DOGE/USDT`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ symbol: 'BTC/USDT', price: '61000', source: 'synthetic', stale: false })]);
    expect(res.body.notListed).toEqual(['DOGE/USDT']);
    expect(res.body.maxAgeMs).toBe(5000);
    runtime.feed.setPrice('BTC/USDT', '85400');
    const moved = await fetchJson<Prices>(runtime, `/api/v1/prices?accountId=${demo.accountId}&symbols=BTC/USDT`);
    expect(moved.body.items[0]!.price).toBe('85400');
    expect((await fetchJson<Err>(runtime, `/api/v1/prices?accountId=${demo.accountId}&symbols=BTC/USDT;DROP`)).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => `S${i}/USDT`).join(',');
    expect((await fetchJson<Err>(runtime, `/api/v1/prices?accountId=${demo.accountId}&symbols=${many}`)).body.error.code).toBe('TOO_MANY_SYMBOLS');
    // without an account: the paper feed, as before
    const feed = await fetchJson<{ items: { symbol: string }[] }>(runtime, '/api/v1/prices');
    expect(feed.body.items.map((i) => i.symbol)).toContain('BTC/USDT');
  });

  it('sizes on the account\'s own price: a quote amount buys for that amount at a moved price, and the position is marked with its source', async () => {
    const { runtime } = server;
    const demo = demoOf(runtime);
    runtime.feed.setPrice('BTC/USDT', '60000');
    expect((await postAlert(runtime, marketAlert(demo.secret, { id: 'md-1', quantity: '0.01' }))).status).toBe(202);
    await quiesce(runtime);
    const positions = await fetchJson<{ items: { symbol: string; markPrice?: string; markSource?: string; markStale?: boolean }[] }>(runtime, `/api/v1/positions?accountId=${demo.accountId}`);
    expect(positions.body.items.find((p) => p.symbol === 'BTC/USDT')).toMatchObject({ markPrice: '60000', markSource: 'synthetic', markStale: false });
  });

  it('refuses a symbol map naming a market the account\'s exchange does not list, and a ticker no account lists — never suggesting another market', async () => {
    const { runtime } = server;
    const demo = demoOf(runtime);
    const res = await fetchJson<Err>(runtime, '/api/v1/strategies', {
      json: { name: 'Doge', accounts: [{ accountId: demo.accountId, sizing: { kind: 'fixed_quantity', quantity: '10' }, orderTemplate: { type: 'market' } }], symbolMap: { 'BINANCE:DOGEUSDT': 'DOGE/USDT' } },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('SYMBOL_NOT_LISTED');
    expect(res.body.error.message).toContain('DOGE/USDT');
    expect(res.body.error.message).toContain('the paper exchange');

    const alert = await postAlert(runtime, { ...marketAlert(demo.secret, { id: 'md-doge', quantity: '10' }), ticker: 'BINANCE:DOGEUSDT' });
    const body = alert.body as unknown as Err;
    expect(alert.status).toBe(422);
    expect(body.error.code).toBe('UNKNOWN_SYMBOL');
    expect(body.error.message).toContain('the paper exchange');
    expect(body.error.message).not.toMatch(/BTC\/USDT|ETH\/USDT|SOL\/USDT/);
  });
});
