/**
 * market_data_cpu: the CPU one process spends taking public price updates from two WebSocket
 * streams (`ExchangeMarketData`: two unmodified ccxt pro binance clients, merged and deduplicated),
 * as a share of one core. The updates come from a generator in a child process
 * (market-data-generator.ts: Binance bookTicker/trade frames), so only the receiving side is
 * measured, with process.cpuUsage() in this process.
 *
 *   node --import tsx bench/market-data.ts [--rate=2000] [--duration=10] [--warmup=2]
 *
 * `--rate` is updates/s over both streams together (each connection carries rate/2, the same
 * updates on both, as two connections to an exchange do). Target: < 10 % of one core at 2,000/s.
 * Not yet registered in run.ts (`ALL` + main()): `marketDataCpu` below has the figure's shape.
 */
import { fork } from 'node:child_process';
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import ccxt from 'ccxt';
import { binanceCcxtUrls } from '../src/adapters/exchanges/sandbox/ccxt-urls.js';
import { ExchangeMarketData } from '../src/adapters/marketdata/exchange-market-data.js';
import { restTickersOf } from '../src/adapters/marketdata/ccxt-market-shapes.js';
import { silentLogger } from '../src/application/ports/logger.js';
import { log, round, sleep, type Figure } from './common.js';

export interface MarketDataBenchOptions {
  /** updates/s over both streams (default 2,000) */
  readonly rate?: number;
  readonly durationS?: number;
  readonly warmupS?: number;
}

interface Generator {
  readonly url: string;
  send(message: object): void;
  count(): Promise<number>;
  stop(): Promise<void>;
}

const TARGET_CORE_SHARE = 0.1;

export async function marketDataCpu(options: MarketDataBenchOptions = {}): Promise<Figure> {
  const rate = options.rate ?? 2000;
  const durationS = options.durationS ?? 10;
  const warmupS = options.warmupS ?? 2;
  log(`market_data_cpu: ${rate} updates/s over two WebSocket streams, ${warmupS}s warm-up + ${durationS}s`);
  const generator = await startGenerator();
  const agent = new Agent({ keepAlive: true });
  const urls = binanceCcxtUrls(generator.url, generator.url.replace(/^http/, 'ws'));
  const clientOptions = { fetchCurrencies: false, fetchMarkets: { types: ['spot'] }, defaultType: 'spot', streamLimits: { spot: 1 } };
  const rest = new ccxt.binance({ urls: { api: urls }, httpAgent: agent, enableRateLimit: false, options: clientOptions });
  const md = new ExchangeMarketData({
    venue: 'bench:spot',
    createClient: () => new ccxt.pro.binance({ urls: { api: urls }, httpAgent: agent, enableRateLimit: false, options: clientOptions }),
    restTickers: restTickersOf(rest),
    clock: { now: () => Date.now() },
    logger: silentLogger,
  });
  let quotes = 0;
  md.onQuote(() => {
    quotes += 1;
  });
  try {
    const markets = await rest.loadMarkets();
    md.follow('bench', Object.keys(markets));
    // both connections subscribed: a slow trickle until both stream
    generator.send({ type: 'rate', perConnection: 50 });
    for (let i = 0; i < 200 && !md.status().connections.every((c) => c.state === 'streaming'); i++) await sleep(50);
    const states = md.status().connections.map((c) => `${c.id}=${c.state}`).join(' ');
    if (!md.status().connections.every((c) => c.state === 'streaming')) throw new Error(`the two connections did not stream: ${states}`);

    generator.send({ type: 'rate', perConnection: 0 });
    await sleep(500);
    const idle = await measure(generator, () => quotes, Math.min(durationS, 5));

    generator.send({ type: 'rate', perConnection: rate / 2 });
    await sleep(warmupS * 1000);
    const loaded = await measure(generator, () => quotes, durationS);
    const coreShare = loaded.coreShare;
    const figure: Figure = {
      name: 'market_data_cpu',
      unit: 'share of one core',
      target: `< ${TARGET_CORE_SHARE * 100} % of one core at 2,000 updates/s from two streams`,
      meets: rate >= 2000 ? coreShare < TARGET_CORE_SHARE : null,
      coreShare: round(coreShare, 4),
      offeredUpdatesPerS: rate,
      receivedMessagesPerS: round(loaded.messagesPerS, 0),
      quotesPerS: round(loaded.quotesPerS, 0),
      cpuUsPerMessage: loaded.messagesPerS > 0 ? round((coreShare * 1e6) / loaded.messagesPerS, 2) : null,
      idleCoreShare: round(idle.coreShare, 4),
      durationS: round(loaded.seconds, 2),
      symbols: Object.keys(markets).length,
      note: 'measured process: ExchangeMarketData with two ccxt pro binance clients (one socket each, streamLimits.spot=1) and one quote listener; generator in a child process; process.cpuUsage() of this process only (it runs under the tsx loader)',
    };
    log(`  market_data_cpu: ${(coreShare * 100).toFixed(2)} % of one core at ${round(loaded.messagesPerS, 0)} messages/s (${round(loaded.quotesPerS, 0)} quotes/s after dedup); idle ${(idle.coreShare * 100).toFixed(2)} %`);
    return figure;
  } finally {
    await md.close();
    await rest.close();
    agent.destroy();
    await generator.stop();
  }
}

async function measure(generator: Generator, quotes: () => number, seconds: number) {
  const sentBefore = await generator.count();
  const quotesBefore = quotes();
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = (performance.now() - t0) / 1000;
  const sent = (await generator.count()) - sentBefore;
  return {
    seconds: elapsed,
    coreShare: (cpu.user + cpu.system) / 1e6 / elapsed,
    messagesPerS: sent / elapsed,
    quotesPerS: (quotes() - quotesBefore) / elapsed,
  };
}

function startGenerator(): Promise<Generator> {
  const path = fileURLToPath(new URL('./market-data-generator.ts', import.meta.url));
  const child = fork(path, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('market-data generator not ready within 30 s'));
    }, 30_000);
    child.once('exit', (code) => reject(new Error(`market-data generator exited with ${code} before it was ready`)));
    child.on('message', function first(raw: unknown) {
      const message = raw as { type: string; url?: string };
      if (message.type !== 'ready' || message.url === undefined) return;
      clearTimeout(timer);
      child.off('message', first);
      resolve({
        url: message.url,
        send: (m) => child.send(m),
        count: () =>
          new Promise((res) => {
            const onMessage = (r: unknown) => {
              const m = r as { type: string; sent?: number };
              if (m.type !== 'count') return;
              child.off('message', onMessage);
              res(m.sent ?? 0);
            };
            child.on('message', onMessage);
            child.send({ type: 'count' });
          }),
        stop: () =>
          new Promise((res) => {
            const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
            child.removeAllListeners('exit');
            child.once('exit', () => {
              clearTimeout(kill);
              res();
            });
            child.send({ type: 'stop' });
          }),
      });
    });
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
