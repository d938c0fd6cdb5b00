/**
 * rest_reads: REST read throughput for 100 concurrent users. A fresh server is seeded with a few
 * thousand filled orders (alerts through the webhook); 100 users are added through the admin API
 * and logged in; then autocannon holds 100 connections, each with its own user's Bearer token,
 * alternating GET /api/v1/positions and GET /api/v1/orders (the default page: 100 newest orders).
 */
import { randomBytes } from 'node:crypto';
import { runGets, type LoadResult } from './load.js';
import { cpuOf, latency, log, numberArg, round, type BenchContext, type Figure } from './common.js';
import { createUsers, get, login, restServerEnv, seedOrders } from './api-client.js';

export async function restReads(ctx: BenchContext): Promise<Figure> {
  const users = numberArg(ctx.argv, 'users', 100);
  const seedAlerts = numberArg(ctx.argv, 'seed-orders', 3000);
  log(`rest_reads: fresh server, ${seedAlerts} orders seeded, ${users} users (one connection each), GET positions/orders alternating, ${ctx.warmupS}s warm-up + ${ctx.durationS}s`);
  const password = randomBytes(12).toString('base64url');
  const child = await ctx.startServer('rest_reads', restServerEnv(password));
  try {
    const base = child.ready.url;
    const t0 = Date.now();
    const seeded = await seedOrders(base, child.ready.webhookUrl!, child.ready.secret!, `${ctx.runPrefix}-seed`, seedAlerts);
    const seedS = (Date.now() - t0) / 1000;
    const admin = await login(base, 'demo', password);
    const t1 = Date.now();
    const tokens = await createUsers(base, admin.accessToken, `${ctx.runPrefix}-r`, users);
    const usersS = (Date.now() - t1) / 1000;
    const page = await get<{ items: unknown[] }>(base, '/orders', tokens[0]!);
    const positions = await get<{ items: unknown[] }>(base, '/positions', tokens[0]!);
    const perConnection = tokens.map((token) => {
      const headers = { authorization: `Bearer ${token}` };
      return [{ path: '/api/v1/positions', headers }, { path: '/api/v1/orders', headers }];
    });
    log(`  seeded ${seeded} orders in ${seedS.toFixed(1)} s; ${users} users added and logged in in ${usersS.toFixed(1)} s`);
    if (ctx.warmupS > 0) await runGets({ origin: base, connections: users, durationS: ctx.warmupS, perConnection });
    let r!: LoadResult;
    const cpu = await cpuOf(child, async () => {
      r = await runGets({ origin: base, connections: users, durationS: ctx.durationS, perConnection });
      return { units: r.byStatus['200'] ?? 0, seconds: r.durationS };
    });
    const okPerS = (r.byStatus['200'] ?? 0) / r.durationS;
    return {
      name: 'rest_reads', unit: 'requests/s (200 only), GET /api/v1/positions and /api/v1/orders alternating',
      target: '>= 5,000 req/s with p99 <= 50 ms and 0 non-2xx (issue 18; DESIGN.md: 1,000+ concurrent users at p99 < 500 ms)', meets: okPerS >= 5000 && r.latencyMs.p99 <= 50 && r.non2xx === 0 && r.errors === 0,
      connections: users, users, durationS: round(r.durationS), requestsPerS: round(okPerS, 0), requests: r.requests,
      ratioToBaseline: ctx.baselineRps ? round(okPerS / ctx.baselineRps, 3) : null,
      non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, byStatus: r.byStatus, latencyMs: latency(r),
      data: { ordersSeeded: seeded, ordersPerResponse: page.items.length, positionsPerResponse: positions.items.length, seedS: round(seedS, 1), usersSetupS: round(usersS, 1) },
      serverCpu: { msPerRequest: cpu.cpuMsPerUnit, coresBusy: cpu.coresBusy, eventLoopUtilization: cpu.eventLoopUtilization },
      note: 'users are viewers of the demo tenant, one access token per connection; per-user read, write and login rate limits set to 0 (off) in the bench server env; the baseline is a POST that parses a small body, so the ratio compares a 100-order JSON page with an empty answer',
    };
  } finally {
    await ctx.stopServer('rest_reads', child);
  }
}
