import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../../application/ports/clock.js';
import { ApiKeyRegistry } from './api-accounts.js';
import { BinanceError, BinanceErrors } from './binance-errors.js';
import type { HttpErrorStatus } from './fault-spec.js';
import { RequestParams } from './request-params.js';
import type { PlacementLog, PlacementTicket } from './placement-log.js';
import type { ApiCall, Route } from './routes.js';
import type { SandboxFaults } from './sandbox-faults.js';
import { checkTimestamp, restSigningPayload, signatureMatches } from './signing.js';

const MAX_BODY_BYTES = 64 * 1024;
const JSON_TYPE = 'application/json;charset=UTF-8';

/** The requests whose attempts are counted per clientOrderId (an order list's: per leg). */
const PLACEMENTS: ReadonlySet<string> = new Set(['POST /api/v3/order', 'POST /fapi/v1/order']);
const LIST_PLACEMENT = 'POST /api/v3/orderList/oco';

/** What a matched request resolves to before it is written. */
type Outcome = { readonly status: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> };

/** Request weight used in the current minute of the sandbox clock (X-MBX-USED-WEIGHT-1M). */
class WeightMeter {
  private minute = -1;
  private used = 0;

  constructor(private readonly clock: Clock) {}

  add(weight: number): number {
    const minute = Math.floor(this.clock.now() / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.used = 0;
    }
    this.used += weight;
    return this.used;
  }
}

/**
 * Binance's REST framing around the endpoint handlers: parameters from query and body,
 * API-key / HMAC / timestamp checks, error bodies, the weight header, and the HTTP-level faults
 * (ban and 429, latency, 5xx before or after processing, no response after processing).
 */
export class ApiRequestHandler {
  private readonly routes = new Map<string, Route>();
  private readonly weights: WeightMeter;

  constructor(
    routes: readonly Route[],
    private readonly registry: ApiKeyRegistry,
    private readonly faults: SandboxFaults,
    private readonly clock: Clock,
    private readonly placements?: PlacementLog,
  ) {
    for (const route of routes) this.routes.set(`${route.method} ${route.path}`, route);
    this.weights = new WeightMeter(clock);
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string, rawBody: string): Promise<void> {
    const method = req.method ?? 'GET';
    const route = this.routes.get(`${method} ${path}`);
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body><h2>404 Not found</h2></body></html>');
      return;
    }
    const params = new RequestParams(rawQuery, rawBody);
    const placement = PLACEMENTS.has(`${method} ${path}`) ? this.placements?.begin(params.get('newClientOrderId')) : undefined;
    const legPlacements =
      `${method} ${path}` === LIST_PLACEMENT && this.placements
        ? { above: this.placements.begin(params.get('aboveClientOrderId')), below: this.placements.begin(params.get('belowClientOrderId')) }
        : undefined;
    const tickets = [placement, legPlacements?.above, legPlacements?.below].filter((ticket) => ticket !== undefined);
    const headers = { 'X-MBX-USED-WEIGHT-1M': String(this.weights.add(route.weight(params))) };
    const send = (outcome: Outcome) => {
      if (res.destroyed) return;
      const body = typeof outcome.body === 'string' ? outcome.body : JSON.stringify(outcome.body);
      const type = typeof outcome.body === 'string' ? 'text/html' : JSON_TYPE;
      res.writeHead(outcome.status, { 'Content-Type': type, ...headers, ...outcome.headers }).end(body);
    };

    const early = await this.beforeProcessing(method, path);
    if (early) {
      for (const ticket of tickets) ticket.finished(refusalOf(early));
      return send(early);
    }

    const outcome = await this.process(route, req, params, rawQuery, rawBody, placement, legPlacements);
    for (const ticket of tickets) ticket.finished(refusalOf(outcome));

    const timeout = this.faults.take('timeout', method, path);
    if (timeout) {
      // processed and committed; the answer never comes
      if (timeout.mode === 'destroy') req.socket.destroy();
      return;
    }
    const late = this.faults.take('http_error', method, path, (fault) => fault.when === 'after');
    send(late ? serverError(late.status, late.body) : outcome);
  }

  /** Ban / 429, latency and 5xx-before faults, in that order. */
  private async beforeProcessing(method: string, path: string): Promise<Outcome | undefined> {
    const bannedUntil = this.faults.banFor();
    if (bannedUntil !== undefined) {
      return errorOutcome(BinanceErrors.banned(bannedUntil, Math.max(1, Math.ceil((bannedUntil - this.clock.now()) / 1000))));
    }
    const limited = this.faults.take('rate_limit', method, path);
    if (limited) {
      const retryAfter = limited.retryAfterSeconds ?? 2;
      this.faults.startBackoff(retryAfter, limited.banSeconds ?? retryAfter);
      return errorOutcome(BinanceErrors.tooManyRequests(retryAfter));
    }
    const latency = this.faults.take('latency', method, path);
    if (latency && latency.ms > 0) await new Promise((resolve) => setTimeout(resolve, latency.ms));
    const early = this.faults.take('http_error', method, path, (fault) => (fault.when ?? 'before') === 'before');
    return early ? serverError(early.status, early.body) : undefined;
  }

  private async process(
    route: Route,
    req: IncomingMessage,
    params: RequestParams,
    rawQuery: string,
    rawBody: string,
    placement?: PlacementTicket,
    legPlacements?: ApiCall['legPlacements'],
  ): Promise<Outcome> {
    const now = this.clock.now();
    try {
      const { apiKey, accountId } = this.authenticate(route, req, params, rawQuery, rawBody, now);
      const call = { method: route.method, path: route.path, params, apiKey, accountId, now, ...(placement ? { placement } : {}), ...(legPlacements ? { legPlacements } : {}) };
      const body = await route.handle(call);
      return { status: 200, body };
    } catch (error) {
      return errorOutcome(error instanceof BinanceError ? error : BinanceErrors.unknownError());
    }
  }

  private authenticate(route: Route, req: IncomingMessage, params: RequestParams, rawQuery: string, rawBody: string, now: number) {
    if (route.security === 'NONE') return { apiKey: '', accountId: '' };
    const header = req.headers['x-mbx-apikey'];
    const apiKey = typeof header === 'string' ? header : undefined;
    if (!ApiKeyRegistry.wellFormed(apiKey)) throw BinanceErrors.apiKeyFormat();
    const credential = this.registry.lookup(apiKey);
    if (!credential) throw BinanceErrors.rejectedApiKey();
    if (route.security === 'SIGNED') {
      const { payload, signature } = restSigningPayload(rawQuery, rawBody);
      const timing = checkTimestamp(params.get('timestamp'), params.get('recvWindow'), now);
      if (timing && timing.code !== -1021) throw timing;
      if (signature === undefined) throw BinanceErrors.mandatory('signature');
      if (!signatureMatches(credential.secret, payload, signature)) throw BinanceErrors.badSignature();
      if (timing) throw timing;
    }
    return { apiKey, accountId: credential.accountId };
  }
}

/** Reads a request body up to 64 KiB (undefined when larger: the caller drops the connection). */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The refusal an answer carries (undefined for a 2xx): Binance's code and message, else the HTTP status. */
function refusalOf(outcome: Outcome): { code: number; msg: string } | undefined {
  if (outcome.status < 300) return undefined;
  const body = outcome.body as { code?: unknown; msg?: unknown } | string;
  if (typeof body === 'object' && body !== null && typeof body.code === 'number') return { code: body.code, msg: String(body.msg) };
  return { code: outcome.status, msg: `HTTP ${outcome.status}` };
}

function errorOutcome(error: BinanceError): Outcome {
  return { status: error.status, body: error.body(), headers: error.headers };
}

const BINANCE_5XX: Readonly<Record<HttpErrorStatus, { code: number; msg: string }>> = {
  500: { code: -1006, msg: 'An unexpected response was received from the message bus. Execution status unknown.' },
  502: { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' },
  503: { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' },
  504: { code: -1007, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.' },
};
const GATEWAY_TEXT: Readonly<Record<HttpErrorStatus, string>> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** A 5xx answer: Binance's JSON body or a gateway's HTML page (default: HTML for 502/503). */
export function serverError(status: HttpErrorStatus, body?: 'binance' | 'gateway'): Outcome {
  const style = body ?? (status === 502 || status === 503 ? 'gateway' : 'binance');
  if (style === 'binance') return { status, body: BINANCE_5XX[status] };
  const title = `${status} ${GATEWAY_TEXT[status]}`;
  return { status, body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n` };
}
