/**
 * SSE fan-out: N live streams (`GET /api/v1/stream`) open on one server, then alerts one round at
 * a time; for each round, how long until each subscriber hears a `change` after the alert was
 * sent. The streams are read in this process (plain node:http, one socket each, with the
 * Authorization header as the dashboard sends it), so the reader shares the cores with the
 * server: read the figure with the baseline.
 */
import { performance } from 'node:perf_hooks';
import { Agent, get } from 'node:http';

export interface FanoutOptions {
  readonly url: string;
  readonly token: string;
  readonly webhookUrl: string;
  readonly secret: string;
  readonly subscribers: number;
  readonly rounds: number;
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
}

interface Subscriber {
  /** resolves the current round's waiter with the time a change arrived */
  onChange?: (at: number) => void;
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
        }
      });
      response.on('error', () => undefined); // aborted at the end
      resolve(true);
    });
    request.on('error', () => resolve(false));
  });
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
  let missed = 0;
  const prefix = `sse-${Date.now().toString(36)}`;
  const timeout = options.roundTimeoutMs ?? 5_000;
  try {
    // let the streams' first messages (and any change already pending) pass
    await new Promise((resolve) => setTimeout(resolve, 500));
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
  };
}
