/**
 * market_data_cpu: the CPU one process spends taking public price updates from two WebSocket
 * streams, as a share of one core. Two child processes:
 * - market-data-generator.ts (under tsx; not measured): a minimal Binance spot endpoint pushing
 *   bookTicker/trade frames, the same updates on every connection;
 * - market-data-child.ts (plain node, the BUILT dist/; measured with process.cpuUsage() inside it):
 *   `ExchangeMarketData`, two unmodified ccxt pro binance clients, merge and dedup, one listener.
 *
 *   npm run build && node --import tsx bench/market-data.ts [--rate=2000] [--duration=10] [--warmup=2]
 *
 * `--rate` is updates/s over both streams together (rate/2 frames/s on each connection). First a
 * two reference runs (BENCH_MD_MODE=raw-ws: two plain sockets and JSON.parse; ccxt-only: the
 * clients alone), then the measured one. Target:
 * < 10 % of one core at 2,000/s. Not registered in run.ts (`ALL` + main()) yet: `marketDataCpu`
 * returns the figure in the suite's shape.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { log, round, sleep, type Figure } from './common.js';

export interface MarketDataBenchOptions {
  /** updates/s over both streams (default 2,000) */
  readonly rate?: number;
  readonly durationS?: number;
  readonly warmupS?: number;
}

const TARGET_CORE_SHARE = 0.1;
const benchDir = fileURLToPath(new URL('./', import.meta.url));
const root = fileURLToPath(new URL('../', import.meta.url));
const childDir = fileURLToPath(new URL('./results/.child-md/', import.meta.url));

interface Measured {
  readonly cpuUs: number;
  readonly seconds: number;
  readonly quotes: number;
  readonly states: string;
}

export async function marketDataCpu(options: MarketDataBenchOptions = {}): Promise<Figure> {
  const rate = options.rate ?? 2000;
  const durationS = options.durationS ?? 10;
  const warmupS = options.warmupS ?? 2;
  if (!existsSync(`${root}dist/adapters/marketdata/exchange-market-data.js`)) throw new Error('dist/ is missing the market-data adapter: run `npm run build` first');
  log(`market_data_cpu: ${rate} updates/s over two WebSocket streams, ${warmupS}s warm-up + ${durationS}s`);
  const generator = await started(fork(`${benchDir}market-data-generator.ts`, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }), 'generator');
  try {
    const url = (generator.ready as { url: string }).url;
    // references: two plain sockets parsing JSON (the floor); the same two ccxt clients re-arming their watches, results unused
    const rawWs = await measuredRun(generator.child, url, 'raw-ws', rate, warmupS, durationS);
    const ccxtOnly = await measuredRun(generator.child, url, 'ccxt-only', rate, warmupS, durationS);
    const full = await measuredRun(generator.child, url, 'full', rate, warmupS, durationS);
    const figure: Figure = {
      name: 'market_data_cpu',
      unit: 'share of one core',
      target: `< ${TARGET_CORE_SHARE * 100} % of one core at 2,000 updates/s from two streams`,
      meets: rate >= 2000 ? full.coreShare < TARGET_CORE_SHARE : null,
      coreShare: round(full.coreShare, 4),
      offeredUpdatesPerS: rate,
      messagesPerS: round(full.messagesPerS, 0),
      quotesPerS: round(full.quotesPerS, 0),
      cpuUsPerMessage: full.messagesPerS > 0 ? round((full.coreShare * 1e6) / full.messagesPerS, 2) : null,
      ccxtAloneCoreShare: round(ccxtOnly.coreShare, 4),
      rawWebSocketCoreShare: round(rawWs.coreShare, 4),
      durationS: round(full.seconds, 2),
      symbols: full.symbols,
      statesAtEnd: full.states,
      loadAverageAtStart: loadavg().map((x) => round(x, 2)),
      note: 'measured: a plain-node child running dist/ ExchangeMarketData (two ccxt pro binance clients, one socket each via streamLimits.spot=1, one quote listener); ccxtAloneCoreShare: the same two clients re-arming watchBidsAsks/watchTradesForSymbols with nothing done with the results; rawWebSocketCoreShare: two plain ws sockets, JSON.parse per frame (the floor); generator in another child; messagesPerS counts frames sent to both connections; quotesPerS is what the merge emitted (duplicates from the second connection dropped)',
    };
    log(`  market_data_cpu: ${(full.coreShare * 100).toFixed(2)} % of one core at ${round(full.messagesPerS, 0)} messages/s (${figure.quotesPerS} quotes/s emitted); ccxt alone ${(ccxtOnly.coreShare * 100).toFixed(2)} %, two raw sockets + JSON.parse ${(rawWs.coreShare * 100).toFixed(2)} %`);
    return figure;
  } finally {
    await stop(generator.child);
  }
}

/** One measured child (`mode` full or ccxt-only): streaming first, then warm-up and the window at `rate`. */
async function measuredRun(generator: ChildProcess, url: string, mode: 'full' | 'ccxt-only' | 'raw-ws', rate: number, warmupS: number, durationS: number) {
  generator.send({ type: 'rate', perConnection: 50 });
  const env = { ...process.env, PATRIOT_ROOT: root, BENCH_MD_MODE: mode };
  const child = await started(fork(transpiledChild(), [url], { execArgv: profileFlags(), env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }), `measured child (${mode})`);
  try {
    const ready = child.ready as { states: string; symbols: number };
    if (!/ws-a=streaming ws-b=streaming/.test(ready.states)) throw new Error(`the two connections did not stream: ${ready.states}`);
    generator.send({ type: 'rate', perConnection: rate / 2 });
    await sleep(warmupS * 1000);
    const sent0 = (await request<{ sent: number }>(generator, { type: 'count' }, 'count')).sent;
    const window = await request<Measured>(child.child, { type: 'measure', seconds: durationS }, 'measured');
    const sent = (await request<{ sent: number }>(generator, { type: 'count' }, 'count')).sent - sent0;
    generator.send({ type: 'rate', perConnection: 0 });
    return {
      coreShare: window.cpuUs / 1e6 / window.seconds,
      messagesPerS: sent / window.seconds,
      quotesPerS: window.quotes / window.seconds,
      seconds: window.seconds,
      states: window.states,
      symbols: ready.symbols,
    };
  } finally {
    await stop(child.child);
  }
}

/** BENCH_CPU_PROF=<dir>: the measured child writes a .cpuprofile there (see bench/cpuprofile-top.ts). */
function profileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** The measured child runs on plain node: transpiled (types stripped) next to the other children. */
function transpiledChild(): string {
  mkdirSync(childDir, { recursive: true });
  const out = ts.transpileModule(readFileSync(`${benchDir}market-data-child.ts`, 'utf8'), {
    fileName: 'market-data-child.ts',
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false },
  });
  writeFileSync(`${childDir}market-data-child.js`, out.outputText);
  writeFileSync(`${childDir}package.json`, '{ "type": "module" }\n');
  return `${childDir}market-data-child.js`;
}

function started(child: ChildProcess, what: string): Promise<{ child: ChildProcess; ready: unknown }> {
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} not ready within 60 s`));
    }, 60_000);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready`));
    };
    child.once('exit', onExit);
    child.on('message', function first(raw: unknown) {
      const message = raw as { type: string; message?: string };
      if (message.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`${what}: ${message.message}`));
      }
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      child.off('message', first);
      child.off('exit', onExit);
      resolve({ child, ready: message });
    });
  });
}

function request<T>(child: ChildProcess, message: object, reply: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (raw: unknown): void => {
      const m = raw as { type: string };
      if (m.type !== reply) return;
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.send({ type: 'stop' });
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string): number | undefined => {
    const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    return raw === undefined ? undefined : Number(raw);
  };
  const figure = await marketDataCpu({ rate: arg('rate') ?? 2000, durationS: arg('duration') ?? 10, warmupS: arg('warmup') ?? 2 });
  process.stdout.write(`${JSON.stringify(figure, null, 2)}\n`);
}
