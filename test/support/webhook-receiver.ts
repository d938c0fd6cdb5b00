import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkSignature } from '../../src/application/ingest/alert-signature.js';

/** One delivery a receiver accepted (its signature checked against the endpoint's secret). */
export interface Received {
  readonly id: string;
  readonly type: string;
  readonly kind: string;
  readonly tenantId: string;
  readonly headerId: string;
  readonly body: { id: string; type: string; kind: string; time: string; tenantId: string; data: Record<string, unknown> };
}

/**
 * A local HTTP receiver of outbound webhooks that verifies each delivery's signature as a real
 * receiver would (the same check as signed alerts: X-Patriot-Signature over "<t>.<raw body>").
 * It can answer 500 (`failing`), or stop listening (`down`: connections refused) and listen again
 * on the same port (`up`). Only deliveries with a valid signature and a 2xx answer are recorded.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** deliveries refused for a bad signature */
  badSignatures = 0;
  /** answer 500 instead of 200 */
  failing = false;
  /** answer 500 to deliveries of these event ids only */
  readonly failingIds = new Set<string>();
  /** each accepted delivery is answered after this long (a slow receiver) */
  delayMs = 0;
  /** requests seen while failing */
  failedRequests = 0;
  secret = '';
  private server: Server | undefined;
  private port = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(readonly path = '/hook') {}

  get url(): string {
    return `http://127.0.0.1:${this.port}${this.path}`;
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req).then((status) => res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no')));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** stops listening: connections are refused until up() */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** resolves once at least `count` deliveries were received */
  waitFor(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** resolves once `count` requests were answered 500 */
  async waitForFailures(count: number): Promise<void> {
    while (this.failedRequests < count) await new Promise((r) => setTimeout(r, 20));
  }

  ids(): string[] {
    return this.received.map((r) => r.id);
  }

  /** the ids received, each once, in the order first received */
  uniqueIds(): string[] {
    return [...new Set(this.ids())];
  }

  private async handle(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    if (req.method !== 'POST' || req.url !== this.path) return 404;
    const header = req.headers['x-patriot-signature'];
    const refusal = checkSignature(typeof header === 'string' ? header : undefined, raw, { key: this.secret, required: true, createdAt: '' }, Date.now());
    if (refusal) {
      this.badSignatures++;
      return 401;
    }
    const body = JSON.parse(raw.toString('utf8')) as Received['body'];
    if (this.failing || this.failingIds.has(body.id)) {
      this.failedRequests++;
      return 500;
    }
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    this.received.push({ id: body.id, type: body.type, kind: body.kind, tenantId: body.tenantId, headerId: String(req.headers['x-patriot-event-id']), body });
    for (const w of this.waiters.filter((w) => this.received.length >= w.count)) w.resolve();
    this.waiters = this.waiters.filter((w) => this.received.length < w.count);
    return 200;
  }
}
