import { KINDS_VERSION, storedKinds, type NoticeKind } from '../../../domain/notices/notice.js';
import { DEFAULT_SUMMARY_AT, type ChannelSettings, type QuietHours } from '../../../domain/notices/channel-settings.js';
import type { KeyValueStore } from '../../ports/key-value.js';

/** A tenant's bot, as shown (never its token). */
export const TELEGRAM_BOT_PREFIX = 'telegram-bot/';
/** The bot token, sealed at rest (adapters/credentials/sealed-webhook-secrets.ts), bound to the tenant. */
export const TELEGRAM_SECRET_PREFIX = 'telegram-secret/';
const LINK_PREFIX = 'telegram-link/';
const CODE_PREFIX = 'telegram-code/';
const CODE_OF_PREFIX = 'telegram-code-of/';
const TRIES_PREFIX = 'telegram-tries/';
const OFFSET_PREFIX = 'telegram-offset/';

export interface TelegramBot {
  readonly tenantId: string;
  /** the bot's numeric id (the token's first part; one bot serves one tenant) */
  readonly botId: number;
  readonly username: string;
  /** the token's id part and its last 4 characters: 123456:…wxyz */
  readonly maskedToken: string;
  readonly kinds: readonly NoticeKind[];
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly changedAt: string;
}

/** A private chat linked to a user of the tenant: only these are answered and told. */
export interface TelegramLink {
  readonly tenantId: string;
  readonly chatId: number;
  readonly userId: string;
  readonly linkedAt: string;
  /** the chat's own choice of kinds (absent: the bot's) */
  readonly kinds?: readonly NoticeKind[];
  /** the chat's time zone, quiet hours, daily summary time (absent: UTC, none, 08:00) */
  readonly timeZone?: string;
  readonly quietHours?: QuietHours;
  readonly summaryAt?: string;
  /** when its settings last changed (a change restarts its runner) */
  readonly changedAt?: string;
}

/** A linked chat's settings as a channel's: its own kinds, or the bot's. */
export const chatSettings = (link: TelegramLink, botKinds: readonly NoticeKind[]): ChannelSettings => ({
  kinds: link.kinds ?? botKinds, timeZone: link.timeZone ?? 'UTC', ...(link.quietHours ? { quietHours: link.quietHours } : {}), summaryAt: link.summaryAt ?? DEFAULT_SUMMARY_AT,
});

type Versioned<T> = T & { kindsVersion?: number };
const withKinds = <T extends { kinds?: readonly NoticeKind[] }>(v: Versioned<T> | undefined): T | undefined =>
  v && Array.isArray(v.kinds) ? { ...v, kinds: storedKinds(v.kinds, v.kindsVersion) } : v;

/** A one-time link code (stored by its hash). */
export interface LinkCode {
  readonly tenantId: string;
  readonly userId: string;
  readonly expiresAt: number;
}

/** Failed link tries counted since `since` (a chat's, or a whole bot's). */
export interface Tries {
  readonly count: number;
  readonly since: number;
}

const parse = <T>(raw: string | undefined): T | undefined => {
  if (raw === undefined || raw === '') return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
};

/** Telegram's settings over the settings store (shared by every node). */
export class TelegramStore {
  constructor(private readonly kv: KeyValueStore) {}

  async bot(tenantId: string): Promise<TelegramBot | undefined> {
    const bot = withKinds(parse<Versioned<TelegramBot>>(await this.kv.get(`${TELEGRAM_BOT_PREFIX}${tenantId}`)));
    return bot?.tenantId === tenantId ? bot : undefined;
  }

  async bots(): Promise<TelegramBot[]> {
    return (await this.kv.entries(TELEGRAM_BOT_PREFIX)).map(([, raw]) => withKinds(parse<Versioned<TelegramBot>>(raw))).filter((b): b is TelegramBot => b !== undefined && typeof b.tenantId === 'string');
  }

  /** undefined: none, or sealed under a key this node cannot open */
  token(tenantId: string): Promise<string | undefined> {
    return this.kv.get(`${TELEGRAM_SECRET_PREFIX}${tenantId}`);
  }

  /** the token first: a bot is never listed without it */
  async setBot(bot: TelegramBot, token?: string): Promise<void> {
    if (token !== undefined) await this.kv.set(`${TELEGRAM_SECRET_PREFIX}${bot.tenantId}`, token);
    await this.kv.set(`${TELEGRAM_BOT_PREFIX}${bot.tenantId}`, JSON.stringify({ ...bot, kindsVersion: KINDS_VERSION }));
  }

  async removeBot(tenantId: string): Promise<void> {
    await this.kv.delete(`${TELEGRAM_BOT_PREFIX}${tenantId}`);
    await this.kv.delete(`${TELEGRAM_SECRET_PREFIX}${tenantId}`);
    await this.kv.delete(`${OFFSET_PREFIX}${tenantId}`);
    for (const link of await this.links(tenantId)) await this.unlink(tenantId, link.chatId);
  }

  async links(tenantId: string): Promise<TelegramLink[]> {
    return (await this.kv.entries(`${LINK_PREFIX}${tenantId}/`)).map(([, raw]) => withKinds(parse<Versioned<TelegramLink>>(raw))).filter((l): l is TelegramLink => l !== undefined && l.tenantId === tenantId);
  }

  async link(tenantId: string, chatId: number): Promise<TelegramLink | undefined> {
    const link = withKinds(parse<Versioned<TelegramLink>>(await this.kv.get(`${LINK_PREFIX}${tenantId}/${chatId}`)));
    return link?.tenantId === tenantId ? link : undefined;
  }

  async putLink(link: TelegramLink): Promise<void> {
    await this.kv.set(`${LINK_PREFIX}${link.tenantId}/${link.chatId}`, JSON.stringify({ ...link, kindsVersion: KINDS_VERSION }));
  }

  async unlink(tenantId: string, chatId: number): Promise<void> {
    await this.kv.delete(`${LINK_PREFIX}${tenantId}/${chatId}`);
  }

  /** A user's new code replaces their last one. */
  async putCode(codeHash: string, code: LinkCode): Promise<void> {
    const ofUser = `${CODE_OF_PREFIX}${code.tenantId}/${code.userId}`;
    const previous = await this.kv.get(ofUser);
    if (previous) await this.kv.delete(`${CODE_PREFIX}${previous}`);
    await this.kv.set(`${CODE_PREFIX}${codeHash}`, JSON.stringify(code));
    await this.kv.set(ofUser, codeHash);
  }

  /** Takes a code once: the first caller gets it, every later one (any node) undefined. */
  async takeCode(codeHash: string): Promise<LinkCode | undefined> {
    const key = `${CODE_PREFIX}${codeHash}`;
    const raw = await this.kv.get(key);
    const code = parse<LinkCode>(raw);
    if (raw === undefined || !code) return undefined;
    if (!(await this.kv.compareAndSet(key, raw, ''))) return undefined;
    await this.kv.delete(key);
    return code;
  }

  async tries(key: string): Promise<Tries | undefined> {
    return parse<Tries>(await this.kv.get(`${TRIES_PREFIX}${key}`));
  }

  async setTries(key: string, tries: Tries | undefined): Promise<void> {
    if (tries === undefined) await this.kv.delete(`${TRIES_PREFIX}${key}`);
    else await this.kv.set(`${TRIES_PREFIX}${key}`, JSON.stringify(tries));
  }

  async offset(tenantId: string): Promise<number> {
    return Number(await this.kv.get(`${OFFSET_PREFIX}${tenantId}`)) || 0;
  }

  async setOffset(tenantId: string, offset: number): Promise<void> {
    await this.kv.set(`${OFFSET_PREFIX}${tenantId}`, String(offset));
  }
}
