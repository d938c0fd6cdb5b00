/**
 * The measured process of market_data_cpu: `ExchangeMarketData` from the BUILT code (dist/), with
 * two unmodified ccxt pro binance clients pointed at the generator, one quote listener. Runs on
 * plain node (transpiled by bench/market-data.ts to bench/results/.child-md/), so no loader
 * thread adds to its CPU time.
 *
 * argv[2]: the generator's base URL. IPC: sends {type:'ready', states} once both connections
 * stream; takes {type:'measure', seconds} (answers {type:'measured', cpuUs, seconds, quotes,
 * states}) and {type:'stop'}.
 */
import { Agent } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import ccxt from 'ccxt';
import { WebSocket } from 'ws';

const root = process.env.PATRIOT_ROOT ?? new URL('../../../', import.meta.url).pathname;
const dist = (path: string): string => pathToFileURL(join(root, 'dist', path)).href;

interface Source {
  follow(owner: string, symbols: readonly string[]): void;
  onQuote(listener: (quote: unknown) => void): () => void;
  status(): { connections: readonly { id: string; state: string }[] };
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const send = (message: object): void => void process.send?.(message);

async function main(): Promise<void> {
  const base = process.argv[2];
  if (base === undefined) throw new Error('usage: market-data-child <generator url>');
  const { ExchangeMarketData } = (await import(dist('adapters/marketdata/exchange-market-data.js'))) as { ExchangeMarketData: new (o: unknown) => Source };
  const { restTickersOf } = (await import(dist('adapters/marketdata/ccxt-market-shapes.js'))) as { restTickersOf: (c: unknown) => unknown };
  const { binanceCcxtUrls } = (await import(dist('adapters/exchanges/sandbox/ccxt-urls.js'))) as { binanceCcxtUrls: (h: string, w: string) => unknown };
  const agent = new Agent({ keepAlive: true });
  const urls = binanceCcxtUrls(base, base.replace(/^http/, 'ws'));
  // streamLimits.spot = 1: a client's two watches share one socket
  const options = { fetchCurrencies: false, fetchMarkets: { types: ['spot'] }, defaultType: 'spot', streamLimits: { spot: 1 } };
  const rest = new ccxt.binance({ urls: { api: urls }, httpAgent: agent, enableRateLimit: false, options });
  const mode = process.env.BENCH_MD_MODE;
  const md = mode === 'raw-ws' ? rawWs(base.replace(/^http/, 'ws')) : mode === 'ccxt-only' ? ccxtOnly(() => new ccxt.pro.binance({ urls: { api: urls }, httpAgent: agent, enableRateLimit: false, options })) : new ExchangeMarketData({
    venue: 'bench:spot',
    createClient: () => new ccxt.pro.binance({ urls: { api: urls }, httpAgent: agent, enableRateLimit: false, options }),
    restTickers: restTickersOf(rest),
    clock: { now: () => Date.now() },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    coalesceMs: Number(process.env.BENCH_MD_COALESCE_MS ?? 0),
  });
  let quotes = 0;
  md.onQuote(() => {
    quotes += 1;
  });
  const states = (): string => md.status().connections.map((c) => `${c.id}=${c.state}`).join(' ');
  const markets = await rest.loadMarkets();
  md.follow('bench', Object.keys(markets));
  for (let i = 0; i < 400 && !md.status().connections.every((c) => c.state === 'streaming'); i++) await sleep(50);
  send({ type: 'ready', states: states(), symbols: Object.keys(markets).length });

  process.on('message', (raw: unknown) => {
    const message = raw as { type: string; seconds?: number };
    if (message.type === 'measure') {
      void (async () => {
        const q0 = quotes;
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await sleep((message.seconds ?? 5) * 1000);
        const cpu = process.cpuUsage(cpu0);
        send({ type: 'measured', cpuUs: cpu.user + cpu.system, seconds: (performance.now() - t0) / 1000, quotes: quotes - q0, states: states() });
      })();
    } else if (message.type === 'stop') {
      void (async () => {
        await md.close();
        await rest.close();
        agent.destroy();
        process.exit(0);
      })();
    }
  });
}

/**
 * BENCH_MD_MODE=ccxt-only: the same two clients, each just re-arming watchBidsAsks and
 * watchTradesForSymbols with nothing done with the results: what ccxt alone costs.
 */
function ccxtOnly(create: () => InstanceType<typeof ccxt.pro.binance>): Source {
  const clients = [create(), create()];
  let symbols: string[] = [];
  let running = true;
  const loop = async (watch: () => Promise<unknown>): Promise<void> => {
    while (running) await watch().catch(() => sleep(100));
  };
  return {
    follow: (_owner, list) => {
      symbols = [...list];
      for (const c of clients) {
        void loop(() => c.watchBidsAsks(symbols));
        void loop(() => c.watchTradesForSymbols(symbols));
      }
    },
    onQuote: () => () => {},
    status: () => ({ connections: [{ id: 'ws-a', state: 'streaming' }, { id: 'ws-b', state: 'streaming' }] }),
    close: async () => {
      running = false;
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

/** BENCH_MD_MODE=raw-ws: two plain `ws` sockets, each frame JSON.parse'd and dropped: the floor. */
function rawWs(wsBase: string): Source {
  const sockets: WebSocket[] = [];
  return {
    follow: (_owner, list) => {
      const streams = list.flatMap((s) => {
        const id = s.replace('/', '').toLowerCase();
        return [`${id}@bookTicker`, `${id}@trade`];
      });
      for (let i = 0; i < 2; i++) {
        const socket = new WebSocket(`${wsBase}/ws/${i}`);
        socket.on('open', () => socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: streams, id: 1 })));
        socket.on('message', (data) => JSON.parse(String(data)));
        sockets.push(socket);
      }
    },
    onQuote: () => () => {},
    status: () => ({ connections: sockets.map((s, i) => ({ id: `ws-${i === 0 ? 'a' : 'b'}`, state: s.readyState === WebSocket.OPEN ? 'streaming' : 'connecting' })) }),
    close: async () => {
      for (const s of sockets) s.terminate();
    },
  };
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
