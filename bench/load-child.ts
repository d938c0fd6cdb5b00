/**
 * The autocannon load generator, in a process of its own (forked by load.ts): it shares neither
 * the measured server's event loop nor the bench's. Used for the figures that need a fixed offered
 * rate or per-connection headers (wrk runs the unbounded ones when it is installed).
 * Receives one LoadJob over IPC, answers { type: 'result', result } or { type: 'error', message }, exits.
 */
import autocannon from 'autocannon';
import type { LoadJob, LoadResult } from './load.js';

function alertRequest(job: Extract<LoadJob, { kind: 'alerts' }>) {
  const target = new URL(job.url);
  let n = 0;
  const head = `{"secret":${JSON.stringify(job.alerts.secret)},"id":${JSON.stringify(`${job.alerts.prefix}-`).slice(0, -1)}`;
  const tail = `,"ticker":"BINANCE:BTCUSDT","contracts":${JSON.stringify(job.alerts.contracts)}}`;
  return {
    url: target.origin,
    requests: [{
      method: 'POST' as const,
      path: `${target.pathname}${target.search}`,
      headers: { 'content-type': 'application/json' },
      setupRequest: (request: autocannon.Request) => {
        n += 1;
        return { ...request, body: `${head}${n}","action":"${n % 2 === 1 ? 'buy' : 'sell'}"${tail}` };
      },
    }],
  };
}

function getRequests(job: Extract<LoadJob, { kind: 'gets' }>) {
  let next = 0;
  const list = (i: number) => job.perConnection[i % job.perConnection.length]!.map((r) => ({ method: 'GET' as const, path: r.path, headers: { ...r.headers } }));
  return {
    url: job.origin,
    requests: list(0),
    // autocannon shares one request list between connections; each connection gets its own, built once
    setupClient: (client: autocannon.Client) => {
      (client as unknown as { requestIterator: { setRequests(r: unknown[]): void } }).requestIterator.setRequests(list(next++));
    },
  };
}

async function run(job: LoadJob): Promise<LoadResult> {
  const result = await autocannon({
    connections: job.connections,
    duration: job.durationS,
    timeout: 10,
    ...(job.overallRate !== undefined ? { overallRate: job.overallRate } : {}),
    ...(job.kind === 'alerts' && job.amount !== undefined ? { amount: job.amount } : {}),
    ...(job.kind === 'alerts' ? alertRequest(job) : getRequests(job)),
  });
  const byStatus: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) byStatus[code] = Number(stat?.count ?? 0);
  const requests = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const durationS = (result.finish.getTime() - result.start.getTime()) / 1000 || result.duration;
  return {
    generator: 'autocannon (child process)', durationS, requests, requestsPerS: requests / durationS, byStatus,
    non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
  };
}

process.once('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!({ type: 'result', result }, () => process.exit(0)),
    (error: unknown) => process.send!({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) }, () => process.exit(1)),
  );
});
