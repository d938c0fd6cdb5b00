import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Quote } from '../../application/ports/market-data.js';
import type { CcxtTickerLike } from './ccxt-market-shapes.js';
import { ExchangeMarketData, type ExchangeMarketDataOptions } from './exchange-market-data.js';
import { FakeVenue, type FakeProClient } from './test-support/fake-pro-client.js';

const VENUE = 'binance:spot';
const WS_A = `${VENUE}:ws-a`;
const WS_B = `${VENUE}:ws-b`;
const REST = `${VENUE}:rest`;

// Decisions run on the injected clock; under fake timers Date.now is the fake clock too.
const clock = { now: () => Date.now() };

interface Harness {
  readonly md: ExchangeMarketData;
  readonly venue: FakeVenue;
  readonly quotes: Quote[];
  readonly restCalls: string[][];
  readonly warnings: string[];
  restAnswer: (symbols: readonly string[]) => Promise<Record<string, CcxtTickerLike>>;
}

let open: ExchangeMarketData[] = [];

function harness(over: Partial<ExchangeMarketDataOptions> = {}): Harness {
  const venue = new FakeVenue();
  const quotes: Quote[] = [];
  const restCalls: string[][] = [];
  const warnings: string[] = [];
  const h: Harness = {
    venue,
    quotes,
    restCalls,
    warnings,
    restAnswer: async () => ({}),
    md: undefined as unknown as ExchangeMarketData,
  };
  const md = new ExchangeMarketData({
    venue: VENUE,
    createClient: venue.createClient,
    restTickers: (symbols) => {
      restCalls.push([...symbols]);
      return h.restAnswer(symbols);
    },
    clock,
    logger: { info: () => {}, warn: (_f, m) => warnings.push(m), error: (_f, m) => warnings.push(m) },
    random: () => 0.5,
    ...over,
  });
  md.onQuote((q) => quotes.push(q));
  open.push(md);
  (h as { md: ExchangeMarketData }).md = md;
  return h;
}

/** Lets timers due within `ms` fire, and the promise chains they start settle. */
async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

function states(md: ExchangeMarketData): Record<string, string> {
  return Object.fromEntries(md.status().connections.map((c) => [c.id, c.state]));
}

/** Starts following BTC and ETH and returns the two subscribed clients (ws-a's, ws-b's). */
async function streaming(h: Harness): Promise<[FakeProClient, FakeProClient]> {
  h.md.follow('strategy-1', ['BTC/USDT', 'ETH/USDT']);
  await advance(1);
  const a = h.venue.client(0);
  const b = h.venue.client(1);
  expect(a.watching && b.watching).toBe(true);
  return [a, b];
}

describe('ExchangeMarketData', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') });
  });

  afterEach(async () => {
    await Promise.all(open.map((md) => md.close()));
    open = [];
    vi.useRealTimers();
  });

  it('opens two connections watching the followed symbols, markets loaded once and shared', async () => {
    const h = harness();
    const [a, b] = await streaming(h);
    expect(a.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(b.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(a.tradeWatches.at(-1)).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(a.marketsLoaded + b.marketsLoaded).toBe(1);
    expect(b.sharedFrom).toBe(a);
    expect(states(h.md)).toEqual({ 'ws-a': 'connecting', 'ws-b': 'connecting' });
  });

  it('merges both streams: each update once, from whichever connection brought it first, never older', async () => {
    const h = harness();
    const [a, b] = await streaming(h);
    // each frame its own macrotask, as off a socket
    a.emitBook('BTC/USDT', 100, 101, 1);
    await advance(1);
    b.emitBook('BTC/USDT', 100, 101, 1); // the same update from ws-b: a duplicate
    await advance(1);
    b.emitBook('BTC/USDT', 100.5, 101, 2);
    const now = Date.now();
    await advance(1);
    a.emitBook('BTC/USDT', 100.5, 101, 2);
    await advance(1);
    a.emitBook('BTC/USDT', 99, 100, 0); // older than held
    await advance(1);
    expect(h.quotes.map((q) => `${q.source} ${q.bid}/${q.ask}`)).toEqual([`${WS_A} 100/101`, `${WS_B} 100.5/101`]);
    // ws-a's copy of update 2 is not published again, but confirms the price is current: its age counts from it
    expect(h.md.quote('BTC/USDT')).toEqual({ symbol: 'BTC/USDT', price: '100.75', bid: '100.5', ask: '101', source: WS_B, receivedAt: now + 1 });
    a.emitTrade('BTC/USDT', 100.6, 10, now + 4);
    await advance(1);
    expect(h.md.quote('BTC/USDT')).toMatchObject({ price: '100.6', source: WS_A, exchangeTime: now + 4 });
    expect(states(h.md)).toEqual({ 'ws-a': 'streaming', 'ws-b': 'streaming' });
  });

  it('a dropped connection: the other keeps the prices flowing; the dropped one is recycled after its back-off', async () => {
    const h = harness({ backoff: { initialMs: 400 } });
    const [a, b] = await streaming(h);
    a.emitBook('BTC/USDT', 100, 101, 1);
    b.emitBook('BTC/USDT', 100, 101, 1);
    await advance(1);
    a.drop();
    await advance(1);
    expect(states(h.md)['ws-a']).toBe('down');
    expect(a.closed).toBe(true);
    b.emitBook('BTC/USDT', 102, 103, 2);
    await advance(1);
    expect(h.md.quote('BTC/USDT')).toMatchObject({ bid: '102', source: WS_B });
    // back-off: 400 ms with jitter 0.5 -> 300 ms; the watchdog (200 ms) reopens it then
    await advance(450);
    const a2 = h.venue.client(2);
    expect(a2.watching).toBe(true);
    expect(states(h.md)['ws-a']).toBe('connecting');
    a2.emitBook('BTC/USDT', 104, 105, 3);
    await advance(1);
    expect(states(h.md)['ws-a']).toBe('streaming');
    expect(h.md.quote('BTC/USDT')).toMatchObject({ bid: '104', source: WS_A });
  });

  it('a silent connection (no message for silenceMs while the other streams) is marked silent and recycled', async () => {
    const h = harness({ silenceMs: 750, checkEveryMs: 200, backoff: { initialMs: 400 } });
    const [a, b] = await streaming(h);
    for (let i = 1; i <= 5; i++) {
      b.emitBook('ETH/USDT', 3000 + i, 3001 + i, i);
      if (i === 1) a.emitBook('ETH/USDT', 3001, 3002, 1);
      await advance(200);
    }
    // ws-a heard nothing since its first message, 800 ms ago
    expect(states(h.md)).toMatchObject({ 'ws-a': 'silent', 'ws-b': 'streaming' });
    expect(a.closed).toBe(true);
    expect(h.md.quote('ETH/USDT')).toMatchObject({ bid: '3005', source: WS_B });
    await advance(400);
    const a2 = h.venue.client(2);
    expect(a2.watching).toBe(true);
    expect(a2.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
  });

  it('back-off doubles while a connection keeps failing, up to its cap', async () => {
    // ws-b never speaks here: a long silenceMs keeps it from being recycled meanwhile
    const h = harness({ silenceMs: 60_000, backoff: { initialMs: 400, maxMs: 1600 } });
    await streaming(h);
    // ws-a's clients: 0, then each reopen; drop each one as soon as it subscribes
    const reopenTimes: number[] = [];
    let current = h.venue.client(0);
    const t0 = Date.now();
    for (let round = 0; round < 4; round++) {
      current.drop();
      const created = h.venue.clients.length;
      for (let i = 0; i < 40 && h.venue.clients.length === created; i++) await advance(50);
      reopenTimes.push(Date.now() - t0);
      current = h.venue.client(h.venue.clients.length - 1);
    }
    const gaps = reopenTimes.map((t, i) => t - (i === 0 ? 0 : reopenTimes[i - 1]!));
    // 300, 600, 1200, 1200 ms (+ up to one watchdog period and one poll step)
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
    expect(gaps[3]!).toBeLessThanOrEqual(gaps[2]! + 250);
  });

  it('both connections down: REST tickers take over until a WebSocket streams again', async () => {
    const h = harness({ restPollMs: 1000, backoff: { initialMs: 5000 } });
    h.restAnswer = async (symbols) =>
      Object.fromEntries(symbols.map((s) => [s, { symbol: s, bid: 10, ask: 12, last: 11, timestamp: Date.now() }]));
    const [a, b] = await streaming(h);
    a.emitBook('BTC/USDT', 100, 101, 1);
    await advance(1);
    a.drop();
    b.drop();
    await advance(1);
    expect(states(h.md)).toEqual({ 'ws-a': 'down', 'ws-b': 'down', rest: 'streaming' });
    expect(h.restCalls).toEqual([['BTC/USDT', 'ETH/USDT']]);
    expect(h.md.quote('ETH/USDT')).toMatchObject({ source: REST, price: '11', bid: '10', ask: '12' });
    const first = h.md.quote('ETH/USDT')!.receivedAt;
    await advance(1000);
    expect(h.restCalls.length).toBe(2);
    // each poll refreshes receivedAt, so a caller sees the price is current
    expect(h.md.quote('ETH/USDT')!.receivedAt).toBe(first + 1000);
    // REST failing too: quotes age, status shows it
    h.restAnswer = async () => {
      throw new Error('ECONNREFUSED');
    };
    const before = h.md.quote('ETH/USDT')!.receivedAt;
    await advance(2000);
    expect(states(h.md).rest).toBe('down');
    expect(Date.now() - h.md.quote('ETH/USDT')!.receivedAt).toBeGreaterThanOrEqual(2000);
    expect(h.md.quote('ETH/USDT')!.receivedAt).toBe(before);
    // a WebSocket reopens (after its 2.5 s back-off) and streams: REST stops
    await advance(1000);
    const reopened = h.venue.open().filter((c) => c.watching);
    expect(reopened.length).toBeGreaterThan(0);
    reopened[0]!.emitBook('ETH/USDT', 13, 14, 5);
    await advance(1);
    expect(h.md.status().connections.map((c) => c.id)).toEqual(['ws-a', 'ws-b']);
    const calls = h.restCalls.length;
    for (let i = 0; i < 15; i++) {
      reopened[0]!.emitBook('ETH/USDT', 13, 14, 6 + i);
      await advance(200);
    }
    expect(h.restCalls.length).toBe(calls);
    expect(h.md.quote('ETH/USDT')?.source).toMatch(/ws-[ab]$/);
  });

  it('both silent: REST takes over', async () => {
    const h = harness({ silenceMs: 750, backoff: { initialMs: 10_000 } });
    h.restAnswer = async (symbols) => Object.fromEntries(symbols.map((s) => [s, { symbol: s, last: 5, timestamp: Date.now() }]));
    const [a, b] = await streaming(h);
    a.emitBook('BTC/USDT', 1, 2, 1);
    b.emitBook('BTC/USDT', 1, 2, 1);
    await advance(1000);
    expect(states(h.md)).toEqual({ 'ws-a': 'silent', 'ws-b': 'silent', rest: 'streaming' });
    expect(h.md.quote('BTC/USDT')?.source).toBe(REST);
  });

  it('follow() keeps the union of owners; a change resubscribes one connection at a time', async () => {
    const h = harness();
    const [a, b] = await streaming(h);
    a.emitBook('BTC/USDT', 1, 2, 1);
    b.emitBook('BTC/USDT', 1, 2, 1);
    await advance(1);
    h.md.follow('dashboard', ['SOL/USDT', 'BTC/USDT']);
    await advance(1);
    // ws-a reopened with the union; ws-b still streams the old set until ws-a streams
    expect(a.closed).toBe(true);
    const a2 = h.venue.client(2);
    expect(a2.symbols).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    expect(b.closed).toBe(false);
    await advance(100);
    expect(b.closed).toBe(false);
    a2.emitBook('SOL/USDT', 190, 191, 1);
    await advance(1);
    expect(b.closed).toBe(true);
    expect(h.venue.client(3).symbols).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    expect(h.md.quote('SOL/USDT')).toMatchObject({ source: WS_A, price: '190.5' });
    // the same union again: nothing reopens
    h.md.follow('strategy-1', ['ETH/USDT', 'BTC/USDT']);
    await advance(300);
    expect(h.venue.clients.length).toBe(4);
    // every owner gone: both closed, nothing reopened
    h.md.follow('strategy-1', []);
    h.md.follow('dashboard', []);
    await advance(1000);
    expect(h.venue.open()).toEqual([]);
    expect(h.venue.clients.length).toBe(4);
    expect(states(h.md)).toEqual({ 'ws-a': 'down', 'ws-b': 'down' });
  });

  it('symbols the exchange does not list are not watched (a warning names them)', async () => {
    const h = harness();
    h.md.follow('s', ['BTC/USDT', 'NOPE/USDT']);
    await advance(1);
    expect(h.venue.client(0).symbols).toEqual(['BTC/USDT']);
    expect(h.warnings).toContain('market data: symbols not listed by the exchange are not watched');
  });

  it('a burst ccxt applied at once: every update in the cache is taken at the wake-up, not only the one the watch returned', async () => {
    const h = harness();
    const [a] = await streaming(h);
    a.emitBook('BTC/USDT', 1, 2, 1);
    // in the same macrotask, a second symbol's update reaches only ccxt's cache
    a.bidsasks['ETH/USDT'] = { symbol: 'ETH/USDT', bid: 3000, ask: 3001, info: { u: 9 } };
    await advance(1);
    expect(h.quotes.map((q) => q.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    // and the watchdog's sweep finds one that arrived with no wake-up at all
    a.bidsasks['ETH/USDT'] = { symbol: 'ETH/USDT', bid: 3002, ask: 3003, info: { u: 10 } };
    await advance(200);
    expect(h.md.quote('ETH/USDT')).toMatchObject({ bid: '3002', source: WS_A });
  });

  it('a listener that throws does not stop the others; unsubscribe works', async () => {
    const h = harness();
    const seen: string[] = [];
    h.md.onQuote(() => {
      throw new Error('listener bug');
    });
    const off = h.md.onQuote((q) => seen.push(q.bid ?? ''));
    const [a] = await streaming(h);
    a.emitBook('BTC/USDT', 1, 2, 1);
    await advance(1);
    off();
    a.emitBook('BTC/USDT', 3, 4, 2);
    await advance(1);
    expect(seen).toEqual(['1']);
    expect(h.quotes.length).toBe(2);
    expect(h.warnings).toContain('market data: a quote listener threw');
    expect(states(h.md)['ws-a']).toBe('streaming');
  });

  it('a factory that throws counts as a failed connection (back-off, then retried), never as a crash', async () => {
    let calls = 0;
    const venue = new FakeVenue();
    const h = harness({
      backoff: { initialMs: 400 },
      createClient: () => {
        calls += 1;
        if (calls <= 2) throw new Error('bad client config');
        return venue.createClient();
      },
    });
    h.md.follow('s', ['BTC/USDT']);
    await advance(1);
    expect(states(h.md)).toMatchObject({ 'ws-a': 'down', 'ws-b': 'down' });
    await advance(600);
    expect(venue.clients.length).toBe(2);
    expect(venue.clients.every((c) => c.watching)).toBe(true);
  });

  it('close() closes every client and leaves no timer running', async () => {
    const h = harness();
    h.restAnswer = async () => ({});
    const [a, b] = await streaming(h);
    a.drop();
    b.drop();
    await advance(1);
    expect(states(h.md).rest).toBeDefined();
    await h.md.close();
    expect(h.venue.open()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    const calls = h.restCalls.length;
    await advance(5000);
    expect(h.restCalls.length).toBe(calls);
    expect(h.venue.clients.length).toBe(2);
  });
});
