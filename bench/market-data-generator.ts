/**
 * The market-data benchmark's generator (a child process, so its CPU is not measured): a minimal
 * Binance spot public endpoint — GET /api/v3/exchangeInfo for ccxt's loadMarkets, and WebSocket
 * streams at /ws/<n> answering SUBSCRIBE and pushing `<symbol>@bookTicker` updates (one in ten a
 * `<symbol>@trade`) in Binance's format. Every connection gets the same updates (same update ids),
 * as two connections to an exchange do.
 *
 * IPC: sends {type:'ready', url}; takes {type:'rate', perConnection} (updates/s on each connection,
 * 0 pauses), {type:'count'} (answers {type:'count', sent}) and {type:'stop'}.
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Market } from '../src/application/ports/exchange.js';
import { exchangeInfo } from '../src/adapters/exchanges/sandbox/exchange-info.js';

export const GENERATOR_SYMBOLS = 20;

const markets: Market[] = Array.from({ length: GENERATOR_SYMBOLS }, (_, i) => {
  const base = i === 0 ? 'BTC' : i === 1 ? 'ETH' : `C${String(i).padStart(2, '0')}`;
  return { symbol: `${base}/USDT`, base, quote: 'USDT', tickSize: '0.01', stepSize: '0.0001', minQty: '0.0001', maxQty: '9000', minNotional: '5' };
});

interface Subscriber {
  readonly socket: WebSocket;
  readonly streams: Set<string>;
}

const subscribers = new Set<Subscriber>();
let perConnection = 0;
let sent = 0;
let updateId = 1;
let tradeId = 1;
let started = performance.now();
let produced = 0;

const server = createServer((req, res) => {
  if (req.url?.startsWith('/api/v3/exchangeInfo')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(exchangeInfo(markets, Date.now())));
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"code":-1,"msg":"not served by the generator"}');
});

const wss = new WebSocketServer({ server });
wss.on('connection', (socket) => {
  const subscriber: Subscriber = { socket, streams: new Set() };
  subscribers.add(subscriber);
  socket.on('message', (raw) => {
    const request = JSON.parse(String(raw)) as { method?: string; params?: string[]; id?: number };
    if (request.method === 'SUBSCRIBE') for (const s of request.params ?? []) subscriber.streams.add(s);
    if (request.method === 'UNSUBSCRIBE') for (const s of request.params ?? []) subscriber.streams.delete(s);
    socket.send(JSON.stringify({ result: null, id: request.id }));
  });
  socket.on('close', () => subscribers.delete(subscriber));
  socket.on('error', () => subscribers.delete(subscriber));
});

function frame(i: number): { stream: string; text: string } {
  const market = markets[i % markets.length]!;
  const id = `${market.base}${market.quote}`.toLowerCase();
  const price = (100 + (i % 1000) / 100).toFixed(2);
  if (i % 10 === 9) {
    const now = Date.now();
    const text = JSON.stringify({ e: 'trade', E: now, s: id.toUpperCase(), t: tradeId++, p: price, q: '0.01000000', T: now, m: true, M: true });
    return { stream: `${id}@trade`, text };
  }
  const text = JSON.stringify({ u: updateId++, s: id.toUpperCase(), b: price, B: '1.00000000', a: (Number(price) + 0.01).toFixed(2), A: '1.00000000' });
  return { stream: `${id}@bookTicker`, text };
}

/** Every 5 ms, the updates due since the start at the current rate (so timer jitter does not change the rate). */
setInterval(() => {
  if (perConnection <= 0) return;
  const due = Math.floor(((performance.now() - started) / 1000) * perConnection) - produced;
  for (let k = 0; k < due; k++) {
    const { stream, text } = frame(produced + k);
    for (const s of subscribers) {
      if (s.streams.has(stream)) {
        s.socket.send(text);
        sent += 1;
      }
    }
  }
  produced += Math.max(0, due);
}, 5);

process.on('message', (raw: unknown) => {
  const message = raw as { type: string; perConnection?: number };
  if (message.type === 'rate') {
    perConnection = message.perConnection ?? 0;
    started = performance.now();
    produced = 0;
  } else if (message.type === 'count') {
    process.send?.({ type: 'count', sent });
  } else if (message.type === 'stop') {
    for (const s of subscribers) s.socket.terminate();
    wss.close();
    server.close(() => process.exit(0));
  }
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
