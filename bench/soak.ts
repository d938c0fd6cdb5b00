/**
 * soak: --soak-minutes (default 10) of mixed load against one server, to see whether memory grows
 * without bound. Alerts at a steady moderate rate for the whole time; REST reads (positions,
 * orders, fills) from a few connections in one-minute rounds, the token refreshed before each;
 * and periodic actions: a Prometheus-style /metrics scrape, an API key created and revoked, a
 * signal's trace. RSS (and heap used) sampled every 5 s; heap after a forced full GC (the child
 * runs with --expose-gc) after the warm-up and at the end.
 */
import { randomBytes } from 'node:crypto';
import { alertBodies, runGets, runLoad, type LoadResult } from './load.js';
import { counterByLabel } from './prom.js';
import { latency, log, mb, metricsText, numberArg, round, sleep, type BenchContext, type Figure } from './common.js';
import { del, get, login, post, refresh, restServerEnv, type Session } from './api-client.js';
import type { HeapMessage } from './ipc.js';

/** Least-squares slope of y over x. */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const sxy = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const sxx = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return sxx > 0 ? sxy / sxx : NaN;
}

export async function soak(ctx: BenchContext): Promise<Figure> {
  const minutes = numberArg(ctx.argv, 'soak-minutes', 10);
  const alertRate = numberArg(ctx.argv, 'soak-rate', 100);
  const readRate = numberArg(ctx.argv, 'soak-read-rate', 100);
  const totalS = Math.round(minutes * 60);
  const warmupS = Math.min(60, Math.round(totalS * 0.2));
  log(`soak: ${minutes} min of mixed load on one server (alerts ${alertRate}/s, reads ${readRate}/s, periodic actions), RSS every 5 s, heap after GC at ${warmupS}s and at the end`);
  const password = randomBytes(12).toString('base64url');
  const child = await ctx.startServer('soak', restServerEnv(password), ['--expose-gc']);
  const samples: Array<{ s: number; rssMb: number; heapUsedMb: number }> = [];
  const errors: string[] = [];
  const actions = { metricsScrapes: 0, apiKeysCreatedAndRevoked: 0, traces: 0, tokenRefreshes: 0, readRounds: 0 };
  const readResults: LoadResult[] = [];
  try {
    const base = child.ready.url;
    const t0 = Date.now();
    const elapsedS = () => (Date.now() - t0) / 1000;
    let stopping = false;
    const note = (what: string) => (error: unknown) => void (errors.length < 20 && errors.push(`${what}: ${String(error)}`));

    const sampler = setInterval(() => {
      child.usage().then((u) => samples.push({ s: round(elapsedS(), 1), rssMb: mb(u.rssBytes), heapUsedMb: mb(u.heapUsedBytes) }), note('usage'));
    }, 5000);

    // alerts: one steady autocannon run for the whole soak
    const alerts = runLoad({ url: child.ready.webhookUrl!, connections: 8, durationS: totalS, alerts: alertBodies(child.ready.secret!, `${ctx.runPrefix}-soak`), overallRate: alertRate });

    // reads: rounds of at most a minute; the token is refreshed before each (access tokens live 15 min)
    let session: Session = await login(base, 'demo', password);
    const reads = (async () => {
      while (!stopping && elapsedS() < totalS - 1) {
        session = await refresh(base, session);
        actions.tokenRefreshes++;
        const headers = { authorization: `Bearer ${session.accessToken}` };
        const list = [{ path: '/api/v1/positions', headers }, { path: '/api/v1/orders', headers }, { path: '/api/v1/fills?limit=50', headers }];
        readResults.push(await runGets({ origin: base, connections: 4, durationS: Math.max(1, Math.min(60, Math.floor(totalS - elapsedS()))), perConnection: [list], overallRate: readRate }));
        actions.readRounds++;
      }
    })().catch(note('reads'));

    // periodic actions, each every few seconds
    const periodic = (async () => {
      for (let i = 0; !stopping && elapsedS() < totalS - 1; i++) {
        await sleep(5000);
        await metricsText(base).then(() => void actions.metricsScrapes++, note('metrics'));
        if (i % 2 === 0) {
          await post<{ keyId: string }>(base, '/me/api-keys', { name: `soak-${i}` }, session.accessToken)
            .then((k) => del(base, `/me/api-keys/${k.keyId}`, session.accessToken))
            .then(() => void actions.apiKeysCreatedAndRevoked++, note('api key'));
        }
        if (i % 3 === 0) {
          await get<{ items: Array<{ signalId: string }> }>(base, '/signals?limit=1', session.accessToken)
            .then((p) => (p.items[0] ? get(base, `/signals/${p.items[0].signalId}/trace`, session.accessToken) : undefined))
            .then(() => void actions.traces++, note('trace'));
        }
      }
    })();

    await sleep(warmupS * 1000);
    const heapStart: HeapMessage = await child.heap();
    const startS = elapsedS();
    const startText = await metricsText(base);
    let heapMid: HeapMessage | undefined;
    const mid = setTimeout(() => void child.heap().then((h) => { heapMid = h; }, note('heap mid')), ((totalS - startS) / 2) * 1000);
    const r = await alerts;
    clearTimeout(mid);
    const heapEnd: HeapMessage = await child.heap();
    const endS = elapsedS();
    stopping = true;
    clearInterval(sampler);
    await Promise.all([reads, periodic]);
    const endText = await metricsText(base);

    const sum = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
    const afterWarmup = samples.filter((p) => p.s >= startS);
    const secondHalf = samples.filter((p) => p.s >= startS + (endS - startS) / 2);
    const slopeMbPerMin = slope(secondHalf.map((p) => [p.s / 60, p.rssMb] as const));
    const heapSlope = slope(secondHalf.map((p) => [p.s / 60, p.heapUsedMb] as const));
    const startMb = mb(heapStart.heapUsedBytes);
    const endMb = mb(heapEnd.heapUsedBytes);
    const allowedMb = round(startMb + Math.max(16, startMb * 0.25), 1);
    const readsOk = readResults.reduce((a, x) => a + (x.byStatus['200'] ?? 0), 0);
    const readsAll = readResults.reduce((a, x) => a + x.requests, 0);
    const alertsAccepted = (counterByLabel(endText, 'patriot_alerts_total', 'outcome').accepted ?? 0) - (counterByLabel(startText, 'patriot_alerts_total', 'outcome').accepted ?? 0);
    return {
      name: 'soak', unit: 'MB (RSS and V8 heap of the server over a long mixed load)',
      target: 'memory does not grow without bound: heap used after a full GC at the end <= start + max(16 MB, 25 %)', meets: heapStart.gcRan && heapEnd.gcRan && endMb <= allowedMb,
      minutes, warmupS, measuredS: round(endS - startS, 0),
      rssMb: {
        atStart: afterWarmup[0]?.rssMb ?? mb(heapStart.rssBytes), atEnd: mb(heapEnd.rssBytes), max: Math.max(...samples.map((p) => p.rssMb)),
        slopeSecondHalfMbPerMin: round(slopeMbPerMin, 2),
      },
      heapAfterGcMb: { atStart: startMb, atMiddle: heapMid ? mb(heapMid.heapUsedBytes) : null, atEnd: endMb, allowedAtEnd: allowedMb, gcRan: heapStart.gcRan && heapEnd.gcRan },
      heapUsedSlopeSecondHalfMbPerMin: round(heapSlope, 2),
      load: {
        alertsOfferedPerS: alertRate, alertsAcceptedPerS: round((r.byStatus['202'] ?? 0) / r.durationS, 0), alertsAcceptedAfterWarmup: alertsAccepted,
        alertNon2xx: r.non2xx, alertErrors: r.errors, alertHttpLatencyMs: latency(r),
        readsOfferedPerS: readRate, reads200: readsOk, readsNot200: readsAll - readsOk,
        ordersOpenAtEnd: sum(counterByLabel(endText, 'patriot_orders_open', 'status')),
        projectionLagAtEnd: counterByLabel(endText, 'patriot_projection_lag_events', 'x')[''] ?? null,
        actions,
      },
      errors,
      samples: samples.map((p) => [p.s, p.rssMb, p.heapUsedMb]),
      boundedCaches: 'the server fills bounded caches as it runs: projection documents (20,000), event-log stream versions (100,000 streams, 2 per alert), recent events (5,000-10,000): at 100 alerts/s the last of them is full after ~8 min, so some growth up to that point is expected',
      note: `samples are [seconds, RSS MB, heap used MB] every 5 s from the start of the load; "start" is after ${warmupS}s of warm-up under the same load; the slope is a least-squares fit over the second half of the measured part`,
    };
  } finally {
    await ctx.stopServer('soak', child);
  }
}
