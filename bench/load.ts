/** Load generation with autocannon, and the unique alert bodies the ingest figures need. */
import autocannon from 'autocannon';

export interface LoadResult {
  readonly durationS: number;
  readonly requests: number;
  readonly requestsPerS: number;
  readonly byStatus: Record<string, number>;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
}

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  /** builds each request's body; undefined = a fixed body */
  readonly body: () => string;
  readonly overallRate?: number;
  /** stop after this many requests (durationS still bounds the run) */
  readonly amount?: number;
}

/** One GET per entry, in turn, on every connection; each connection its own list (e.g. its own user's token). */
export interface GetLoadOptions {
  readonly origin: string;
  readonly connections: number;
  readonly durationS: number;
  /** connection i uses perConnection[i % length] */
  readonly perConnection: ReadonlyArray<ReadonlyArray<{ readonly path: string; readonly headers: Readonly<Record<string, string>> }>>;
  readonly overallRate?: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const result = await autocannon({
    url: target.origin,
    connections: options.connections,
    duration: options.durationS,
    ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
    ...(options.amount !== undefined ? { amount: options.amount } : {}),
    requests: [
      {
        method: 'POST',
        path: `${target.pathname}${target.search}`,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: options.body() }),
      },
    ],
  });
  return summarize(result);
}

/**
 * GETs with per-connection headers. autocannon shares one request list between its connections;
 * setupClient gives each connection (client) a list of its own, built once (no per-request setup).
 */
export async function runGets(options: GetLoadOptions): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: options.origin,
    connections: options.connections,
    duration: options.durationS,
    ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
    requests: options.perConnection[0]!.map((r) => ({ method: 'GET' as const, path: r.path, headers: { ...r.headers } })),
    setupClient: (client) => {
      const own = options.perConnection[next++ % options.perConnection.length]!;
      (client as unknown as { requestIterator: { setRequests(r: unknown[]): void } }).requestIterator.setRequests(
        own.map((r) => ({ method: 'GET', path: r.path, headers: { ...r.headers } })),
      );
    },
  });
  return summarize(result);
}

function summarize(result: autocannon.Result): LoadResult {
  const byStatus: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) byStatus[code] = Number(stat?.count ?? 0);
  const requests = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const durationS = (result.finish.getTime() - result.start.getTime()) / 1000 || result.duration;
  return {
    durationS,
    requests,
    requestsPerS: requests / durationS,
    byStatus,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
  };
}

/**
 * A generator of unique alerts: explicit "id" = run prefix + counter (so every request is a
 * new alert, never the dedupe path), buy/sell alternating so balances never run out.
 * 0.0001 BTC at ~97,000 USDT ~ 9.7 USDT: above the paper exchange's 5 USDT min notional.
 */
export function alertBodies(secret: string, prefix: string, contracts = '0.0001'): { next: () => string; count: () => number } {
  let n = 0;
  return {
    next: () => {
      n += 1;
      return JSON.stringify({ secret, id: `${prefix}-${n}`, action: n % 2 === 1 ? 'buy' : 'sell', ticker: 'BINANCE:BTCUSDT', contracts });
    },
    count: () => n,
  };
}
