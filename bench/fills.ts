/**
 * end_to_end_fills: alerts offered at a fixed rate for a bounded window; paper fills counted from
 * the event log (OrderFilled completing its order, by the event's own time) per second of the
 * window, and the backlog at its end (alerts accepted but neither filled nor rejected yet).
 * The demo strategy sends each alert as one market order to the paper account; the synthetic
 * feed (running in the server child, 250 ms ticks) gives the price, so market orders fill at once.
 */
import { alertBodies, runLoad, type LoadResult } from './load.js';
import { counterByLabel } from './prom.js';
import { cpuOf, latency, log, metricsText, numberArg, round, sleep, type BenchContext, type Figure } from './common.js';
import type { RunningChild } from './children.js';

export const FINISHED = ['OrderFilled', 'OrderRejected', 'OrderExchangeRejected', 'SignalRejected'] as const;

/** Every event time the child reports, accumulated over tallies. */
export class LogTimes {
  private readonly times = new Map<string, number[]>();
  scanned = 0;
  async add(child: RunningChild): Promise<void> {
    const t = await child.logTally();
    this.scanned += t.scanned;
    for (const [type, times] of Object.entries(t.timesByType)) {
      const list = this.times.get(type) ?? [];
      for (const x of times) list.push(x);
      this.times.set(type, list);
    }
  }
  count(type: string, from = -Infinity, to = Infinity): number {
    let n = 0;
    for (const x of this.times.get(type) ?? []) if (x >= from && x <= to) n++;
    return n;
  }
  /** alerts received up to `at` that had not reached a final state by then */
  backlog(at: number): number {
    return this.count('SignalReceived', -Infinity, at) - FINISHED.reduce((sum, type) => sum + this.count(type, -Infinity, at), 0);
  }
  perSecond(type: string, from: number, seconds: number): number[] {
    const out = new Array<number>(seconds).fill(0);
    for (const x of this.times.get(type) ?? []) {
      const i = Math.floor((x - from) / 1000);
      if (i >= 0 && i < seconds) out[i]! += 1;
    }
    return out;
  }
}

export async function endToEndFills(ctx: BenchContext): Promise<Figure> {
  const rate = numberArg(ctx.argv, 'fills-rate', 1000);
  const connections = 32;
  const maxDrainS = 60;
  log(`end_to_end_fills: fresh server, ${rate} alerts/s offered, ${connections} connections, ${ctx.warmupS}s warm-up + ${ctx.durationS}s, fills from the event log`);
  const child = await ctx.startServer('end_to_end_fills');
  try {
    const webhookUrl = child.ready.webhookUrl!;
    const bodies = alertBodies(child.ready.secret!, `${ctx.runPrefix}-e2e`);
    const times = new LogTimes();
    if (ctx.warmupS > 0) await runLoad({ url: webhookUrl, connections, durationS: ctx.warmupS, alerts: bodies, overallRate: rate });
    const t0 = Date.now();
    let r!: LoadResult;
    const cpu = await cpuOf(child, async () => {
      r = await runLoad({ url: webhookUrl, connections, durationS: ctx.durationS, alerts: bodies, overallRate: rate });
      return { units: r.byStatus['202'] ?? 0, seconds: r.durationS };
    });
    const t1 = Date.now();
    await times.add(child);
    // then let the backlog drain (bounded), to see how long the pipeline needs to catch up
    let drainedAt: number | undefined = times.backlog(Infinity) === 0 ? t1 : undefined;
    while (drainedAt === undefined && Date.now() - t1 < maxDrainS * 1000) {
      await sleep(500);
      await times.add(child);
      if (times.backlog(Infinity) === 0) drainedAt = Date.now();
    }
    const windowS = (t1 - t0) / 1000;
    const fills = times.count('OrderFilled', t0, t1);
    const fillsPerS = fills / windowS;
    const accepted = r.byStatus['202'] ?? 0;
    const acceptedPerS = accepted / r.durationS;
    const backlogAtEnd = times.backlog(t1);
    const series = times.perSecond('OrderFilled', t0, Math.floor(windowS));
    const sorted = [...series].sort((a, b) => a - b);
    const text = await metricsText(child.ready.url);
    const meets = fillsPerS >= 5_000 && backlogAtEnd <= acceptedPerS && r.non2xx === 0;
    return {
      name: 'end_to_end_fills', unit: 'paper fills/s (OrderFilled completing its order, recorded in the event log during the window)',
      target: '>= 5,000/s sustained, backlog at the end <= 1 s of accepted alerts, 0 non-2xx', meets,
      offeredRatePerS: rate, connections, windowS: round(windowS, 1),
      fillsPerS: round(fillsPerS, 0), fills, ratioToBaseline: ctx.baselineRps ? round(fillsPerS / ctx.baselineRps, 3) : null,
      acceptedPerS: round(acceptedPerS, 0), accepted, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, byStatus: r.byStatus,
      fillsPerSecondOfWindow: { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted[sorted.length - 1] ?? 0, series },
      backlogAtEnd,
      drainSAfterWindow: drainedAt !== undefined ? round((drainedAt - t1) / 1000, 1) : `> ${maxDrainS}`,
      rejectedInWindow: { risk: times.count('OrderRejected', t0, t1), exchange: times.count('OrderExchangeRejected', t0, t1), signal: times.count('SignalRejected', t0, t1) },
      httpLatencyMs: latency(r),
      serverCpu: { msPerAcceptedAlert: cpu.cpuMsPerUnit, coresBusy: cpu.coresBusy, eventLoopUtilization: cpu.eventLoopUtilization },
      serverOrdersTotal: counterByLabel(text, 'patriot_orders_total', 'outcome'),
      note: `fills counted by each OrderFilled event's metadata.time inside [start, end] of the measured window (after ${ctx.warmupS}s of warm-up at the same rate); backlog = SignalReceived up to the end minus signals finished (filled, risk- or exchange-rejected) up to the end; the log is read after the window (${times.scanned} events), not during it`,
    };
  } finally {
    await ctx.stopServer('end_to_end_fills', child);
  }
}
