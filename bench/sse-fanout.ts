/**
 * SSE fan-out: N live streams (`GET /api/v1/stream`) open on one server, then alerts one round at
 * a time; for each round, how long until each subscriber hears a `change` after the alert was
 * sent. The streams are read in this process (plain node:http, one socket each, with the
 * Authorization header as the dashboard sends it), so the reader shares the cores with the
 * server: read the figure with the baseline.
 */
import { performance } from 'node:perf_hooks';
import { Agent, get } from 'node:http';
import { randomBytes } from 'node:crypto';
import { log, mb, numberArg, type BenchContext, type Figure } from './common.js';
import { login, restServerEnv } from './api-client.js';

export interface FanoutOptions {
  readonly url: string;
  readonly token: string;
  readonly webhookUrl: string;
  readonly secret: string;
  readonly subscribers: number;
  readonly rounds: number;
  /** how long prices alone are measured before the alert rounds (default 5 s) */
  readonly quietMs?: number;
  /** how long a round waits for every subscriber before it counts the missing ones */
  readonly roundTimeoutMs?: number;
}

export interface FanoutResult {
  readonly subscribers: number;
  readonly connected: number;
  readonly connectMs: number;
  readonly rounds: number;
  /** deliveries measured (subscribers x rounds, minus missed) */
  readonly deliveries: number;
  readonly missed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** prices: how old each was when a subscriber read it, in a quiet window and during the alert rounds */
  readonly prices: { readonly quiet: PriceAges; readonly underAlerts: PriceAges };
}

export interface PriceAges {
  readonly received: number;
  readonly p50AgeMs: number;
  readonly p99AgeMs: number;
  readonly maxAgeMs: number;
}

interface Subscriber {
  /** resolves the current round's waiter with the time a change arrived */
  onChange?: (at: number) => void;
  /** how old each price was when it arrived (ms, by the shared wall clock of this machine); undefined: not recording */
  priceAges?: number[];
  abort: AbortController;
}

const percentile = (sorted: readonly number[], p: number): number => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

/** Opens one stream and calls `onChange` for each `event: change` it reads; resolves once the answer's headers arrived. */
function open(options: FanoutOptions, agent: Agent, subscriber: Subscriber): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(`${options.url}/api/v1/stream`, { agent, headers: { authorization: `Bearer ${options.token}`, accept: 'text/event-stream' }, signal: subscriber.abort.signal }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve(false);
        return;
      }
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        buffer += chunk;
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const message = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (/^event: change$/m.test(message)) subscriber.onChange?.(performance.now());
          else if (/^event: price$/m.test(message)) {
            const at = /"at":"([^"]+)"/.exec(message)?.[1];
            if (at !== undefined) subscriber.priceAges?.push(Date.now() - Date.parse(at));
          }
        }
      });
      response.on('error', () => undefined); // aborted at the end
      resolve(true);
    });
    request.on('error', () => resolve(false));
  });
}

function agesOf(subscribers: readonly Subscriber[]): PriceAges {
  const ages = subscribers.flatMap((s) => s.priceAges ?? []).sort((a, b) => a - b);
  return { received: ages.length, p50AgeMs: percentile(ages, 50), p99AgeMs: percentile(ages, 99), maxAgeMs: ages[ages.length - 1] ?? Number.NaN };
}

async function sendAlert(options: FanoutOptions, round: number, prefix: string): Promise<void> {
  const response = await fetch(options.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ secret: options.secret, id: `${prefix}-${round}`, action: round % 2 === 0 ? 'buy' : 'sell', ticker: 'BINANCE:BTCUSDT', quantity: '0.0001' }),
  });
  if (response.status !== 202) throw new Error(`the alert of round ${round} was answered ${response.status}: ${await response.text()}`);
}

export async function measureSseFanout(options: FanoutOptions): Promise<FanoutResult> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const subscribers: Subscriber[] = Array.from({ length: options.subscribers }, () => ({ abort: new AbortController() }));
  const connectStart = performance.now();
  const opened = await Promise.all(subscribers.map((s) => open(options, agent, s)));
  const connectMs = performance.now() - connectStart;
  const live = subscribers.filter((_, i) => opened[i]);
  const latencies: number[] = [];
  let quiet: PriceAges = agesOf([]);
  let missed = 0;
  const prefix = `sse-${Date.now().toString(36)}`;
  const timeout = options.roundTimeoutMs ?? 5_000;
  try {
    // let the streams' first messages (and any change already pending) pass; then prices alone for a while
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const s of live) s.priceAges = [];
    await new Promise((resolve) => setTimeout(resolve, options.quietMs ?? 5_000));
    quiet = agesOf(live);
    for (const s of live) s.priceAges = [];
    for (let round = 0; round < options.rounds; round++) {
      const sentAt = performance.now();
      const heard = live.map(
        (s) =>
          new Promise<number | undefined>((resolve) => {
            const timer = setTimeout(() => resolve(undefined), timeout);
            s.onChange = (at) => {
              clearTimeout(timer);
              s.onChange = undefined;
              resolve(at);
            };
          }),
      );
      await sendAlert(options, round, prefix);
      for (const at of await Promise.all(heard)) {
        if (at === undefined) missed++;
        else latencies.push(at - sentAt);
      }
      // the alert's later changes (order, fill, position) pass before the next round starts
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  } finally {
    for (const s of subscribers) s.abort.abort();
    agent.destroy();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const round1 = (n: number) => Math.round(n * 10) / 10;
  return {
    subscribers: options.subscribers, connected: live.length, connectMs: Math.round(connectMs), rounds: options.rounds,
    deliveries: latencies.length, missed, p50Ms: round1(percentile(sorted, 50)), p99Ms: round1(percentile(sorted, 99)), maxMs: round1(sorted[sorted.length - 1] ?? Number.NaN),
    prices: { quiet, underAlerts: agesOf(live) },
  };
}

/** The figure: a fresh server, `--subscribers` (default 1,000) streams of the demo admin, `--sse-rounds` (default 20) alerts. */
export async function sseFanout(ctx: BenchContext): Promise<Figure> {
  const subscribers = numberArg(ctx.argv, 'subscribers', 1000);
  const rounds = numberArg(ctx.argv, 'sse-rounds', 20);
  log(`sse_fanout: fresh server, ${subscribers} live streams (GET /api/v1/stream), ${rounds} alerts one at a time`);
  const password = randomBytes(12).toString('base64url');
  const child = await ctx.startServer('sse_fanout', { ...restServerEnv(password), PATRIOT_STREAMS_PER_USER: String(subscribers), PATRIOT_MAX_STREAMS: String(subscribers + 100) });
  try {
    const base = child.ready.url;
    const session = await login(base, 'demo', password);
    const before = await child.usage();
    const result = await measureSseFanout({ url: base, token: session.accessToken, webhookUrl: child.ready.webhookUrl!, secret: child.ready.secret!, subscribers, rounds });
    const after = await child.usage();
    return {
      name: 'sse_fanout', unit: 'ms from sending an alert until each subscriber reads the change (subscribers x rounds); prices: age when read',
      target: '1,000 live subscribers, <= 100 ms staleness (DESIGN.md, market data row): every change heard, price p99 age <= 100 ms (quiet window)',
      meets: result.connected === subscribers && result.missed === 0 && result.prices.quiet.received > 0 && result.prices.quiet.p99AgeMs <= 100,
      ...result, serverRssMbWithStreams: mb(after.rssBytes), serverRssMbBefore: mb(before.rssBytes),
      note: 'one user (the demo admin) with the per-user stream cap raised; the change is sent once the read models include the alert, coalesced to at most one per 100 ms per stream; the reader (this process) shares the cores with the server',
    };
  } finally {
    await ctx.stopServer('sse_fanout', child);
  }
}
