import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Clock } from '../../../application/ports/clock.js';
import { ApiKeyRegistry } from './api-accounts.js';
import { BinanceError, BinanceErrors } from './binance-errors.js';
import type { ListenKeys } from './listen-keys.js';
import { checkTimestamp, signatureMatches, wsApiSigningPayload } from './signing.js';
import type { UserDataHub } from './user-data-hub.js';

export const WS_API_PATH = '/ws-api/v3';
export const WS_STREAM_PATH = '/ws';
export const WS_COMBINED_STREAM_PATH = '/stream';

interface WsApiRequest {
  readonly id: string | number | null;
  readonly method: string;
  readonly params: Record<string, unknown>;
}

interface Session {
  readonly subscriptions: Map<number, () => void>;
  nextSubscriptionId: number;
}

/**
 * The user-data WebSocket endpoints: Binance's WebSocket API at /ws-api/v3
 * (`userDataStream.subscribe.signature`, events wrapped as `{subscriptionId, event}`, what ccxt
 * 4.5 uses for spot watchOrders / watchMyTrades / watchBalance) and the legacy listenKey streams
 * at /ws/<listenKey> (raw events) and /stream?streams=<listenKey> (wrapped as `{stream, data}`).
 */
export class UserDataServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly sockets = new Set<WebSocket>();
  /** connections that stay open and answer requests but carry no more events (a half-dead stream) */
  private readonly silenced = new WeakSet<WebSocket>();

  constructor(
    private readonly hub: UserDataHub,
    private readonly registry: ApiKeyRegistry,
    private readonly listenKeys: ListenKeys,
    private readonly clock: Clock,
  ) {}

  /**
   * Takes an upgrade to the WebSocket API or to a known listenKey's stream; false (socket
   * untouched) for anything else, e.g. a public market stream.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    let attach: ((ws: WebSocket) => void) | undefined;
    if (path === WS_API_PATH) {
      attach = (ws) => this.serveWsApi(ws);
    } else if (path.startsWith(`${WS_STREAM_PATH}/`) || path === WS_COMBINED_STREAM_PATH) {
      const combined = path === WS_COMBINED_STREAM_PATH;
      const listenKey = combined ? (url.searchParams.get('streams') ?? '') : path.slice(WS_STREAM_PATH.length + 1);
      const accountId = this.listenKeys.accountOf(listenKey);
      if (accountId !== undefined) attach = (ws) => this.serveListenKey(ws, accountId, combined ? listenKey : undefined);
    }
    if (!attach) return false;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('error', () => ws.terminate());
      attach(ws);
    });
    return true;
  }

  /** Cuts every user-data connection at once, without a close handshake. Returns how many. */
  terminateAll(): number {
    const count = this.sockets.size;
    for (const ws of [...this.sockets]) ws.terminate();
    this.sockets.clear();
    return count;
  }

  /** Every open user-data connection stays open (pings and requests answered) but carries no more events. Returns how many. */
  silenceAll(): number {
    for (const ws of this.sockets) this.silenced.add(ws);
    return this.sockets.size;
  }

  close(): Promise<void> {
    this.terminateAll();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  private serveListenKey(ws: WebSocket, accountId: string, stream: string | undefined): void {
    const unsubscribe = this.hub.subscribe(accountId, (event) => this.silenced.has(ws) || send(ws, stream === undefined ? event : { stream, data: event }));
    ws.on('close', unsubscribe);
  }

  private serveWsApi(ws: WebSocket): void {
    const session: Session = { subscriptions: new Map(), nextSubscriptionId: 0 };
    ws.on('message', (data) => this.onWsApiMessage(ws, session, data));
    ws.on('close', () => {
      for (const unsubscribe of session.subscriptions.values()) unsubscribe();
      session.subscriptions.clear();
    });
  }

  private onWsApiMessage(ws: WebSocket, session: Session, data: RawData): void {
    let request: WsApiRequest;
    try {
      request = parseRequest(data);
    } catch {
      send(ws, { id: null, status: 400, error: { code: -1000, msg: 'Malformed request.' } });
      return;
    }
    try {
      send(ws, { id: request.id, status: 200, result: this.dispatch(ws, session, request) });
    } catch (error) {
      const failure = error instanceof BinanceError ? error : BinanceErrors.unknownError();
      send(ws, { id: request.id, status: failure.status, error: failure.body() });
    }
  }

  private dispatch(ws: WebSocket, session: Session, request: WsApiRequest): unknown {
    const { params } = request;
    switch (request.method) {
      case 'ping':
        return {};
      case 'time':
        return { serverTime: this.clock.now() };
      case 'userDataStream.subscribe.signature': {
        const accountId = this.authenticate(params);
        const subscriptionId = session.nextSubscriptionId++;
        const unsubscribe = this.hub.subscribe(accountId, (event) => this.silenced.has(ws) || send(ws, { subscriptionId, event }));
        session.subscriptions.set(subscriptionId, unsubscribe);
        return { subscriptionId };
      }
      case 'userDataStream.unsubscribe': {
        const only = params.subscriptionId;
        for (const [id, unsubscribe] of session.subscriptions) {
          if (only !== undefined && Number(only) !== id) continue;
          unsubscribe();
          session.subscriptions.delete(id);
        }
        return {};
      }
      case 'session.subscriptions':
        return [...session.subscriptions.keys()].map((subscriptionId) => ({ subscriptionId }));
      default:
        throw BinanceErrors.unsupportedOperation();
    }
  }

  /** Signed WebSocket API request: apiKey, timestamp, recvWindow, signature over the sorted params. */
  private authenticate(params: Record<string, unknown>): string {
    const apiKey = text(params.apiKey);
    if (apiKey === undefined) throw BinanceErrors.mandatory('apiKey');
    if (!ApiKeyRegistry.wellFormed(apiKey)) throw BinanceErrors.apiKeyFormat();
    const credential = this.registry.lookup(apiKey);
    if (!credential) throw BinanceErrors.rejectedApiKey();
    const signature = text(params.signature);
    if (signature === undefined) throw BinanceErrors.mandatory('signature');
    const timing = checkTimestamp(text(params.timestamp), text(params.recvWindow), this.clock.now());
    if (timing && timing.code !== -1021) throw timing;
    if (!signatureMatches(credential.secret, wsApiSigningPayload(params), signature)) throw BinanceErrors.badSignature();
    if (timing) throw timing;
    return credential.accountId;
  }
}

function parseRequest(data: RawData): WsApiRequest {
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  const raw: unknown = JSON.parse(bytes.toString('utf8'));
  if (typeof raw !== 'object' || raw === null) throw new Error('not an object');
  const { id, method, params } = raw as Record<string, unknown>;
  if (typeof method !== 'string') throw new Error('no method');
  const safeId = typeof id === 'string' || typeof id === 'number' ? id : null;
  const safeParams = typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
  return { id: safeId, method, params: safeParams };
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function send(ws: WebSocket, message: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}
