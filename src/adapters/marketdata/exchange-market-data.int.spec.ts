/**
 * ExchangeMarketData against the Binance-compatible sandbox's public streams, with the real,
 * unmodified ccxt pro binance client: two connections, ±40 % moves, one connection silenced or
 * dropped, both silenced (REST takes over), REST failing too (quotes age visibly).
 * Every wait polls for a positive state with a generous timeout; no duration is asserted.
 */
import { Agent } from 'node:http';
import ccxt from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Quote } from '../../application/ports/market-data.js';
import { BinanceSandbox } from '../exchanges/sandbox/binance-sandbox.js';
import { eventually } from '../exchanges/sandbox/test-support/polling.js';
import { restTickersOf } from './ccxt-market-shapes.js';
import { ExchangeMarketData } from './exchange-market-data.js';

const VENUE = 'sandbox:spot';
const CLIENT_OPTIONS = { fetchCurrencies: false, fetchMarkets: { types: ['spot'] }, defaultType: 'spot', streamLimits: { spot: 1 } };
const clock = { now: () => Date.now() };

let sandbox: BinanceSandbox;
let rest: InstanceType<typeof ccxt.binance>;
let md: ExchangeMarketData;
let quotes: Quote[];
let warnings: { fields: Record<string, unknown>; message: string }[];

beforeEach(async () => {
  // book tickers re-sent every 100 ms without a price change: a quiet market still shows a live connection
  sandbox = await BinanceSandbox.start({ accounts: [], tickerRefreshMs: 100 });
  const agent = new Agent();
  rest = new ccxt.binance({ urls: { api: sandbox.ccxtUrls() }, httpAgent: agent, timeout: 3000, enableRateLimit: false, options: CLIENT_OPTIONS });
  quotes = [];
  warnings = [];
  md = new ExchangeMarketData({
    venue: VENUE,
    createClient: () => new ccxt.pro.binance({ urls: { api: sandbox.ccxtUrls() }, httpAgent: agent, timeout: 3000, enableRateLimit: false, options: CLIENT_OPTIONS }),
    restTickers: restTickersOf(rest),
    clock,
    logger: { info: () => {}, warn: (fields, message) => warnings.push({ fields, message }), error: (fields, message) => warnings.push({ fields, message }) },
    silenceMs: 750,
    checkEveryMs: 200,
    restPollMs: 300,
    backoff: { initialMs: 250, maxMs: 1000 },
  });
  md.onQuote((q) => quotes.push(q));
});

afterEach(async () => {
  await md.close();
  await rest.close();
  await sandbox.close();
});

const state = (id: string): string | undefined => md.status().connections.find((c) => c.id === id)?.state;
const bothStreaming = (): boolean => state('ws-a') === 'streaming' && state('ws-b') === 'streaming';

async function following(symbols: string[]): Promise<void> {
  md.follow('spec', symbols);
  await eventually(bothStreaming, 'both connections streaming', 15_000);
  for (const symbol of symbols) await eventually(() => md.quote(symbol) !== undefined, `a first ${symbol} quote`);
}

async function priceSeen(symbol: string, price: string, source?: RegExp): Promise<Quote> {
  await eventually(() => {
    const q = md.quote(symbol);
    return q !== undefined && Number(q.price) === Number(price) && (source === undefined || source.test(q.source));
  }, `${symbol} at ${price}${source ? ` from ${source}` : ''}`, 15_000);
  return md.quote(symbol)!;
}

describe('ExchangeMarketData on the sandbox (real ccxt pro)', () => {
  it('prices arrive over both connections and follow moves of +40 % and -40 %', async () => {
    await following(['BTC/USDT', 'ETH/USDT']);
    expect(sandbox.marketStreams().length).toBe(2);
    const first = md.quote('BTC/USDT')!;
    expect(first.source).toMatch(/^sandbox:spot:ws-[ab]$/);
    expect(Number(first.bid)).toBeLessThan(Number(first.ask));

    const up = sandbox.movePrice('BTC/USDT', 40);
    const seenUp = await priceSeen('BTC/USDT', up.price, /ws-[ab]$/);
    expect(Number(seenUp.bid)).toBeLessThanOrEqual(Number(up.price));
    expect(Number(seenUp.ask)).toBeGreaterThanOrEqual(Number(up.price));
    const down = sandbox.movePrice('BTC/USDT', -40);
    await priceSeen('BTC/USDT', down.price, /ws-[ab]$/);
    // every published quote is new: per symbol, book update ids and trade times never go back
    const btc = quotes.filter((q) => q.symbol === 'BTC/USDT');
    for (let i = 1; i < btc.length; i++) expect(btc[i]!.receivedAt).toBeGreaterThanOrEqual(btc[i - 1]!.receivedAt);
    expect(md.status().connections.every((c) => c.lastMessageAt !== undefined)).toBe(true);
  });

  it('follow() changes reopen the connections with the new union, one at a time, leaving no stale socket', async () => {
    await following(['BTC/USDT']);
    md.follow('dashboard', ['LINK/USDT', 'BTC/USDT']);
    await eventually(() => md.quote('LINK/USDT') !== undefined, 'a LINK quote after follow()', 15_000);
    await eventually(() => bothStreaming() && sandbox.marketStreams().length === 2 && sandbox.marketStreams().every((c) => c.streams.includes('linkusdt@bookTicker')), 'two sockets, both with LINK', 15_000);
    md.follow('dashboard', []);
    await eventually(() => bothStreaming() && sandbox.marketStreams().length === 2 && sandbox.marketStreams().every((c) => !c.streams.includes('linkusdt@bookTicker')), 'two sockets, LINK dropped', 15_000);
    const moved = sandbox.movePrice('BTC/USDT', 5);
    await priceSeen('BTC/USDT', moved.price);
  });

  it('one connection silenced: the other carries the prices, the silent one is recycled and streams again', async () => {
    await following(['BTC/USDT', 'SOL/USDT']);
    const [oldest] = sandbox.marketStreams();
    sandbox.faults.silenceMarketStreams({ connection: oldest!.connection });
    await eventually(() => warnings.some((w) => w.fields.state === 'silent'), 'a connection reported silent');
    const silenced = String(warnings.find((w) => w.fields.state === 'silent')!.fields.venue);
    expect(silenced).toMatch(/^sandbox:spot:ws-[ab]$/);
    const other = silenced.endsWith('ws-a') ? `${VENUE}:ws-b` : `${VENUE}:ws-a`;
    const since = quotes.length;
    const moved = sandbox.setPrice('SOL/USDT', '250');
    await priceSeen('SOL/USDT', moved.price);
    expect(quotes.slice(since).some((q) => q.source === other)).toBe(true);
    // recycled on a fresh socket (the silence held only the old one): both stream again
    await eventually(bothStreaming, 'both connections streaming again', 15_000);
    expect(sandbox.marketStreams().some((c) => c.connection > 2)).toBe(true);
  });

  it('one connection dropped: quotes go on, the dropped one reconnects', async () => {
    await following(['ETH/USDT']);
    const [oldest] = sandbox.marketStreams();
    expect(sandbox.faults.dropMarketStreams({ connection: oldest!.connection })).toBe(1);
    await eventually(() => warnings.some((w) => w.message === 'market data: connection dropped, recycling it'), 'the drop noticed');
    const moved = sandbox.movePrice('ETH/USDT', 10);
    await priceSeen('ETH/USDT', moved.price);
    await eventually(bothStreaming, 'both connections streaming again', 15_000);
  });

  it('both silenced: REST takes over; REST failing too: the last quote ages and the status says so', async () => {
    await following(['BTC/USDT', 'ETH/USDT']);
    const silence = sandbox.faults.silenceMarketStreams(); // every connection, later ones too
    await eventually(() => state('rest') !== undefined, 'REST polling started', 15_000);
    const moved = sandbox.setPrice('ETH/USDT', '2500');
    const viaRest = await priceSeen('ETH/USDT', moved.price, /:rest$/);
    expect(viaRest.source).toBe(`${VENUE}:rest`);
    expect(['silent', 'down', 'connecting']).toContain(state('ws-a'));

    // REST answers 500 too: no new quote, its age grows, the status shows REST down
    sandbox.faults.inject({ kind: 'http_error', status: 500, when: 'before', method: 'GET', path: '/api/v3/ticker/24hr', forMs: 600_000 });
    await eventually(() => state('rest') === 'down', 'REST reported down');
    const last = md.quote('ETH/USDT')!;
    await eventually(() => clock.now() - md.quote('ETH/USDT')!.receivedAt > 1500, 'the quote older than 1.5 s');
    expect(md.quote('ETH/USDT')).toEqual(last);
    expect(md.status().connections.filter((c) => c.id !== 'rest').every((c) => c.state !== 'streaming')).toBe(true);

    // the exchange answers again: WebSockets stream, REST polling stops
    sandbox.faults.clear();
    expect(sandbox.faults.remove(silence)).toBe(false);
    await eventually(bothStreaming, 'both connections streaming after the faults', 15_000);
    await eventually(() => state('rest') === undefined, 'REST polling stopped');
    const after = sandbox.setPrice('ETH/USDT', '2600');
    await priceSeen('ETH/USDT', after.price, /ws-[ab]$/);
  });
});
