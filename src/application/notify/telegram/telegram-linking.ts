import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../../../domain/shared/result.js';
import type { Clock } from '../../ports/clock.js';
import type { TelegramLink, TelegramStore, Tries } from './telegram-store.js';

/** A link code lives this long. */
export const LINK_CODE_TTL_MS = 10 * 60_000;
/** Failed tries allowed per chat, and per bot (every chat together), within TRIES_WINDOW_MS. */
export const CHAT_TRIES = 5;
export const BOT_TRIES = 30;
export const TRIES_WINDOW_MS = 15 * 60_000;
/** 8 characters of 32 (40 bits), without 0/O and 1/I */
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 8;

export type LinkRefusal = 'WRONG_CODE' | 'EXPIRED_CODE' | 'TOO_MANY_TRIES';

/** Codes are stored by hash: the settings store never holds a usable code. */
export const codeHash = (code: string): string => createHash('sha256').update(`telegram-link|${code.trim().toUpperCase()}`).digest('hex');

/** A code from random bytes (one byte per character; 256 is a multiple of 32, so no bias). */
export function linkCodeFrom(bytes: Uint8Array): string {
  if (bytes.length < CODE_LENGTH) throw new Error('a link code needs 8 random bytes');
  return Array.from(bytes.subarray(0, CODE_LENGTH), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

/**
 * Linking a private chat to a user (issue 19): the dashboard asks for a code (per tenant and user;
 * a new one replaces the last), the user sends `/start <code>` or `/link <code>` to the tenant's
 * bot. A code links once, within LINK_CODE_TTL_MS, only through its own tenant's bot. Wrong codes
 * count against the chat (CHAT_TRIES) and the bot (BOT_TRIES) per TRIES_WINDOW_MS; beyond either,
 * every try is refused until the window has passed, so 40-bit codes cannot be guessed.
 */
export class TelegramLinking {
  constructor(private readonly store: TelegramStore, private readonly clock: Clock, private readonly newCode: () => string) {}

  async createCode(tenantId: string, userId: string): Promise<{ code: string; expiresAt: string }> {
    const code = this.newCode();
    const expiresAt = this.clock.now() + LINK_CODE_TTL_MS;
    await this.store.putCode(codeHash(code), { tenantId, userId, expiresAt });
    return { code, expiresAt: new Date(expiresAt).toISOString() };
  }

  async redeem(tenantId: string, chatId: number, code: string): Promise<Result<TelegramLink, LinkRefusal>> {
    const now = this.clock.now();
    const chatKey = `${tenantId}/chat/${chatId}`;
    const botKey = `${tenantId}/bot`;
    const [chat, bot] = [live(await this.store.tries(chatKey), now), live(await this.store.tries(botKey), now)];
    if ((chat?.count ?? 0) >= CHAT_TRIES || (bot?.count ?? 0) >= BOT_TRIES) return err('TOO_MANY_TRIES');
    const failed = async (why: LinkRefusal): Promise<Result<never, LinkRefusal>> => {
      await this.store.setTries(chatKey, { count: (chat?.count ?? 0) + 1, since: chat?.since ?? now });
      await this.store.setTries(botKey, { count: (bot?.count ?? 0) + 1, since: bot?.since ?? now });
      return err(why);
    };
    if (!/^[A-Za-z0-9]{1,32}$/.test(code.trim())) return failed('WRONG_CODE');
    const hash = codeHash(code);
    const taken = await this.store.takeCode(hash);
    if (!taken) return failed('WRONG_CODE');
    if (taken.tenantId !== tenantId) {
      await this.store.putCode(hash, taken); // another tenant's: left for its own bot
      return failed('WRONG_CODE');
    }
    if (taken.expiresAt <= now) return failed('EXPIRED_CODE');
    const link: TelegramLink = { tenantId, chatId, userId: taken.userId, linkedAt: new Date(now).toISOString() };
    await this.store.putLink(link);
    await this.store.setTries(chatKey, undefined);
    return ok(link);
  }
}

const live = (tries: Tries | undefined, now: number): Tries | undefined => (tries && now - tries.since < TRIES_WINDOW_MS ? tries : undefined);
