import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultSpecError, parseFault, type SandboxFault } from './fault-spec.js';
import type { SandboxFaults } from './sandbox-faults.js';
import type { SymbolTable } from './symbols.js';

export const ADMIN_PREFIX = '/sandbox/';
export const ADMIN_TOKEN_HEADER = 'x-sandbox-admin-token';

/** Forces a price on the sandbox's feed (present when the feed supports it). */
export type SetPrice = (symbol: string, price: string) => void;

/**
 * The sandbox's own control endpoints, for tests in another process (JSON in and out):
 *
 *   GET    /sandbox/faults          the pending faults
 *   POST   /sandbox/faults          a fault or an array of faults (see fault-spec.ts);
 *                                   {"kind":"drop_user_streams"} cuts every user-data WebSocket now
 *   DELETE /sandbox/faults          removes every fault and lifts a ban
 *   DELETE /sandbox/faults/{id}     removes one fault
 *   POST   /sandbox/price           {"symbol":"BTC/USDT" or "BTCUSDT","price":"97000"} moves the feed
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
    private readonly setPrice: SetPrice | undefined,
  ) {
    this.tokenDigest = adminToken ? digest(adminToken) : undefined;
  }

  handle(req: IncomingMessage, res: ServerResponse, path: string, rawBody: string): void {
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
      return reply(res, 404, { error: 'not found' });
    } catch (error) {
      if (error instanceof FaultSpecError || error instanceof SyntaxError || error instanceof RangeError) return reply(res, 400, { error: error.message });
      return reply(res, 500, { error: 'internal error' });
    }
  }

  /** All or nothing: every fault is validated before any is queued. */
  private inject(body: unknown): unknown {
    const list: unknown[] = Array.isArray(body) ? body : [body];
    const isDrop = (item: unknown) => typeof item === 'object' && item !== null && (item as { kind?: unknown }).kind === 'drop_user_streams';
    const faults: SandboxFault[] = list.filter((item) => !isDrop(item)).map(parseFault);
    const ids = faults.map((fault) => this.faults.inject(fault));
    const drops = list.filter(isDrop).length;
    const dropped = drops > 0 ? this.faults.dropUserDataStreams() : undefined;
    return { ids, ...(dropped !== undefined ? { dropped } : {}), pending: this.faults.pending() };
  }

  private movePrice(body: unknown): unknown {
    if (!this.setPrice) throw new RangeError('this sandbox feed does not take forced prices');
    const { symbol, price } = (body ?? {}) as { symbol?: unknown; price?: unknown };
    const market = typeof symbol === 'string' ? this.symbols.find(symbol) : undefined;
    if (!market) throw new RangeError('symbol must be a listed market');
    if (typeof price !== 'string') throw new RangeError('price must be a decimal string');
    this.setPrice(market.symbol, price);
    return { symbol: market.symbol, price };
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
