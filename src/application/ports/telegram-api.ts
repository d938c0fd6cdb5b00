/**
 * Port: the part of Telegram's Bot API PATRIOT uses, for one bot (adapters/notify/grammy-telegram.ts).
 * Every call resolves with how it went and never throws for a failed request; a failure carries
 * Telegram's error code, its `retry_after` on 429, and a short reason — never the bot token.
 */
export type TelegramOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly status?: number; readonly retryAfterS?: number; readonly error: string };

/** An inline button under a message (its data comes back in a callback query). */
export interface InlineButton {
  readonly text: string;
  readonly data: string;
}

/** What a user did, reduced to what the bot needs. */
export type TelegramUpdate =
  | { readonly kind: 'message'; readonly updateId: number; readonly chatId: number; readonly fromId: number; readonly privateChat: boolean; readonly text: string }
  | { readonly kind: 'callback'; readonly updateId: number; readonly callbackId: string; readonly chatId: number; readonly fromId: number; readonly messageId: number; readonly data: string }
  | { readonly kind: 'other'; readonly updateId: number };

export interface TelegramApi {
  getMe(signal: AbortSignal): Promise<TelegramOutcome<{ readonly id: number; readonly username: string }>>;
  sendMessage(chatId: number, text: string, buttons: readonly InlineButton[] | undefined, signal: AbortSignal): Promise<TelegramOutcome<{ readonly messageId: number }>>;
  editMessageText(chatId: number, messageId: number, text: string, signal: AbortSignal): Promise<TelegramOutcome<true>>;
  answerCallbackQuery(callbackId: string, text: string | undefined, signal: AbortSignal): Promise<TelegramOutcome<true>>;
  /** turns a webhook set on the bot off (getUpdates answers 409 while one is set); pending updates are kept */
  deleteWebhook(signal: AbortSignal): Promise<TelegramOutcome<true>>;
  /** long polling: the updates from `offset` on, waiting up to `timeoutS` for one */
  getUpdates(offset: number, timeoutS: number, signal: AbortSignal): Promise<TelegramOutcome<readonly TelegramUpdate[]>>;
}

/** Makes the API of one bot from its token. */
export type TelegramApiFactory = (token: string) => TelegramApi;
