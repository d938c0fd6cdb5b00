import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Clock } from '../../../application/ports/clock.js';
import type { Market } from '../../../application/ports/exchange.js';
import type { MarketTape, TapeEvent } from './market-tape.js';
import { isStateStream, parseStreamName, streamSymbol, type StreamSpec } from './market-stream-names.js';
import { streamPayload } from './market-stream-payloads.js';
import { binanceSymbol, type SymbolTable } from './symbols.js';

/** Which market-data connections a fault acts on: the n-th opened (1-based), the `count` oldest open ones, or all. */
export interface ConnectionSelector {
  readonly connection?: number;
  readonly count?: number;
}

/** A market-data connection as listed by `marketStreams()` / GET /sandbox/market-streams. */
export interface MarketStreamConnection {
  /** 1-based, in the order connections were opened since the sandbox started */
  readonly connection: number;
  readonly path: string;
  readonly combined: boolean;
  readonly streams: readonly string[];
  readonly openedAt: number;
  readonly silenced: boolean;
}

interface Connection {
  readonly ordinal: number;
  readonly ws: WebSocket;
  readonly path: string;
  readonly openedAt: number;
  combined: boolean;
  readonly streams: Map<string, StreamSpec>;
}

const MAX_STREAMS_PER_CONNECTION = 1024;
/** A client this far behind loses messages (Binance disconnects slow readers). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Binance's public market streams over WebSocket: raw streams at /ws and /ws/<anything> (ccxt pro
 * opens /ws/<n>, then SUBSCRIBEs), /ws/<stream>[/<stream>...] subscribed from the path, and
 * combined streams at /stream?streams=a/b (payloads wrapped as {stream, data}). Methods
 * SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY / GET_PROPERTY "combined", answered
 * {result, id}. Every connection is independent; events follow the tape (one per feed tick),
 * state streams (tickers, book, klines, depth) are also sent on subscription and every
 * `refreshMs`. A silenced connection (see faults) stays open and gets nothing.
 */
export class MarketStreamServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly connections = new Map<number, Connection>();
  /** stream name -> connections subscribed to it */
  private readonly subscribers = new Map<string, Set<Connection>>();
  /** Binance symbol id -> subscribed stream names about it */
  private readonly bySymbol = new Map<string, Set<string>>();
  private readonly dirtyForArrays = new Set<string>();
  private arraysScheduled: NodeJS.Immediate | undefined;
  private readonly refresher: NodeJS.Timeout | undefined;
  private readonly unsubscribeTape: () => void;
  private nextOrdinal = 1;

  constructor(
    private readonly tape: MarketTape,
    private readonly symbols: SymbolTable,
    private readonly clock: Clock,
    /** the silence faults in force now: whether a connection (by ordinal) must get nothing */
    private readonly silence: () => (ordinal: number) => boolean,
    refreshMs = 1000,
  ) {
    this.unsubscribeTape = tape.onTrade((event) => this.onTrade(event));
    if (refreshMs > 0) {
      this.refresher = setInterval(() => this.refresh(), refreshMs);
      this.refresher.unref();
    }
  }

  /** Whether an upgrade to this path is a market-data connection. */
  static accepts(path: string): boolean {
    // /fws: USDⓈ-M futures market streams (ccxt's ws.future), the same streams under the same symbol ids
    return path === '/ws' || path.startsWith('/ws/') || path === '/stream' || path === '/fws' || path.startsWith('/fws/');
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const combined = url.pathname === '/stream';
    const named = combined ? (url.searchParams.get('streams') ?? '') : url.pathname.replace(/^\/f?ws/, '');
    const initial = named.split('/').filter((name) => name.length > 0 && parseStreamName(name) !== undefined);
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const connection: Connection = { ordinal: this.nextOrdinal++, ws, path: url.pathname, openedAt: this.clock.now(), combined, streams: new Map() };
      this.connections.set(connection.ordinal, connection);
      ws.on('close', () => this.forget(connection));
      ws.on('error', () => ws.terminate());
      ws.on('message', (data) => this.onMessage(connection, data));
      if (initial.length > 0) this.subscribe(connection, initial);
    });
  }

  list(): MarketStreamConnection[] {
    const silent = this.silence();
    return [...this.connections.values()].map((c) => ({
      connection: c.ordinal,
      path: c.path,
      combined: c.combined,
      streams: [...c.streams.keys()],
      openedAt: c.openedAt,
      silenced: silent(c.ordinal),
    }));
  }

  /** Ordinals of the open connections, oldest first. */
  openOrdinals(): number[] {
    return [...this.connections.keys()].sort((a, b) => a - b);
  }

  /** Ordinals a selector picks now (the `count` oldest open ones, or the one named). */
  select(selector: ConnectionSelector): number[] | 'all' {
    if (selector.connection !== undefined) return [selector.connection];
    if (selector.count !== undefined) return this.openOrdinals().slice(0, selector.count);
    return 'all';
  }

  /** Cuts the selected connections now, without a close handshake (a network drop). Returns how many. */
  drop(selector: ConnectionSelector = {}): number {
    const chosen = this.select(selector);
    let dropped = 0;
    for (const connection of [...this.connections.values()]) {
      if (chosen !== 'all' && !chosen.includes(connection.ordinal)) continue;
      connection.ws.terminate();
      this.forget(connection);
      dropped += 1;
    }
    return dropped;
  }

  close(): Promise<void> {
    if (this.refresher) clearInterval(this.refresher);
    if (this.arraysScheduled) clearImmediate(this.arraysScheduled);
    this.unsubscribeTape();
    this.drop();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  // ---------------------------------------------------------------- client requests

  private onMessage(connection: Connection, data: RawData): void {
    let request: { method?: unknown; params?: unknown; id?: unknown };
    try {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      request = JSON.parse(bytes.toString('utf8')) as typeof request;
      if (typeof request !== 'object' || request === null) throw new Error('not an object');
    } catch {
      this.reply(connection, { error: { code: 3, msg: 'Invalid JSON: expected an object' }, id: null });
      return;
    }
    const id = typeof request.id === 'number' || typeof request.id === 'string' ? request.id : null;
    const params = Array.isArray(request.params) ? request.params : [];
    switch (request.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        const names = params.filter((name): name is string => typeof name === 'string');
        if (names.length !== params.length || names.some((name) => parseStreamName(name) === undefined)) {
          this.reply(connection, { error: { code: 2, msg: 'Invalid request: invalid stream name' }, id });
          return;
        }
        if (request.method === 'SUBSCRIBE' && new Set([...connection.streams.keys(), ...names]).size > MAX_STREAMS_PER_CONNECTION) {
          this.reply(connection, { error: { code: 2, msg: `Invalid request: more than ${MAX_STREAMS_PER_CONNECTION} streams on one connection` }, id });
          return;
        }
        this.reply(connection, { result: null, id });
        if (request.method === 'SUBSCRIBE') this.subscribe(connection, names);
        else this.unsubscribe(connection, names);
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        this.reply(connection, { result: [...connection.streams.keys()], id });
        return;
      case 'SET_PROPERTY':
        if (params[0] === 'combined' && typeof params[1] === 'boolean') {
          connection.combined = params[1];
          this.reply(connection, { result: null, id });
        } else {
          this.reply(connection, { error: { code: 0, msg: 'Unknown property' }, id });
        }
        return;
      case 'GET_PROPERTY':
        if (params[0] === 'combined') this.reply(connection, { result: connection.combined, id });
        else this.reply(connection, { error: { code: 0, msg: 'Unknown property' }, id });
        return;
      default:
        this.reply(connection, { error: { code: 2, msg: 'Invalid request: unknown method' }, id });
    }
  }

  private subscribe(connection: Connection, names: readonly string[]): void {
    const now = this.clock.now();
    for (const name of names) {
      const spec = parseStreamName(name)!;
      if (connection.streams.has(name)) continue;
      connection.streams.set(name, spec);
      let set = this.subscribers.get(name);
      if (!set) this.subscribers.set(name, (set = new Set()));
      set.add(connection);
      const symbolId = streamSymbol(spec);
      if (symbolId !== undefined) {
        let streams = this.bySymbol.get(symbolId);
        if (!streams) this.bySymbol.set(symbolId, (streams = new Set()));
        streams.add(name);
      }
      // the state as it is now, as a first message
      if (isStateStream(spec)) this.deliver([connection], name, this.payload(spec, now), this.silence());
    }
  }

  private unsubscribe(connection: Connection, names: readonly string[]): void {
    for (const name of names) {
      const spec = connection.streams.get(name);
      if (!spec) continue;
      connection.streams.delete(name);
      const set = this.subscribers.get(name);
      set?.delete(connection);
      if (set && set.size === 0) {
        this.subscribers.delete(name);
        const symbolId = streamSymbol(spec);
        if (symbolId !== undefined) this.bySymbol.get(symbolId)?.delete(name);
      }
    }
  }

  private forget(connection: Connection): void {
    if (!this.connections.delete(connection.ordinal)) return;
    this.unsubscribe(connection, [...connection.streams.keys()]);
  }

  // ---------------------------------------------------------------- fan-out

  private onTrade(event: TapeEvent): void {
    const id = binanceSymbol(event.market);
    const names = this.bySymbol.get(id);
    const now = this.clock.now();
    if (names && names.size > 0) {
      const silent = this.silence();
      for (const name of names) {
        const spec = parseStreamName(name)!;
        this.deliver(this.subscribers.get(name), name, streamPayload(this.tape, this.symbols.markets, event.market, spec, now, event.trade), silent);
      }
    }
    if (this.subscribers.has('!ticker@arr') || this.subscribers.has('!miniTicker@arr')) {
      this.dirtyForArrays.add(event.market.symbol);
      this.arraysScheduled ??= setImmediate(() => this.flushArrays());
    }
  }

  /** The all-symbol streams carry the symbols that traded since the last flush. */
  private flushArrays(): void {
    this.arraysScheduled = undefined;
    const markets = [...this.dirtyForArrays].map((symbol) => this.symbols.find(symbol)).filter((m): m is Market => m !== undefined);
    this.dirtyForArrays.clear();
    const silent = this.silence();
    const now = this.clock.now();
    for (const name of ['!ticker@arr', '!miniTicker@arr']) {
      const set = this.subscribers.get(name);
      if (set) this.deliver(set, name, streamPayload(this.tape, markets, undefined, parseStreamName(name)!, now), silent);
    }
  }

  /** Every state stream again (Binance sends tickers every second whether or not the price moved). */
  private refresh(): void {
    const silent = this.silence();
    const now = this.clock.now();
    for (const [name, set] of this.subscribers) {
      const spec = parseStreamName(name)!;
      if (isStateStream(spec)) this.deliver(set, name, this.payload(spec, now), silent);
    }
  }

  private payload(spec: StreamSpec, now: number): unknown {
    const symbolId = streamSymbol(spec);
    const market = symbolId === undefined ? undefined : this.symbols.market(symbolId);
    return streamPayload(this.tape, this.symbols.markets, market, spec, now);
  }

  private deliver(connections: Iterable<Connection> | undefined, name: string, data: unknown, silent: (ordinal: number) => boolean): void {
    if (!connections || data === undefined) return;
    let raw: string | undefined;
    let wrapped: string | undefined;
    for (const connection of connections) {
      if (silent(connection.ordinal)) continue;
      const { ws } = connection;
      if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > MAX_BUFFERED_BYTES) continue;
      raw ??= JSON.stringify(data);
      if (connection.combined) {
        wrapped ??= `{"stream":${JSON.stringify(name)},"data":${raw}}`;
        ws.send(wrapped);
      } else {
        ws.send(raw);
      }
    }
  }

  private reply(connection: Connection, message: unknown): void {
    if (this.silence()(connection.ordinal)) return;
    if (connection.ws.readyState === WebSocket.OPEN) connection.ws.send(JSON.stringify(message));
  }
}
