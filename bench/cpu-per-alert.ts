/**
 * cpu_per_alert: server CPU time per alert completed END TO END (alert -> risk -> paper fill ->
 * read model), at a fixed offered rate well below saturation. CPU time is far less sensitive to
 * other load on the machine than throughput or latency (it still moves a little: caches, SMT,
 * frequency), so this is the figure to compare builds on a shared box.
 *
 *   warm-up at the rate -> drain -> idle window (the server's own background CPU: market-data ticks,
 *   timers) -> measured window at the rate -> drain (every order final, every processor at the head)
 *   -> CPU(window + drain) / alerts finished, raw and minus the idle rate over the same time.
 */
import { runLoad, alertBodies, type LoadResult } from './load.js';
import { counterByLabel } from './prom.js';
import { latency, log, metricsText, numberArg, round, sleep, type BenchContext, type Figure } from './common.js';
import { LogTimes } from './fills.js';
import type { RunningChild } from './children.js';
import { startPerf } from './perf.js';

const sum = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
const cpuUs = async (child: RunningChild) => {
  const u = await child.usage();
  return u.cpuUserUs + u.cpuSystemUs;
};

/** Waits (bounded) until every accepted alert has its order, no order is open and every processor is at the head. */
async function drained(baseUrl: string, maxS: number): Promise<boolean> {
  let last = -1;
  let stable = 0;
  const until = Date.now() + maxS * 1000;
  while (Date.now() < until) {
    const text = await metricsText(baseUrl);
    const accepted = counterByLabel(text, 'patriot_alerts_total', 'outcome').accepted ?? 0;
    const orders = sum(counterByLabel(text, 'patriot_orders_total', 'outcome'));
    const open = sum(counterByLabel(text, 'patriot_orders_open', 'status'));
    const lag = sum(counterByLabel(text, 'patriot_processor_lag_events', 'processor')) + (counterByLabel(text, 'patriot_projection_lag_events', 'x')[''] ?? 0);
    stable = orders === last && orders >= accepted && open === 0 && lag === 0 ? stable + 1 : 0;
    if (stable >= 3) return true;
    last = orders;
    await sleep(250);
  }
  return false;
}

interface Settings { rate: number; connections: number; idleS: number; warmupAlerts: number; perfDir: string | undefined }

/** One server's figure: warm-up, drain, idle window, measured window until drained. */
async function measure(ctx: BenchContext, child: RunningChild, settings: Settings, tag: string) {
  const { rate, connections, idleS, warmupAlerts, perfDir } = settings;
  const base = child.ready.url;
  const webhookUrl = child.ready.webhookUrl!;
  const bodies = alertBodies(child.ready.secret!, `${ctx.runPrefix}-cpu${tag}`);
  // JIT warm-up: a perf profile of a 2 s warm-up showed ~27 % of the window's CPU in V8's optimizing
  // compiler and ~20 % in the interpreter/baseline code; so first a burst of alerts (as fast as
  // the server takes them), then the warm-up at the rate
  if (warmupAlerts > 0) await runLoad({ url: webhookUrl, connections: 64, durationS: 120, alerts: bodies, amount: warmupAlerts });
  if (ctx.warmupS > 0) await runLoad({ url: webhookUrl, connections, durationS: ctx.warmupS, alerts: bodies, overallRate: rate });
  if (!(await drained(base, 120))) throw new Error('cpu_per_alert: the warm-up did not drain within 120 s');
  const times = new LogTimes();
  await times.add(child); // everything before the window

  const i0 = await cpuUs(child);
  const it0 = performance.now();
  await sleep(idleS * 1000);
  const idleUsPerS = (await cpuUs(child) - i0) / ((performance.now() - it0) / 1000);

  const perf = perfDir ? startPerf(child.pid, perfDir) : undefined;
  const t0 = Date.now();
  const c0 = await cpuUs(child);
  const w0 = performance.now();
  const r: LoadResult = await runLoad({ url: webhookUrl, connections, durationS: ctx.durationS, alerts: bodies, overallRate: rate });
  const complete = await drained(base, 120);
  const c1 = await cpuUs(child);
  const elapsedS = (performance.now() - w0) / 1000;
  const perfData = perf ? await perf.stop() : undefined;
  await times.add(child); // after the CPU window: reading the log is not counted

  const filled = times.count('OrderFilled', t0);
  const rejected = times.count('OrderRejected', t0) + times.count('OrderExchangeRejected', t0) + times.count('SignalRejected', t0);
  const finished = filled + rejected;
  const accepted = r.byStatus['202'] ?? 0;
  const cpuUsTotal = c1 - c0;
  const perAlert = finished > 0 ? cpuUsTotal / finished : null;
  const perAlertIdleCorrected = finished > 0 ? (cpuUsTotal - idleUsPerS * elapsedS) / finished : null;
  const rateHeld = r.requestsPerS >= rate * 0.9;
  return {
    ok: rateHeld && complete && finished >= accepted && r.non2xx === 0,
    cpu_per_alert_us: perAlert !== null ? round(perAlert, 0) : null,
    cpu_per_alert_us_idle_corrected: perAlertIdleCorrected !== null ? round(perAlertIdleCorrected, 0) : null,
    accepted, filled, rejected, drained: complete, backlogAfterDrain: times.backlog(Infinity),
    windowPlusDrainS: round(elapsedS, 2), serverCpuMs: round(cpuUsTotal / 1000, 0), idleServerCpuUsPerS: round(idleUsPerS, 0),
    achievedRatePerS: round(r.requestsPerS, 0), offeredRateHeld: rateHeld, ratioToBaseline: ctx.baselineRps ? round(r.requestsPerS / ctx.baselineRps, 3) : null,
    non2xx: r.non2xx, errors: r.errors, generator: r.generator, httpLatencyMs: latency(r),
    ...(perfData ? { perfData, perfReport: `perf report -i ${perfData} --no-children --sort dso,sym --stdio | head -60` } : {}),
  };
}

/**
 * `--compare-root=<checkout>` measures a second server built from another checkout's dist/ at the
 * same time, on the same rate (both servers share whatever else loads the machine, so drift in
 * the load cancels out of the ratio): the figure for before/after comparisons on a shared box.
 */
export async function cpuPerAlert(ctx: BenchContext): Promise<Figure> {
  const settings: Settings = {
    rate: numberArg(ctx.argv, 'cpu-rate', 200), connections: numberArg(ctx.argv, 'cpu-connections', 64), idleS: 3,
    warmupAlerts: numberArg(ctx.argv, 'cpu-warmup-alerts', 3000), perfDir: process.env.BENCH_PERF,
  };
  const compareRoot = ctx.argv.get('compare-root');
  log(`cpu_per_alert: fresh server${compareRoot ? `s (this checkout and ${compareRoot}, side by side)` : ''}, ${settings.rate} alerts/s offered, ${settings.connections} connections, ${settings.warmupAlerts} alerts + ${ctx.warmupS}s warm-up + ${ctx.durationS}s, CPU until drained`);
  // --perf-basic-prof: V8 writes /tmp/perf-<pid>.map, so perf names JIT-compiled JS functions
  const child = await ctx.startServer('cpu_per_alert', {}, settings.perfDir ? ['--perf-basic-prof'] : []);
  const other = compareRoot ? await ctx.startServer('cpu_per_alert (compare)', { PATRIOT_ROOT: compareRoot }).catch(async (error: unknown) => {
    await ctx.stopServer('cpu_per_alert', child);
    throw error;
  }) : undefined;
  try {
    const [mine, theirs] = await Promise.all([measure(ctx, child, settings, ''), other ? measure(ctx, other, { ...settings, perfDir: undefined }, 'c') : undefined]);
    const { ok, ...figures } = mine;
    const corrected = mine.cpu_per_alert_us_idle_corrected;
    return {
      name: 'cpu_per_alert', unit: 'µs of server CPU (user+system) per alert finished end to end (alert -> paper fill -> read model)',
      target: '<= 200 µs per alert end to end', meets: ok && corrected !== null && corrected <= 200,
      ...figures, offeredRatePerS: settings.rate, connections: settings.connections, warmupAlerts: settings.warmupAlerts,
      ...(theirs ? {
        compared: { root: compareRoot, ...theirs, ok: undefined },
        ratioToCompared: corrected !== null && theirs.cpu_per_alert_us_idle_corrected ? round(corrected / theirs.cpu_per_alert_us_idle_corrected, 3) : null,
      } : {}),
      note: 'CPU from the start of the window until every accepted alert is final and every processor is at the head (polled on /metrics every 250 ms, which is counted); idle-corrected subtracts the server\'s background CPU measured over an idle window just before. Far less sensitive to other load than throughput or latency, but it still moves (±15 % run to run on a loaded box): compare builds with --compare-root',
    };
  } finally {
    if (other) await ctx.stopServer('cpu_per_alert (compare)', other);
    await ctx.stopServer('cpu_per_alert', child);
  }
}
