import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultSpecError, parseFault, type SandboxFault } from './fault-spec.js';
import type { SandboxFaults } from './sandbox-faults.js';
import type { MarketStreamConnection } from './market-stream-server.js';
import type { PlacementLog } from './placement-log.js';
import type { PriceControl } from './price-control.js';
import { SYMBOL_STATUSES, type SymbolStatus, type SymbolTable } from './symbols.js';

export const ADMIN_PREFIX = '/sandbox/';
export const ADMIN_TOKEN_HEADER = 'x-sandbox-admin-token';

/** What the admin endpoints read besides faults and prices. */
export interface AdminViews {
  readonly placements: PlacementLog;
  readonly marketStreams: () => readonly MarketStreamConnection[];
}

/**
 * The sandbox's own control endpoints, for tests in another process (JSON in and out):
 *
 *   GET    /sandbox/faults          the pending faults
 *   POST   /sandbox/faults          a fault or an array of faults (see fault-spec.ts, market-fault-spec.ts);
 *                                   {"kind":"drop_user_streams"} cuts every user-data WebSocket now,
 *                                   {"kind":"drop_market_streams"} market-data ones (answer: droppedMarketStreams)
 *   DELETE /sandbox/faults          removes every fault (ends silences) and lifts a ban
 *   DELETE /sandbox/faults/{id}     removes one fault
 *   POST   /sandbox/price           {"symbol":"BTC/USDT" or "BTCUSDT","price":"97000"} sets the feed's price,
 *                                   {"symbol":...,"movePct":-40} moves it; answers {"symbol","price"}
 *   POST   /sandbox/symbol-status   {"symbol":...,"status":"BREAK"|"HALT"|"TRADING"} halts or resumes a symbol
 *   GET    /sandbox/placements      {clientOrderId: {received, accepted, refused, lastRefusal?}} (?clientOrderId= for one)
 *   GET    /sandbox/market-streams  {"connections":[{connection, path, combined, streams, openedAt, silenced}]}
 *
 * Authenticated with `Authorization: Bearer <token>` or `X-Sandbox-Admin-Token`; without a
 * configured token the endpoints do not exist (404).
 */
export class AdminRoutes {
  private readonly tokenDigest: Buffer | undefined;

  constructor(
    adminToken: string | undefined,
    private readonly faults: SandboxFaults,
    private readonly symbols: SymbolTable,
    private readonly prices: PriceControl,
    private readonly views: AdminViews,
  ) {
    this.tokenDigest = adminToken ? digest(adminToken) : undefined;
  }

  handle(req: IncomingMessage, res: ServerResponse, path: string, rawBody: string, query: URLSearchParams = new URLSearchParams()): void {
    if (!this.tokenDigest) return reply(res, 404, { error: 'not found' });
    if (!this.authorized(req)) return reply(res, 401, { error: 'missing or wrong admin token' });
    const method = req.method ?? 'GET';
    try {
      if (path === '/sandbox/faults') {
        if (method === 'GET') return reply(res, 200, { pending: this.faults.pending() });
        if (method === 'DELETE') {
          this.faults.clear();
          return reply(res, 200, { pending: [] });
        }
        if (method === 'POST') return reply(res, 200, this.inject(parseJson(rawBody)));
      }
      if (path.startsWith('/sandbox/faults/') && method === 'DELETE') {
        const removed = this.faults.remove(decodeURIComponent(path.slice('/sandbox/faults/'.length)));
        return reply(res, removed ? 200 : 404, { removed });
      }
      if (path === '/sandbox/price' && method === 'POST') return reply(res, 200, this.movePrice(parseJson(rawBody)));
      if (path === '/sandbox/symbol-status' && method === 'POST') return reply(res, 200, this.setStatus(parseJson(rawBody)));
      if (path === '/sandbox/placements' && method === 'GET') {
        const one = query.get('clientOrderId');
        return reply(res, 200, one === null ? this.views.placements.all() : { [one]: this.views.placements.stats(one) });
      }
      if (path === '/sandbox/market-streams' && method === 'GET') return reply(res, 200, { connections: this.views.marketStreams() });
      return reply(res, 404, { error: 'not found' });
    } catch (error) {
      if (error instanceof FaultSpecError || error instanceof SyntaxError || error instanceof RangeError) return reply(res, 400, { error: error.message });
      return reply(res, 500, { error: 'internal error' });
    }
  }

  /** All or nothing: every fault is validated before any is applied. */
  private inject(body: unknown): unknown {
    const list: unknown[] = Array.isArray(body) ? body : [body];
    const isDrop = (item: unknown) => typeof item === 'object' && item !== null && (item as { kind?: unknown }).kind === 'drop_user_streams';
    const faults: SandboxFault[] = list.filter((item) => !isDrop(item)).map(parseFault);
    for (const fault of faults) {
      if (fault.kind === 'price_jump' && !this.symbols.find(fault.symbol)) throw new FaultSpecError('symbol must be a listed market');
    }
    let droppedMarketStreams: number | undefined;
    const ids = faults.map((fault) => {
      if (fault.kind !== 'drop_market_streams') return this.faults.inject(fault);
      droppedMarketStreams = (droppedMarketStreams ?? 0) + this.faults.dropMarketStreams(fault);
      return 'dropped';
    });
    const drops = list.filter(isDrop).length;
    const dropped = drops > 0 ? this.faults.dropUserDataStreams() : undefined;
    return {
      ids,
      ...(dropped !== undefined ? { dropped } : {}),
      ...(droppedMarketStreams !== undefined ? { droppedMarketStreams } : {}),
      pending: this.faults.pending(),
    };
  }

  private movePrice(body: unknown): unknown {
    const { symbol, price, movePct } = (body ?? {}) as { symbol?: unknown; price?: unknown; movePct?: unknown };
    if (typeof symbol !== 'string') throw new RangeError('symbol must be a listed market');
    if (price !== undefined && movePct !== undefined) throw new RangeError('give price or movePct, not both');
    if (movePct !== undefined) {
      if (typeof movePct !== 'number') throw new RangeError('movePct must be a number above -100');
      return this.prices.move(symbol, movePct);
    }
    if (typeof price !== 'string') throw new RangeError('price must be a decimal string');
    return this.prices.set(symbol, price);
  }

  private setStatus(body: unknown): unknown {
    const { symbol, status } = (body ?? {}) as { symbol?: unknown; status?: unknown };
    const market = typeof symbol === 'string' ? this.symbols.find(symbol) : undefined;
    if (!market) throw new RangeError('symbol must be a listed market');
    if (!SYMBOL_STATUSES.includes(status as SymbolStatus)) throw new RangeError(`status must be one of ${SYMBOL_STATUSES.join(', ')}`);
    this.symbols.setStatus(market, status as SymbolStatus);
    return { symbol: market.symbol, status };
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers[ADMIN_TOKEN_HEADER];
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const given = typeof header === 'string' ? header : bearer;
    return given !== undefined && timingSafeEqual(digest(given), this.tokenDigest!);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function parseJson(raw: string): unknown {
  return JSON.parse(raw.length === 0 ? 'null' : raw);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
