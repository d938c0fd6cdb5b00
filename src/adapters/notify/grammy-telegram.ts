import type { Api } from 'grammy';
import type { InlineButton, TelegramApi, TelegramApiFactory, TelegramOutcome, TelegramUpdate } from '../../application/ports/telegram-api.js';

export interface GrammyTelegramOptions {
  /** the Bot API's root (default https://api.telegram.org; a local Bot API server or the tests' fake) */
  readonly apiRoot?: string;
  /** one request's deadline, long polls excepted (default 10 s) */
  readonly timeoutMs?: number;
}

const REASON_MAX = 200;

type Grammy = typeof import('grammy');
let grammy: Promise<Grammy> | undefined;
/** grammY is loaded by the first Bot API call: a server without Telegram never loads it. */
const loadGrammy = (): Promise<Grammy> => (grammy ??= import('grammy').catch((error: unknown) => {
  grammy = undefined;
  throw error;
}));

/**
 * Telegram's Bot API through grammY's `Api` client (issue 19): typed methods, Telegram's error
 * answers as `GrammyError` (error code, `parameters.retry_after`), network failures as
 * `HttpError`. Errors are reduced to the code and Telegram's description; the token is in every
 * request's path, so any text that still holds it is cut out (grammY's own messages leave it out
 * unless `sensitiveLogs`).
 */
export function grammyTelegram(options: GrammyTelegramOptions = {}): TelegramApiFactory {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return (token) => {
    let api: Api | undefined;
    const scrub = (text: string) => text.split(token).join('…').slice(0, REASON_MAX);
    const failed = <T>(error: unknown, { GrammyError, HttpError }: Partial<Grammy>): TelegramOutcome<T> => {
      if (GrammyError && error instanceof GrammyError) {
        return { ok: false, status: error.error_code, ...(error.parameters.retry_after !== undefined ? { retryAfterS: error.parameters.retry_after } : {}), error: scrub(`Telegram ${error.error_code}: ${error.description}`) };
      }
      if (HttpError && error instanceof HttpError) {
        const cause = error.error as { code?: unknown; name?: unknown } | undefined;
        const code = typeof cause?.code === 'string' ? ` (${cause.code})` : cause?.name === 'AbortError' ? ' (timed out or stopped)' : '';
        return { ok: false, error: scrub(`the Bot API is unreachable${code}`) };
      }
      return { ok: false, error: scrub(error instanceof Error ? error.message : 'the Bot API call failed') };
    };
    const call = async <T>(work: (api: Api, signal: GrammySignal) => Promise<T>, signal: AbortSignal, deadlineMs = timeoutMs): Promise<TelegramOutcome<T>> => {
      let module: Partial<Grammy> = {};
      try {
        const loaded = await loadGrammy();
        module = loaded;
        // grammY's own deadline covers the long polls too; ours (below) is the per-request one
        api ??= new loaded.Api(token, { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}), timeoutSeconds: 120 });
        // grammY's types name the abort-controller shim's signal; Node's own is what it gets at run time
        return { ok: true, value: await work(api, AbortSignal.any([signal, AbortSignal.timeout(deadlineMs)]) as unknown as GrammySignal) };
      } catch (error) {
        return failed<T>(error, module);
      }
    };
    const keyboard = (buttons: readonly InlineButton[] | undefined) =>
      buttons && buttons.length > 0 ? { reply_markup: { inline_keyboard: [buttons.map((b) => ({ text: b.text, callback_data: b.data }))] } } : {};
    const api$: TelegramApi = {
      getMe: (signal) => call(async (api, s) => {
        const me = await api.getMe(s);
        return { id: me.id, username: me.username };
      }, signal),
      sendMessage: (chatId, text, buttons, signal) => call(async (api, s) => ({ messageId: (await api.sendMessage(chatId, text, { link_preview_options: { is_disabled: true }, ...keyboard(buttons) }, s)).message_id }), signal),
      editMessageText: (chatId, messageId, text, signal) => call(async (api, s) => {
        await api.editMessageText(chatId, messageId, text, {}, s);
        return true as const;
      }, signal),
      answerCallbackQuery: (callbackId, text, signal) => call((api, s) => api.answerCallbackQuery(callbackId, text !== undefined ? { text } : {}, s), signal),
      deleteWebhook: (signal) => call((api, s) => api.deleteWebhook({ drop_pending_updates: false }, s), signal),
      getUpdates: (offset, timeoutS, signal) => call(async (api, s) => (await api.getUpdates({ offset, timeout: timeoutS, allowed_updates: ['message', 'callback_query'] }, s)).map(updateOf), signal, timeoutS * 1000 + timeoutMs),
    };
    return api$;
  };
}

type GrammySignal = NonNullable<Parameters<Api['getMe']>[0]>;
type RawUpdate = Awaited<ReturnType<Api['getUpdates']>>[number];

function updateOf(u: RawUpdate): TelegramUpdate {
  if (u.message && typeof u.message.text === 'string' && u.message.from) {
    return { kind: 'message', updateId: u.update_id, chatId: u.message.chat.id, fromId: u.message.from.id, privateChat: u.message.chat.type === 'private', text: u.message.text };
  }
  const q = u.callback_query;
  if (q && typeof q.data === 'string' && q.message) {
    return { kind: 'callback', updateId: u.update_id, callbackId: q.id, chatId: q.message.chat.id, fromId: q.from.id, messageId: q.message.message_id, data: q.data };
  }
  return { kind: 'other', updateId: u.update_id };
}
