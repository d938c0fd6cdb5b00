import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message a local chat or mail receiver accepted: the event id it carried and its text. */
export interface ChatMessage {
  readonly eventId: string;
  readonly text: string;
}

/**
 * A local Discord / Slack incoming-webhook receiver: keeps each message's event id (the
 * X-Patriot-Event-Id header) and its text (Discord's `content`, Slack's `text`), answering each
 * after `delayMs` (a slow chat service).
 */
export class ChatReceiver {
  readonly messages: ChatMessage[] = [];
  delayMs = 0;
  private server: Server | undefined;
  private port = 0;

  constructor(readonly path: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}${this.path}`;
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req).then((status) => res.writeHead(status).end(status === 204 ? undefined : 'no')));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== this.path) return 404;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { content?: string; text?: string };
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    this.messages.push({ eventId: String(req.headers['x-patriot-event-id']), text: body.content ?? body.text ?? '' });
    return 204;
  }
}

/** A local SMTP server with a login; keeps each message's X-Patriot-Event-Id and subject, accepting each after `delayMs`. */
export class MailReceiver {
  readonly messages: ChatMessage[] = [];
  delayMs = 0;
  port = 0;
  private server: SMTPServer | undefined;

  constructor(private readonly user: string, private readonly password: string) {}

  async up(): Promise<void> {
    const server = new SMTPServer({
      secure: false, authOptional: false, disabledCommands: ['STARTTLS'], logger: false,
      onAuth: (auth, _session, cb) => (auth.username === this.user && auth.password === this.password ? cb(null, { user: auth.username }) : cb(new Error('535 bad login'))),
      onData: (stream, _session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
          const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1]?.trim() ?? '';
          const done = () => {
            this.messages.push({ eventId: header('X-Patriot-Event-Id'), text: header('Subject') });
            cb();
          };
          if (this.delayMs > 0) setTimeout(done, this.delayMs);
          else done();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
