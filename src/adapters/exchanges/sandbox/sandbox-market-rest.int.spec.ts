/**
 * REST market data through the real ccxt client (tickers, bids/asks, OHLCV, order book, trades)
 * and the admin endpoints that move prices, halt symbols and list market-data connections.
 */
import ccxt from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failure, restClient, startSandbox, type BinanceClient, type SandboxFixture } from './test-support/sandbox-fixture.js';

const TOKEN = 'admin-token-market';
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

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${fx.sandbox.httpUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('REST market data via ccxt', () => {
  it('fetchTicker has the feed price, a book one tick around it and plausible 24 h fields; it follows movePrice', async () => {
    fx.sandbox.setPrice('DOGE/USDT', '0.32');
    const ticker = await client.fetchTicker('DOGE/USDT');
    expect(ticker).toMatchObject({ symbol: 'DOGE/USDT', last: 0.32, bid: 0.31999, ask: 0.32001 });
    expect(ticker.high).toBeGreaterThanOrEqual(0.32);
    expect(ticker.low).toBeLessThanOrEqual(0.32);
    expect(ticker.open).toBeGreaterThan(0);
    expect(ticker.baseVolume).toBeGreaterThan(0);
    expect(ticker.quoteVolume).toBeGreaterThan(0);
    expect(ticker.vwap).toBeGreaterThan(ticker.low!);
    expect(ticker.change).toBeCloseTo(0.32 - ticker.open!, 8);

    fx.sandbox.movePrice('DOGE/USDT', 40);
    const up = await client.fetchTicker('DOGE/USDT');
    expect(up).toMatchObject({ last: 0.448, high: 0.448 });
    expect(up.percentage).toBeGreaterThan(20);
    expect((await client.fetchTicker('DOGE/USDT', { type: 'MINI' })).last).toBe(0.448);
  });

  it('fetchTickers for all and for some symbols, fetchBidsAsks, fetchOrderBook and fetchTrades', async () => {
    const all = await client.fetchTickers();
    expect(Object.keys(all).length).toBeGreaterThanOrEqual(50);
    expect(all['SHIB/USDT']!.last).toBe(0.0000215);
    const some = await client.fetchTickers(['BTC/USDT', 'ETH/BTC']);
    expect(Object.keys(some).sort()).toEqual(['BTC/USDT', 'ETH/BTC']);
    expect(some['ETH/BTC']!.last).toBe(0.03505);

    const books = await client.fetchBidsAsks(['BTC/USDT', 'ETH/USDT']);
    expect(books['BTC/USDT']).toMatchObject({ bid: 96999.99, ask: 97000.01 });
    expect(books['ETH/USDT']!.bidVolume).toBeGreaterThan(0);

    const book = await client.fetchOrderBook('BTC/USDT', 5);
    expect(book.bids.map(([price]) => price)).toEqual([96999.99, 96999.98, 96999.97, 96999.96, 96999.95]);
    expect(book.asks[0]![0]).toBe(97000.01);

    fx.sandbox.setPrice('BTC/USDT', '97100');
    const trades = await client.fetchTrades('BTC/USDT');
    expect(trades.at(-1)).toMatchObject({ symbol: 'BTC/USDT', price: 97100, side: 'buy' });
  });

  it('fetchOHLCV: candles of the interval, continuous, plausible, the last one closing at the price; since and limit honoured', async () => {
    fx.sandbox.setPrice('ETH/USDT', '3500');
    const hours = await client.fetchOHLCV('ETH/USDT', '1h', undefined, 48);
    expect(hours).toHaveLength(48);
    for (const [i, [time, open, high, low, close, volume]] of hours.entries()) {
      if (i > 0) {
        expect(time! - hours[i - 1]![0]!).toBe(3_600_000);
        expect(open).toBeCloseTo(hours[i - 1]![4]!, 2); // each candle opens where the previous closed
      }
      expect(high).toBeGreaterThanOrEqual(Math.max(open!, close!));
      expect(low).toBeLessThanOrEqual(Math.min(open!, close!));
      expect(volume).toBeGreaterThan(0);
      expect(low).toBeGreaterThan(3500 * 0.5);
      expect(high).toBeLessThan(3500 * 1.5);
    }
    expect(hours.at(-1)![4]).toBe(3500);
    expect(hours.at(-1)![0]).toBe(Math.floor(fx.clock.now() / 3_600_000) * 3_600_000);

    const since = Math.floor(fx.clock.now() / 60_000) * 60_000 - 30 * 60_000;
    const minutes = await client.fetchOHLCV('ETH/USDT', '1m', since, 10);
    expect(minutes.map(([time]) => time)).toEqual(Array.from({ length: 10 }, (_, i) => since + i * 60_000));

    const weeks = await client.fetchOHLCV('BTC/USDT', '1w', undefined, 3);
    expect(weeks).toHaveLength(3);
    expect(new Date(weeks[0]![0]!).getUTCDay()).toBe(1); // weeks open on Monday
    const months = await client.fetchOHLCV('BTC/USDT', '1M', undefined, 2);
    expect(new Date(months[1]![0]!).getUTCDate()).toBe(1);

    const bad = await failure(client.publicGetKlines({ symbol: 'BTCUSDT', interval: '7m' }));
    expect(bad).toBeInstanceOf(ccxt.BadRequest);
    expect(bad.message).toContain('-1120');
  });
});

describe('admin endpoints for market data', () => {
  it('POST /sandbox/price sets a price or moves it by a percentage, on any listed symbol; errors are 400', async () => {
    expect(await admin('POST', '/sandbox/price', { symbol: 'PEPEUSDT', price: '0.00002' })).toEqual({ status: 200, body: { symbol: 'PEPE/USDT', price: '0.00002' } });
    expect(await admin('POST', '/sandbox/price', { symbol: 'PEPE/USDT', movePct: -40 })).toEqual({ status: 200, body: { symbol: 'PEPE/USDT', price: '0.000012' } });
    expect((await client.fetchTicker('PEPE/USDT')).last).toBe(0.000012);
    expect((await admin('POST', '/sandbox/price', { symbol: 'NOPE/USDT', price: '1' })).status).toBe(400);
    expect((await admin('POST', '/sandbox/price', { symbol: 'BTC/USDT', movePct: -100 })).status).toBe(400);
    expect((await admin('POST', '/sandbox/price', { symbol: 'BTC/USDT', price: '1', movePct: 3 })).status).toBe(400);
  });

  it('market-stream faults over POST /sandbox/faults: listed by GET, ended by DELETE; price_jump and symbol status', async () => {
    const injected = await admin('POST', '/sandbox/faults', [{ kind: 'silence_market_streams', connection: 3, forMs: 60_000 }, { kind: 'price_jump', symbol: 'AVAX/USDT', pct: 40 }]);
    expect(injected.status).toBe(200);
    expect((await client.fetchTicker('AVAX/USDT')).last).toBe(53.2);
    const listed = await admin('GET', '/sandbox/faults');
    expect(listed.body.pending).toEqual([expect.objectContaining({ fault: { kind: 'silence_market_streams', connection: 3, forMs: 60_000 }, connections: [3] })]);
    expect((await admin('DELETE', '/sandbox/faults')).body).toEqual({ pending: [] });
    expect(await admin('POST', '/sandbox/faults', { kind: 'drop_market_streams' })).toMatchObject({ status: 200, body: { droppedMarketStreams: 0 } });
    expect((await admin('POST', '/sandbox/faults', { kind: 'price_jump', symbol: 'NOPE', pct: 5 })).status).toBe(400);
    expect((await admin('POST', '/sandbox/faults', { kind: 'silence_market_streams', connection: 1, count: 2 })).status).toBe(400);
    expect(await admin('GET', '/sandbox/market-streams')).toEqual({ status: 200, body: { connections: [] } });

    expect(await admin('POST', '/sandbox/symbol-status', { symbol: 'BTC/USDT', status: 'BREAK' })).toEqual({ status: 200, body: { symbol: 'BTC/USDT', status: 'BREAK' } });
    const halted = await failure(client.createOrder('BTC/USDT', 'market', 'buy', 0.001));
    expect(halted).toBeInstanceOf(ccxt.MarketClosed);
    await client.loadMarkets(true);
    expect(client.markets!['BTC/USDT']!.active).toBe(false);
    fx.sandbox.setSymbolStatus('BTC/USDT', 'TRADING');
    expect((await client.createOrder('BTC/USDT', 'market', 'buy', 0.001)).status).toBe('closed');
  });
});
