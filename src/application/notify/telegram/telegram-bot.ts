import type { DigestPolicy } from '../../../domain/notices/digest.js';
import type { Notice, NoticeKind, RetryPolicy } from '../../../domain/notices/notice.js';
import type { ChannelSettings } from '../../../domain/notices/channel-settings.js';
import type { HeldNotices } from '../held-notices.js';
import type { DeliveryLog } from '../delivery-log.js';
import type { CheckpointStore, EventReader } from '../../ports/event-store.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { InlineButton, TelegramApi, TelegramUpdate } from '../../ports/telegram-api.js';
import type { ProcessorObserver } from '../../processors/processor-runner.js';
import { pause } from '../notice-delivery.js';
import { answerCommand, HELP, runConfirmed, type Caller, type Confirmable, type TelegramControl } from './telegram-commands.js';
import { TelegramChats } from './telegram-chats.js';
import type { TelegramLinking } from './telegram-linking.js';
import type { TelegramStore } from './telegram-store.js';

export interface TelegramBotDeps {
  readonly tenantId: string;
  readonly api: TelegramApi;
  readonly kinds: readonly NoticeKind[];
  readonly store: TelegramStore;
  readonly linking: TelegramLinking;
  readonly control: TelegramControl;
  readonly events: EventReader & CheckpointStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly retry: RetryPolicy;
  readonly digest: DigestPolicy;
  /** notices waiting for the end of a chat's quiet hours */
  readonly held: HeldNotices;
  /** each chat's messages: status, attempts, last error */
  readonly deliveries: DeliveryLog;
  /** a chat's daily summary (absent: none), run at the end of its runner's passes; `destinationId` keys its once-a-day record */
  readonly dailySummary?: (destinationId: string, tenantId: string, settings: ChannelSettings) => ((send: (notice: Notice) => Promise<void>) => Promise<void>) | undefined;
  /** getUpdates' long-poll timeout (s) */
  readonly pollTimeoutS: number;
  readonly observer?: ProcessorObserver;
  /** how long appends are gathered before a pass (default 20 ms) */
  readonly intervalMs?: number;
  /** a one-time confirmation button's id */
  readonly newNonce: () => string;
}

/** How long a confirmation button works. */
export const CONFIRM_TTL_MS = 2 * 60_000;
/** Answered to a chat that sends /start or /link without being linked (nothing else is answered there). */
export const NOT_LINKED = 'This chat is not linked to a PATRIOT user. On the Telegram page of the PATRIOT dashboard create a link code, then send /link <code> here.';
const COMMAND = /^\/([A-Za-z_]{1,32})(?:@\w+)?(?:\s+([\s\S]*))?$/;

const LINK_ANSWERS = {
  WRONG_CODE: 'That code is not valid (unknown, already used, or of another server). Create a new one on the dashboard.',
  EXPIRED_CODE: 'That code has expired. Create a new one on the dashboard.',
  TOO_MANY_TRIES: 'Too many wrong codes: linking is paused for a while. Try again later with a new code.',
} as const;

/**
 * One tenant's bot on the leader: long polling (getUpdates, the offset kept in the settings store
 * so the next leader goes on from it), linking, commands from linked private chats, and the
 * delivery runners of the linked chats (telegram-chats.ts: one each, so a chat or a Bot API that
 * is down delays only its own notices). Group chats and chats not linked get nothing, except a
 * fixed NOT_LINKED answer to /start and /link.
 */
export class TelegramBotRunner {
  private readonly abort = new AbortController();
  private readonly chats: TelegramChats;
  private readonly pending = new Map<string, { chatId: number; action: Confirmable; expiresAt: number }>();
  private polling: Promise<void> | undefined;

  constructor(private readonly deps: TelegramBotDeps) {
    this.chats = new TelegramChats(deps);
  }

  get linkedChats(): number[] {
    return this.chats.linked;
  }

  async start(): Promise<void> {
    await this.chats.refresh();
    this.polling = this.poll();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.polling;
    await this.chats.stop();
  }

  /** Reads the links again (made or removed on another node). */
  refreshChats(): Promise<void> {
    return this.chats.refresh();
  }

  private async poll(): Promise<void> {
    const { api, store, tenantId, log } = this.deps;
    const signal = this.abort.signal;
    let offset = await store.offset(tenantId).catch(() => 0);
    let failures = 0;
    while (!signal.aborted) {
      const got = await api.getUpdates(offset, this.deps.pollTimeoutS, signal);
      if (signal.aborted) return;
      if (!got.ok) {
        failures += 1;
        // a webhook set on the bot (by another program, or earlier) blocks long polling: PATRIOT polls, so it turns it off
        if (got.status === 409 && /webhook/i.test(got.error)) await api.deleteWebhook(signal);
        const wait = got.retryAfterS !== undefined ? got.retryAfterS * 1000 : Math.min(30_000, 500 * 2 ** Math.min(failures - 1, 6));
        if (failures === 1 || failures % 20 === 0) log.warn({ tenantId, error: got.error, failures }, 'Telegram getUpdates failed; polling again with back-off');
        await pause(wait, signal).catch(() => undefined);
        continue;
      }
      failures = 0;
      for (const update of got.value) {
        if (signal.aborted) return;
        try {
          await this.handle(update);
        } catch (error) {
          log.warn({ tenantId, updateId: update.updateId, reason: error instanceof Error ? error.message.slice(0, 200) : 'failed' }, 'a Telegram update could not be handled; skipped');
        }
        offset = update.updateId + 1;
      }
      if (got.value.length > 0) await store.setOffset(tenantId, offset).catch(() => undefined);
    }
  }

  private async handle(update: TelegramUpdate): Promise<void> {
    if (update.kind === 'message') return this.message(update);
    if (update.kind === 'callback') return this.callback(update);
  }

  private async message(m: Extract<TelegramUpdate, { kind: 'message' }>): Promise<void> {
    if (!m.privateChat || m.chatId !== m.fromId) return; // only private chats are linked and answered
    const parsed = COMMAND.exec(m.text.trim());
    const command = parsed?.[1]?.toLowerCase();
    const args = (parsed?.[2] ?? '').trim().split(/\s+/).filter((a) => a !== '');
    const link = await this.deps.store.link(this.deps.tenantId, m.chatId);
    if ((command === 'start' || command === 'link') && args.length > 0) {
      const linked = await this.deps.linking.redeem(this.deps.tenantId, m.chatId, args[0]!);
      if (!linked.ok) return this.reply(m.chatId, LINK_ANSWERS[linked.error]);
      await this.chats.startAtHead(m.chatId);
      await this.chats.refresh();
      this.deps.log.info({ tenantId: this.deps.tenantId, chatId: m.chatId, userId: linked.value.userId }, 'a Telegram chat was linked');
      return this.reply(m.chatId, `Linked to PATRIOT user ${linked.value.userId}. You will get notices here.\n\n${HELP}`);
    }
    if (!link) {
      if (command === 'start' || command === 'link') await this.reply(m.chatId, NOT_LINKED);
      return; // anything else from a chat not linked gets nothing
    }
    const caller = await this.callerOf(link.userId);
    if (!caller) return this.reply(m.chatId, 'Your PATRIOT user is disabled or removed: this chat is not answered.');
    if (!command) return this.reply(m.chatId, HELP);
    const answer = await answerCommand(this.deps.control, caller, command, args, (action) => {
      const now = this.deps.clock.now();
      for (const [nonce, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(nonce); // buttons never pressed
      const nonce = this.deps.newNonce();
      this.pending.set(nonce, { chatId: m.chatId, action, expiresAt: now + CONFIRM_TTL_MS });
      return `c:${nonce}`;
    });
    await this.reply(m.chatId, answer.text, answer.buttons);
  }

  private async callback(q: Extract<TelegramUpdate, { kind: 'callback' }>): Promise<void> {
    const { api } = this.deps;
    const signal = this.abort.signal;
    const link = await this.deps.store.link(this.deps.tenantId, q.chatId);
    const caller = link && q.chatId === q.fromId ? await this.callerOf(link.userId) : undefined;
    if (!caller) {
      await api.answerCallbackQuery(q.callbackId, undefined, signal);
      return;
    }
    let text: string;
    if (q.data === 'cancel') text = 'Cancelled: nothing was changed.';
    else {
      const nonce = q.data.startsWith('c:') ? q.data.slice(2) : '';
      const pending = this.pending.get(nonce);
      this.pending.delete(nonce);
      if (!pending || pending.chatId !== q.chatId || pending.expiresAt <= this.deps.clock.now()) text = 'This button has expired: send the command again.';
      else text = await runConfirmed(this.deps.control, caller, pending.action);
    }
    await api.answerCallbackQuery(q.callbackId, text.slice(0, 190), signal);
    await api.editMessageText(q.chatId, q.messageId, text, signal);
  }

  private async callerOf(userId: string): Promise<Caller | undefined> {
    const access = await this.deps.control.access(userId);
    if (!access || access.disabled || access.tenantId !== this.deps.tenantId) return undefined;
    return { tenantId: this.deps.tenantId, userId, role: access.role };
  }

  /** An answer: a 429 waits as asked (up to 3 tries); other failures are logged, the command is not done twice. */
  private async reply(chatId: number, text: string, buttons?: readonly InlineButton[]): Promise<void> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const sent = await this.deps.api.sendMessage(chatId, text, buttons, this.abort.signal);
      if (sent.ok) return;
      if (sent.status !== 429 || attempt === 3) {
        this.deps.log.warn({ tenantId: this.deps.tenantId, chatId, error: sent.error }, 'a Telegram answer could not be sent');
        return;
      }
      await pause(Math.min(60, sent.retryAfterS ?? 1) * 1000, this.abort.signal).catch(() => undefined);
    }
  }
}
