/**
 * anchor_fastapi: the seeds' stack on the same machine in the same run, as an anchor for the
 * ingest figures: FastAPI + uvicorn (2 workers, uvloop, httptools) + asyncpg, one durable
 * PostgreSQL insert per alert (bench/anchor/fastapi_app.py), driven by the same generator (wrk,
 * unique alerts) as ingest_*. Needs Debian's python3-fastapi, python3-uvicorn, python3-uvloop,
 * python3-httptools and python3-asyncpg (system python at /usr/bin/python3); without them the
 * figure says so and how to install them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { freePort } from '../test/support/free-port.js';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runLoad, alertBodies, type LoadResult } from './load.js';
import { createDatabase } from './rebuild.js';
import { latency, log, round, sleep, type Figure } from './common.js';

const PYTHON = process.env.BENCH_ANCHOR_PYTHON ?? '/usr/bin/python3';
const MODULES = 'fastapi, uvicorn, uvloop, httptools, asyncpg';
const INSTALL = 'apt-get install -y python3-fastapi python3-uvicorn python3-uvloop python3-httptools python3-asyncpg';


export async function fastapiAnchor(clusterUrl: string, opts: { durationS: number; warmupS: number; runPrefix: string; baselineRps: number | undefined }): Promise<Figure> {
  const name = 'anchor_fastapi';
  const check = spawnSync(PYTHON, ['-c', `import ${MODULES}`], { encoding: 'utf8' });
  if (check.status !== 0) {
    log(`${name}: unavailable (${PYTHON} cannot import ${MODULES}); install with: ${INSTALL}`);
    return { name, unit: 'accepted alerts/s', target: null, meets: null, unavailable: true, reason: (check.stderr || String(check.error)).trim().split('\n').pop(), install: INSTALL };
  }
  log(`${name}: FastAPI + uvicorn (2 workers, uvloop) + asyncpg, one durable insert per alert, 64 connections, ${opts.warmupS}s warm-up + ${opts.durationS}s`);
  const databaseUrl = await createDatabase(clusterUrl, 'bench_anchor');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('CREATE TABLE alerts (id text PRIMARY KEY, body jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())');
  await client.end();
  const port = await freePort();
  const secret = `anchor-${opts.runPrefix}`;
  // its own process group, so that stopping it stops uvicorn's workers too
  const server = spawn(PYTHON, ['-m', 'uvicorn', 'fastapi_app:app', '--workers', '2', '--loop', 'uvloop', '--http', 'httptools', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning', '--no-access-log'], {
    cwd: fileURLToPath(new URL('./anchor/', import.meta.url)), env: { ...process.env, DATABASE_URL: databaseUrl, WEBHOOK_SECRET: secret }, stdio: ['ignore', 'inherit', 'inherit'], detached: true,
  });
  const url = `http://127.0.0.1:${port}/webhook`;
  try {
    let up = false;
    for (let i = 0; i < 120 && !up; i++) {
      await sleep(250);
      up = await fetch(url, { method: 'POST', body: JSON.stringify({ secret, id: `${opts.runPrefix}-probe-${i}` }), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(2000) })
        .then((r) => r.status === 202, () => false);
    }
    if (!up) throw new Error(`${name}: uvicorn did not answer within 30 s`);
    const alerts = alertBodies(secret, `${opts.runPrefix}-anchor`);
    if (opts.warmupS > 0) await runLoad({ url, connections: 64, durationS: opts.warmupS, alerts });
    const r: LoadResult = await runLoad({ url, connections: 64, durationS: opts.durationS, alerts });
    const accepted = r.byStatus['202'] ?? 0;
    const acceptedPerS = accepted / r.durationS;
    return {
      name, unit: 'accepted alerts/s (202 only), the seeds\' stack: FastAPI + uvicorn (2 workers, uvloop) + asyncpg, one durable insert per alert', target: null, meets: null,
      connections: 64, generator: r.generator, durationS: round(r.durationS), acceptedPerS: round(acceptedPerS, 0), accepted,
      ratioToBaseline: opts.baselineRps ? round(acceptedPerS / opts.baselineRps, 3) : null,
      non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, byStatus: r.byStatus, latencyMs: latency(r),
    };
  } finally {
    if (server.pid !== undefined) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch { /* already gone */ }
    }
    await new Promise<void>((resolve) => (server.exitCode !== null ? resolve() : server.once('exit', () => resolve())));
  }
}
