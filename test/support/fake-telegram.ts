/**
 * A local fake of Telegram's Bot API (issue 19): POST /bot<token>/<method> with a JSON body,
 * answered `{ok, result}` or `{ok: false, error_code, description, parameters}` as Telegram does.
 * It knows one bot token, records every call, queues the updates "users" send (getUpdates with
 * offset and long polling), can answer 429 with `parameters.retry_after` (and counts a call that
 * comes back before that delay as a violation), and can be "down" (every connection dropped).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SentMessage {
  readonly chatId: number;
  readonly messageId: number;
  readonly text: string;
  readonly replyMarkup?: { inline_keyboard?: { text: string; callback_data?: string }[][] };
}

interface Update {
  readonly update_id: number;
  readonly message?: object;
  readonly callback_query?: object;
}

export class FakeTelegram {
  readonly token: string;
  readonly username = 'patriot_test_bot';
  /** every call, in order: method and body */
  readonly calls: { method: string; body: Record<string, unknown> }[] = [];
  readonly sent: SentMessage[] = [];
  readonly edited: { chatId: number; messageId: number; text: string }[] = [];
  readonly answeredCallbacks: { id: string; text?: string }[] = [];
  /** each sendMessage is answered this much later (a slow Bot API: deliveries trail the events) */
  delayMs = 0;
  /** sendMessage calls that came before a 429's retry_after had passed */
  violations = 0;
  /** 429s answered */
  throttled = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private updates: Update[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private polls: (() => void)[] = [];
  private isDown = false;
  /** a webhook set on the bot: getUpdates answers 409 until deleteWebhook */
  webhookUrl: string | undefined;
  private throttleNext = 0;
  private retryAfterS = 1;
  private throttledUntil = 0;
  private listeners: (() => void)[] = [];

  constructor(token = `${100000 + Math.floor(Math.random() * 800000)}:AAF${Math.random().toString(36).slice(2, 14)}fakeTokenPart`) {
    this.token = token;
  }

  get apiRoot(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('the fake Bot API is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      if (this.isDown) socket.destroy();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    for (const wake of this.polls.splice(0)) wake();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Every connection is dropped (open ones too) until `up()`. */
  down(): void {
    this.isDown = true;
    for (const socket of this.sockets) socket.destroy();
  }

  up(): void {
    this.isDown = false;
  }

  /** The next `count` sendMessage calls answer 429 with retry_after `seconds`. */
  throttle(count: number, seconds: number): void {
    this.throttleNext = count;
    this.retryAfterS = seconds;
  }

  /** A user writes in a private chat (chat id = user id), or in a group (`group`: the group's id, negative). */
  userSends(chatId: number, text: string, group?: number): void {
    const command = /^\/[a-z_]+/.exec(text);
    this.push({
      message: {
        message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), text,
        from: { id: chatId, is_bot: false, first_name: `user${chatId}` },
        chat: group !== undefined ? { id: group, type: 'group', title: 'a group' } : { id: chatId, type: 'private', first_name: `user${chatId}` },
        ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
      },
    });
  }

  /** A user presses an inline button of one of the bot's messages. */
  userPresses(chatId: number, message: SentMessage, data: string): void {
    this.push({
      callback_query: {
        id: `cb${this.nextUpdateId}`, chat_instance: `ci${chatId}`, data,
        from: { id: chatId, is_bot: false, first_name: `user${chatId}` },
        message: { message_id: message.messageId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, text: message.text },
      },
    });
  }

  /** The messages sent to one chat. */
  to(chatId: number): SentMessage[] {
    return this.sent.filter((m) => m.chatId === chatId);
  }

  /** Resolves with the first message to `chatId` (after the first `skip`) that `match`es. */
  async waitFor(chatId: number, match: (m: SentMessage) => boolean, what: string, timeoutMs = 20_000, skip = 0): Promise<SentMessage> {
    const found = () => this.to(chatId).slice(skip).find(match);
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = found();
        if (!m) return false;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve(m);
        return true;
      };
      const listener = () => void check();
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(new Error(`timed out waiting for ${what}; chat ${chatId} got: ${JSON.stringify(this.to(chatId).map((m) => m.text))}`));
      }, timeoutMs);
      if (!check()) this.listeners.push(listener);
    });
  }

  private push(update: Omit<Update, 'update_id'>): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...update });
    for (const wake of this.polls.splice(0)) wake();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.isDown) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    const answer = (status: number, body: object) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (!match) return answer(404, { ok: false, error_code: 404, description: 'Not Found' });
    if (match[1] !== this.token) return answer(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    let body: Record<string, unknown> = {};
    try {
      const raw = Buffer.concat(chunks).toString('utf8');
      body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      return answer(400, { ok: false, error_code: 400, description: 'Bad Request: invalid JSON' });
    }
    const method = match[2]!;
    this.calls.push({ method, body });
    const ok = (result: unknown) => answer(200, { ok: true, result });
    switch (method) {
      case 'getMe':
        return ok({ id: Number(this.token.split(':')[0]), is_bot: true, first_name: 'PATRIOT test', username: this.username, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'sendMessage':
        if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        return this.sendMessage(body, ok, answer);
      case 'getUpdates':
        if (this.webhookUrl !== undefined) return answer(409, { ok: false, error_code: 409, description: 'Conflict: can\'t use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first' });
        return ok(await this.getUpdates(body, res));
      case 'setWebhook':
        this.webhookUrl = String(body.url ?? '');
        return ok(true);
      case 'deleteWebhook':
        this.webhookUrl = undefined;
        return ok(true);
      case 'answerCallbackQuery':
        this.answeredCallbacks.push({ id: String(body.callback_query_id), ...(typeof body.text === 'string' ? { text: body.text } : {}) });
        return ok(true);
      case 'editMessageText': {
        const chatId = Number(body.chat_id);
        const messageId = Number(body.message_id);
        this.edited.push({ chatId, messageId, text: String(body.text) });
        this.notify();
        return ok({ message_id: messageId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, text: body.text });
      }
      default:
        return answer(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  }

  private sendMessage(body: Record<string, unknown>, ok: (r: unknown) => void, answer: (s: number, b: object) => void): void {
    const now = Date.now();
    if (now < this.throttledUntil) this.violations++;
    if (this.throttleNext > 0 || now < this.throttledUntil) {
      if (this.throttleNext > 0) this.throttleNext--;
      this.throttled++;
      this.throttledUntil = Math.max(this.throttledUntil, now + this.retryAfterS * 1000);
      return answer(429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${this.retryAfterS}`, parameters: { retry_after: this.retryAfterS } });
    }
    const chatId = Number(body.chat_id);
    const text = String(body.text ?? '');
    if (text.length === 0 || text.length > 4096) return answer(400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty or too long' });
    const message: SentMessage = { chatId, messageId: this.nextMessageId++, text, ...(body.reply_markup ? { replyMarkup: body.reply_markup as SentMessage['replyMarkup'] } : {}) };
    this.sent.push(message);
    ok({ message_id: message.messageId, date: Math.floor(now / 1000), chat: { id: chatId, type: 'private' }, text });
    this.notify();
  }

  private async getUpdates(body: Record<string, unknown>, res: ServerResponse): Promise<Update[]> {
    const offset = typeof body.offset === 'number' ? body.offset : 0;
    if (offset > 0) this.updates = this.updates.filter((u) => u.update_id >= offset); // confirmed
    const timeoutS = typeof body.timeout === 'number' ? body.timeout : 0;
    if (this.updates.length === 0 && timeoutS > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutS * 1000);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.polls.push(done);
        res.on('close', done);
      });
    }
    const limit = typeof body.limit === 'number' ? body.limit : 100;
    return this.updates.slice(0, limit);
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}
