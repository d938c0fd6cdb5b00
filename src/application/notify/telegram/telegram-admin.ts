import { parseKinds, NOTICE_KINDS } from '../../../domain/notices/notice.js';
import { changeSettings, type SettingsInput } from '../../../domain/notices/channel-settings.js';
import { err, ok, type DomainError, type Result } from '../../../domain/shared/result.js';
import type { UserRole } from '../../../domain/events.js';
import type { Clock } from '../../ports/clock.js';
import type { TelegramApiFactory } from '../../ports/telegram-api.js';
import type { TelegramLinking } from './telegram-linking.js';
import type { Delivery, DeliveryLog } from '../delivery-log.js';
import type { HeldNotices } from '../held-notices.js';
import { telegramCheckpointName, telegramDeliveryKey } from './telegram-delivery.js';
import { chatSettings, type TelegramBot, type TelegramLink, type TelegramStore } from './telegram-store.js';

/** A bot token as BotFather gives it: <bot id>:<35 or so characters>. */
const TOKEN = /^(\d{3,20}):[A-Za-z0-9_-]{20,100}$/;
const CHECK_TIMEOUT_MS = 15_000;

export interface TelegramAdminDeps {
  readonly store: TelegramStore;
  readonly linking: TelegramLinking;
  readonly deliveries: DeliveryLog;
  readonly held: HeldNotices;
  readonly apiOf: TelegramApiFactory;
  readonly clock: Clock;
  /** this node changed a bot or a link: the leader (if it is this node) picks it up at once */
  readonly changed: () => void;
}

export interface TelegramStatus {
  readonly bot?: Omit<TelegramBot, 'tenantId' | 'botId'>;
  /** an admin sees every linked chat of the tenant; others their own */
  readonly links: readonly TelegramLink[];
}

const notConfigured = (): Result<never, DomainError> => err({ code: 'TELEGRAM_NOT_CONFIGURED', message: 'no Telegram bot is set up for this tenant: an admin adds its token first' });
export const maskToken = (token: string): string => `${token.split(':')[0]}:…${token.slice(-4)}`;

/**
 * Telegram's settings through the API: the tenant's bot (admins: its token is checked with getMe,
 * sealed, and only ever shown masked), link codes (every user, for their own chat), linked chats.
 */
export class TelegramAdmin {
  constructor(private readonly deps: TelegramAdminDeps) {}

  async status(tenantId: string, userId: string, role: UserRole): Promise<TelegramStatus> {
    const bot = await this.deps.store.bot(tenantId);
    const links = (await this.deps.store.links(tenantId)).filter((l) => role === 'admin' || l.userId === userId);
    if (!bot) return { links };
    const { tenantId: _t, botId: _b, ...shown } = bot;
    return { bot: shown, links };
  }

  /** Adds the tenant's bot or changes it: a new token is checked with Telegram (getMe) before it is kept. */
  async setBot(tenantId: string, input: { token?: string; kinds?: readonly string[]; enabled?: boolean }): Promise<Result<TelegramStatus['bot'], DomainError>> {
    const existing = await this.deps.store.bot(tenantId);
    const kinds = parseKinds(input.kinds ?? existing?.kinds ?? NOTICE_KINDS);
    if (!kinds.ok) return kinds;
    const now = new Date(this.deps.clock.now()).toISOString();
    let bot: TelegramBot;
    let token: string | undefined;
    if (input.token !== undefined) {
      token = input.token.trim();
      const match = TOKEN.exec(token);
      if (!match) return err({ code: 'INVALID_BOT_TOKEN', message: 'a bot token looks like 123456789:AA… (from @BotFather)' });
      const me = await this.deps.apiOf(token).getMe(AbortSignal.timeout(CHECK_TIMEOUT_MS));
      if (!me.ok) {
        return me.status === 401 || me.status === 404
          ? err({ code: 'INVALID_BOT_TOKEN', message: 'Telegram refused this bot token' })
          : err({ code: 'BOT_API_UNREACHABLE', message: `the Bot API could not be reached to check the token: ${me.error}` });
      }
      const other = (await this.deps.store.bots()).find((b) => b.botId === me.value.id && b.tenantId !== tenantId);
      if (other) return err({ code: 'BOT_IN_USE', message: 'this bot already serves another tenant: create another bot with @BotFather' });
      if (existing && existing.botId !== me.value.id) for (const link of await this.deps.store.links(tenantId)) await this.deps.store.unlink(tenantId, link.chatId); // chats of the former bot
      bot = { tenantId, botId: me.value.id, username: me.value.username, maskedToken: maskToken(token), kinds: kinds.value, enabled: input.enabled ?? existing?.enabled ?? true, createdAt: existing?.createdAt ?? now, changedAt: now };
    } else {
      if (!existing) return err({ code: 'BOT_TOKEN_REQUIRED', message: 'give the bot token (from @BotFather) to set Telegram up' });
      bot = { ...existing, kinds: kinds.value, enabled: input.enabled ?? existing.enabled, changedAt: now };
    }
    await this.deps.store.setBot(bot, token);
    this.deps.changed();
    const { tenantId: _t, botId: _b, ...shown } = bot;
    return ok(shown);
  }

  async removeBot(tenantId: string): Promise<Result<{ removed: true }, DomainError>> {
    if (!(await this.deps.store.bot(tenantId))) return notConfigured();
    await this.deps.store.removeBot(tenantId);
    this.deps.changed();
    return ok({ removed: true });
  }

  /** A one-time code for the caller's own chat (a new one replaces their last). */
  async createLinkCode(tenantId: string, userId: string): Promise<Result<{ code: string; expiresAt: string; botUsername: string; command: string; url: string }, DomainError>> {
    const bot = await this.deps.store.bot(tenantId);
    if (!bot || !bot.enabled) return notConfigured();
    const { code, expiresAt } = await this.deps.linking.createCode(tenantId, userId);
    return ok({ code, expiresAt, botUsername: bot.username, command: `/link ${code}`, url: `https://t.me/${bot.username}?start=${code}` });
  }

  /**
   * A linked chat's choices (issue 19): kinds, time zone, quiet hours, daily summary time. One's
   * own chat, or any of the tenant's for an admin; a bad field changes nothing.
   */
  async changeChatSettings(tenantId: string, userId: string, role: UserRole, chatId: number, input: SettingsInput): Promise<Result<TelegramLink, DomainError>> {
    const link = await this.deps.store.link(tenantId, chatId);
    if (!link || (role !== 'admin' && link.userId !== userId)) return err({ code: 'LINK_NOT_FOUND', message: 'no such linked chat' });
    const bot = await this.deps.store.bot(tenantId);
    const settings = changeSettings(chatSettings(link, bot?.kinds ?? NOTICE_KINDS), input);
    if (!settings.ok) return settings;
    const { quietHours: _old, ...rest } = link;
    const { kinds, timeZone, quietHours, summaryAt } = settings.value;
    const changed: TelegramLink = { ...rest, kinds, timeZone, ...(quietHours ? { quietHours } : {}), summaryAt, changedAt: new Date(this.deps.clock.now()).toISOString() };
    await this.deps.store.putLink(changed);
    this.deps.changed();
    return ok(changed);
  }

  /** A linked chat's delivery log, newest first (one's own chat, or any of the tenant's for an admin): status, attempts, last error; never the token. */
  async deliveries(tenantId: string, userId: string, role: UserRole, chatId: number, limit: number): Promise<Result<Delivery[], DomainError>> {
    const link = await this.deps.store.link(tenantId, chatId);
    if (!link || (role !== 'admin' && link.userId !== userId)) return err({ code: 'LINK_NOT_FOUND', message: 'no such linked chat' });
    return ok(await this.deps.deliveries.recent(telegramDeliveryKey(tenantId, chatId), limit));
  }

  /** Unlinks a chat: one's own, or any of the tenant's for an admin. */
  async unlink(tenantId: string, userId: string, role: UserRole, chatId: number): Promise<Result<{ chatId: number }, DomainError>> {
    const link = await this.deps.store.link(tenantId, chatId);
    if (!link || (role !== 'admin' && link.userId !== userId)) return err({ code: 'LINK_NOT_FOUND', message: 'no such linked chat' });
    await this.deps.store.unlink(tenantId, chatId);
    this.deps.changed();
    await this.deps.deliveries.removeAll(telegramDeliveryKey(tenantId, chatId));
    await this.deps.held.releaseAll(telegramCheckpointName(tenantId, chatId)); // what waited for its quiet hours' end goes with it
    return ok({ chatId });
  }
}
