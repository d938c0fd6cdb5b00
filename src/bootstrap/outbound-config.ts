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
  /** every event to NATS JetStream (PATRIOT_NATS_URL; absent: no event stream) */
  readonly nats?: { readonly url: string; readonly stream: string; readonly subjectPrefix: string };
}

export const OUTBOUND_KEYS = [
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
