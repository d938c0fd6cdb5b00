/** Outbound webhooks (issue 19): how they are sent and retried. */
export interface OutboundConfig {
  /** reach loopback, private and link-local addresses too (self-hosted receivers; PATRIOT_OUTBOUND_ALLOW_PRIVATE=true); refused by default (SSRF) */
  readonly allowPrivate: boolean;
  /** one request's deadline (PATRIOT_OUTBOUND_TIMEOUT_MS, default 10 s) */
  readonly timeoutMs: number;
  /** the first wait after a failed delivery, doubled after each (PATRIOT_OUTBOUND_RETRY_BASE_MS, default 1 s) */
  readonly retryBaseMs: number;
  /** the longest wait between tries (PATRIOT_OUTBOUND_RETRY_MAX_MS, default 10 min) */
  readonly retryMaxMs: number;
  /** an event not delivered this long after its first try is recorded failed and the next goes (PATRIOT_OUTBOUND_GIVE_UP_MS, default 24 h) */
  readonly giveUpAfterMs: number;
  /** how often the leader reads the endpoints again (created or removed on another node; PATRIOT_OUTBOUND_POLL_MS, default 5 s) */
  readonly pollMs: number;
  /** Telegram bots (absent: the defaults of telegramDefaults) */
  readonly telegram?: TelegramConfig;
  /** every event to NATS JetStream (PATRIOT_NATS_URL; absent: no event stream) */
  readonly nats?: { readonly url: string; readonly stream: string; readonly subjectPrefix: string };
}

/** Telegram (issue 19, ADR-0023). */
export interface TelegramConfig {
  /** the Bot API's root (PATRIOT_TELEGRAM_API_ROOT, default https://api.telegram.org; a local Bot API server, or the tests' fake) */
  readonly apiRoot: string;
  /** getUpdates' long-poll timeout in seconds (PATRIOT_TELEGRAM_POLL_TIMEOUT_S, default 25) */
  readonly pollTimeoutS: number;
  /** notices sent one by one per chat per window; beyond, one digest (PATRIOT_TELEGRAM_DIGEST_MAX, default 10) */
  readonly digestMaxMessages: number;
  /** the window (PATRIOT_TELEGRAM_DIGEST_WINDOW_MS, default 60 s) */
  readonly digestWindowMs: number;
}

export const telegramDefaults: TelegramConfig = { apiRoot: 'https://api.telegram.org', pollTimeoutS: 25, digestMaxMessages: 10, digestWindowMs: 60_000 };

export const OUTBOUND_KEYS = [
  'PATRIOT_TELEGRAM_API_ROOT', 'PATRIOT_TELEGRAM_POLL_TIMEOUT_S', 'PATRIOT_TELEGRAM_DIGEST_MAX', 'PATRIOT_TELEGRAM_DIGEST_WINDOW_MS',
  'PATRIOT_OUTBOUND_ALLOW_PRIVATE', 'PATRIOT_OUTBOUND_TIMEOUT_MS', 'PATRIOT_OUTBOUND_RETRY_BASE_MS', 'PATRIOT_OUTBOUND_RETRY_MAX_MS', 'PATRIOT_OUTBOUND_GIVE_UP_MS', 'PATRIOT_OUTBOUND_POLL_MS',
  'PATRIOT_NATS_URL', 'PATRIOT_NATS_STREAM', 'PATRIOT_NATS_SUBJECT_PREFIX',
] as const;

type Source = Record<string, string | undefined>;
type Int = (source: Source, key: string, fallback: number, min: number, max: number) => number;

export function outboundConfig(source: Source, int: Int, fail: (message: string) => Error): OutboundConfig {
  const allow = source.PATRIOT_OUTBOUND_ALLOW_PRIVATE?.trim() ?? '';
  if (!['', 'true', 'false'].includes(allow)) throw fail(`PATRIOT_OUTBOUND_ALLOW_PRIVATE must be true or false, got "${allow}"`);
  const retryBaseMs = int(source, 'PATRIOT_OUTBOUND_RETRY_BASE_MS', 1000, 1, 3_600_000);
  const retryMaxMs = int(source, 'PATRIOT_OUTBOUND_RETRY_MAX_MS', 600_000, 1, 86_400_000);
  if (retryMaxMs < retryBaseMs) throw fail('PATRIOT_OUTBOUND_RETRY_MAX_MS must not be below PATRIOT_OUTBOUND_RETRY_BASE_MS');
  return {
    allowPrivate: allow === 'true',
    timeoutMs: int(source, 'PATRIOT_OUTBOUND_TIMEOUT_MS', 10_000, 100, 120_000),
    retryBaseMs, retryMaxMs,
    giveUpAfterMs: int(source, 'PATRIOT_OUTBOUND_GIVE_UP_MS', 86_400_000, 1, 7 * 86_400_000),
    pollMs: int(source, 'PATRIOT_OUTBOUND_POLL_MS', 5000, 50, 600_000),
    telegram: telegramConfig(source, int, fail),
    ...natsConfig(source, fail),
  };
}

function natsConfig(source: Source, fail: (message: string) => Error): Pick<OutboundConfig, 'nats'> {
  const url = source.PATRIOT_NATS_URL?.trim() ?? '';
  if (url === '') return {};
  if (!/^(nats|tls):\/\/[^\s]+$/.test(url)) throw fail('PATRIOT_NATS_URL must be nats://host:port or tls://host:port');
  const stream = source.PATRIOT_NATS_STREAM?.trim() || 'PATRIOT';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) throw fail(`PATRIOT_NATS_STREAM must be letters, digits, _ or -, got "${stream}"`);
  const subjectPrefix = source.PATRIOT_NATS_SUBJECT_PREFIX?.trim() || 'patriot';
  if (!/^[A-Za-z0-9_-]{1,32}(\.[A-Za-z0-9_-]{1,32}){0,3}$/.test(subjectPrefix)) throw fail(`PATRIOT_NATS_SUBJECT_PREFIX must be dot-separated tokens of letters, digits, _ or -, got "${subjectPrefix}"`);
  return { nats: { url, stream, subjectPrefix } };
}

function telegramConfig(source: Source, int: Int, fail: (message: string) => Error): TelegramConfig {
  const apiRoot = (source.PATRIOT_TELEGRAM_API_ROOT?.trim() || telegramDefaults.apiRoot).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(apiRoot)) throw fail('PATRIOT_TELEGRAM_API_ROOT must be an http(s) URL such as https://api.telegram.org');
  return {
    apiRoot,
    pollTimeoutS: int(source, 'PATRIOT_TELEGRAM_POLL_TIMEOUT_S', telegramDefaults.pollTimeoutS, 1, 50),
    digestMaxMessages: int(source, 'PATRIOT_TELEGRAM_DIGEST_MAX', telegramDefaults.digestMaxMessages, 2, 100),
    digestWindowMs: int(source, 'PATRIOT_TELEGRAM_DIGEST_WINDOW_MS', telegramDefaults.digestWindowMs, 1000, 3_600_000),
  };
}
