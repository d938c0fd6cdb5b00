/**
 * The public market streams through the real, unmodified ccxt pro client (and a raw WebSocket
 * where exact message counts matter): tickers, bids/asks and trades follow the sandbox's prices,
 * every connection is independent, and the market-stream faults silence or cut them.
 */
import ccxt from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { eventually, until } from './test-support/polling.js';
import { failure, proClient, startSandbox, type BinanceProClient, type SandboxFixture } from './test-support/sandbox-fixture.js';

let fx: SandboxFixture;
const clients: BinanceProClient[] = [];
const sockets: WebSocket[] = [];

beforeEach(async () => {
  fx = await startSandbox();
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const client of clients.splice(0)) await client.close();
  await fx.sandbox.close();
});

async function pro(): Promise<BinanceProClient> {
  const client = proClient(fx.sandbox);
  clients.push(client);
  await client.loadMarkets();
  return client;
}

const tickerAt = (client: BinanceProClient, symbol: string, price: number) =>
  until(() => client.watchTicker(symbol), (t) => t.last === price, `${symbol} ticker at ${price}`);

/** A raw market-data connection that records every message it gets. */
async function rawConnection(streams: string[]): Promise<{ socket: WebSocket; messages: Record<string, unknown>[] }> {
  const socket = new WebSocket(`${fx.sandbox.wsUrl}/raw`);
  sockets.push(socket);
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: streams, id: 7 }));
  await eventually(() => messages.some((m) => m.id === 7), 'the SUBSCRIBE reply');
  expect(messages.find((m) => m.id === 7)).toEqual({ result: null, id: 7 });
  return { socket, messages };
}

describe('market streams via ccxt pro', () => {
  it('watchTicker, watchBidsAsks and watchTrades follow setPrice and movePrice by +40 % and -40 %', async () => {
    const client = await pro();
    fx.sandbox.setPrice('SOL/USDT', '200');
    const first = await tickerAt(client, 'SOL/USDT', 200);
    expect(first).toMatchObject({ symbol: 'SOL/USDT' });
    expect(first.high).toBeGreaterThanOrEqual(200);
    expect(first.low).toBeLessThanOrEqual(200);
    expect(first.baseVolume).toBeGreaterThan(0);
    expect(first.open).toBeGreaterThan(0);

    const trades = client.watchTrades('SOL/USDT');
    await eventually(() => fx.sandbox.marketStreams().some((c) => c.streams.includes('solusdt@trade')), 'the trade subscription');
    expect(fx.sandbox.movePrice('SOL/USDT', 40)).toEqual({ symbol: 'SOL/USDT', price: '280' });
    const [trade] = await trades;
    expect(trade).toMatchObject({ symbol: 'SOL/USDT', price: 280, side: 'buy' });
    expect(trade!.amount).toBeGreaterThan(0);
    expect(await tickerAt(client, 'SOL/USDT', 280)).toMatchObject({ high: 280 });
    const book = await until(() => client.watchBidsAsks(['SOL/USDT']), (b) => b['SOL/USDT']?.bid === 279.99, 'the book around 280');
    expect(book['SOL/USDT']).toMatchObject({ bid: 279.99, ask: 280.01 });

    const downTrades = client.watchTrades('SOL/USDT');
    fx.sandbox.movePrice('SOL/USDT', -40);
    const [down] = await downTrades;
    expect(down).toMatchObject({ price: 168, side: 'sell' });
    await tickerAt(client, 'SOL/USDT', 168);
    await until(() => client.watchBidsAsks(['SOL/USDT']), (b) => b['SOL/USDT']?.ask === 168.01, 'the book around 168');
  });

  it('watchTickers for a list and for every symbol, on a small-price market too', async () => {
    const client = await pro();
    fx.sandbox.setPrice('SHIB/USDT', '0.00002');
    const some = await until(() => client.watchTickers(['SHIB/USDT', 'ETH/USDT']), () => client.tickers['SHIB/USDT']?.last === 0.00002 && client.tickers['ETH/USDT'] !== undefined, 'SHIB and ETH tickers');
    expect(Object.keys(some).every((symbol) => symbol === 'SHIB/USDT' || symbol === 'ETH/USDT')).toBe(true);
    const all = await until(() => client.watchTickers(), (tickers) => Object.keys(tickers).length >= 50, 'every ticker');
    expect(all['BTC/USDT']!.last).toBeGreaterThan(0);
  });

  it('two connections to the same streams both receive every price', async () => {
    const a = await pro();
    const b = await pro();
    await Promise.all([a.watchTicker('BTC/USDT'), b.watchTicker('BTC/USDT')]);
    const connections = fx.sandbox.marketStreams();
    expect(connections.filter((c) => c.streams.some((s) => s.startsWith('btcusdt@'))).length).toBe(2);
    fx.sandbox.movePrice('BTC/USDT', 40);
    await Promise.all([tickerAt(a, 'BTC/USDT', 135800), tickerAt(b, 'BTC/USDT', 135800)]);
    fx.sandbox.setPrice('BTC/USDT', '90000');
    await Promise.all([tickerAt(a, 'BTC/USDT', 90000), tickerAt(b, 'BTC/USDT', 90000)]);
  });
});

describe('market-stream faults', () => {
  it('silencing one of two connections: it gets nothing while the other goes on; clearing the fault ends the silence', async () => {
    const silent = await rawConnection(['ethusdt@ticker', 'ethusdt@trade']);
    const live = await pro();
    await live.watchTicker('ETH/USDT');
    const [raw] = fx.sandbox.marketStreams();
    expect(raw).toMatchObject({ connection: 1, path: '/ws/raw', silenced: false });

    const id = fx.sandbox.faults.inject({ kind: 'silence_market_streams', connection: raw!.connection });
    expect(fx.sandbox.faults.pending()).toEqual([expect.objectContaining({ id, connections: [1], fault: { kind: 'silence_market_streams', connection: 1 } })]);
    expect(fx.sandbox.marketStreams().map((c) => c.silenced)).toEqual([true, false]);
    const before = silent.messages.length;

    fx.sandbox.movePrice('ETH/USDT', 40);
    await tickerAt(live, 'ETH/USDT', 4760);
    fx.sandbox.setPrice('ETH/USDT', '4000'); // the marker: once the live connection has it, the silent one had its chance too
    await tickerAt(live, 'ETH/USDT', 4000);
    expect(silent.socket.readyState).toBe(WebSocket.OPEN);

    fx.sandbox.faults.clear();
    fx.sandbox.setPrice('ETH/USDT', '3900');
    await eventually(() => silent.messages.slice(before).some((m) => m.e === 'trade' && m.p === '3900.00000000'), 'the trade at 3900 once the silence ended');
    // One socket keeps its order: the first thing after the silence is 3900, so nothing sent during it ever arrived.
    const during = (m: Record<string, unknown>) => ['4760.00000000', '4000.00000000'].some((p) => m.p === p || m.c === p);
    expect(silent.messages.slice(before).some(during)).toBe(false);
  });

  it('silencing the oldest ccxt connection (count 1) for a while: its watch stays pending, the other resolves, then it resumes', async () => {
    const first = await pro();
    const second = await pro();
    await first.watchTicker('LINK/USDT'); // the oldest connection
    await second.watchTicker('LINK/USDT');
    fx.sandbox.faults.inject({ kind: 'silence_market_streams', count: 1, forMs: 600_000 });
    const pending = first.watchTicker('LINK/USDT');
    fx.sandbox.setPrice('LINK/USDT', '30.8');
    await tickerAt(second, 'LINK/USDT', 30.8);

    fx.clock.offsetMs += 600_001; // the silence's duration ends (sandbox clock)
    fx.sandbox.setPrice('LINK/USDT', '31');
    // The pending watch resolves with the price set after the silence: 30.8, sent during it, never reached it.
    expect((await pending).last).toBe(31);
  });

  it('a silence of every connection covers connections opened later, until it is removed by id', async () => {
    const id = fx.sandbox.faults.silenceMarketStreams();
    const socket = new WebSocket(`${fx.sandbox.wsUrl}/0`);
    sockets.push(socket);
    const messages: Record<string, unknown>[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['xrpusdt@bookTicker'], id: 1 }));
    await eventually(() => fx.sandbox.marketStreams()[0]?.streams.length === 1, 'the subscription registered');
    fx.sandbox.setPrice('XRP/USDT', '2.5');
    expect(fx.sandbox.marketStreams()[0]).toMatchObject({ silenced: true, streams: ['xrpusdt@bookTicker'] });

    expect(fx.sandbox.faults.remove(id)).toBe(true);
    fx.sandbox.setPrice('XRP/USDT', '2.6');
    await eventually(() => messages.some((m) => m.s === 'XRPUSDT' && m.b === '2.59990000'), 'the XRP book after the silence');
    // The socket keeps its order: everything before the 2.6 book was sent during the silence, and none arrived,
    // not even the SUBSCRIBE reply.
    expect(messages.findIndex((m) => m.b === '2.59990000')).toBe(0);
  });

  it('drop_market_streams closes the connections: ccxt sees the close, and a new watch reconnects', async () => {
    const client = await pro();
    await client.watchTicker('BNB/USDT');
    const pending = client.watchTicker('BNB/USDT');
    fx.sandbox.faults.inject({ kind: 'drop_market_streams' });
    const error = await failure(pending);
    expect(error).toBeInstanceOf(ccxt.NetworkError);
    await eventually(() => fx.sandbox.marketStreams().length === 0, 'no connection left');
    fx.sandbox.setPrice('BNB/USDT', '700');
    await tickerAt(client, 'BNB/USDT', 700);
    expect(fx.sandbox.marketStreams()).toEqual([expect.objectContaining({ connection: 2 })]);
  });

  it('drops only the chosen connection, and price_jump moves a price once', async () => {
    const a = await pro();
    const b = await pro();
    await a.watchTicker('ADA/USDT'); // connection 1
    await b.watchTicker('ADA/USDT'); // connection 2
    const aPending = a.watchTicker('ADA/USDT');
    expect(fx.sandbox.faults.dropMarketStreams({ connection: 1 })).toBe(1);
    expect(await failure(aPending)).toBeInstanceOf(ccxt.NetworkError);
    fx.sandbox.setPrice('ADA/USDT', '1');
    fx.sandbox.faults.inject({ kind: 'price_jump', symbol: 'ADAUSDT', pct: -40 });
    await tickerAt(b, 'ADA/USDT', 0.6);
    expect(fx.sandbox.faults.pending()).toEqual([]);
  });
});

describe('raw Binance stream protocol', () => {
  it('answers SUBSCRIBE / LIST_SUBSCRIPTIONS / UNSUBSCRIBE with their ids, serves combined streams, and refuses bad names', async () => {
    const { socket, messages } = await rawConnection(['btcusdt@bookTicker', 'btcusdt@kline_1m']);
    socket.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 8 }));
    await eventually(() => messages.some((m) => m.id === 8), 'the list');
    expect(messages.find((m) => m.id === 8)).toEqual({ result: ['btcusdt@bookTicker', 'btcusdt@kline_1m'], id: 8 });
    socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@nonsense'], id: 9 }));
    await eventually(() => messages.some((m) => m.id === 9), 'the refusal');
    expect(messages.find((m) => m.id === 9)).toMatchObject({ error: { code: 2 }, id: 9 });
    socket.send(JSON.stringify({ method: 'UNSUBSCRIBE', params: ['btcusdt@bookTicker'], id: 10 }));
    await eventually(() => messages.some((m) => m.id === 10), 'the unsubscribe reply');
    expect(messages.some((m) => m.e === 'kline')).toBe(true);

    const combined = new WebSocket(`${fx.sandbox.httpUrl.replace('http', 'ws')}/stream?streams=dogeusdt@trade/dogeusdt@bookTicker`);
    sockets.push(combined);
    const wrapped: { stream: string; data: Record<string, unknown> }[] = [];
    combined.on('message', (data) => wrapped.push(JSON.parse(String(data)) as (typeof wrapped)[number]));
    await new Promise((resolve) => combined.once('open', resolve));
    fx.sandbox.setPrice('DOGE/USDT', '0.4');
    await eventually(() => wrapped.some((m) => m.stream === 'dogeusdt@trade'), 'a wrapped trade');
    expect(wrapped.find((m) => m.stream === 'dogeusdt@trade')!.data).toMatchObject({ e: 'trade', s: 'DOGEUSDT', p: '0.40000000' });
    expect(wrapped.find((m) => m.stream === 'dogeusdt@bookTicker')!.data).toMatchObject({ s: 'DOGEUSDT' });
  });
});
