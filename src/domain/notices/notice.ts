import type { PatriotEventType } from '../events.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';

/**
 * What is told to the outside (issue 19): a notice is one recorded event of a kind a user can
 * choose, with a stable id (the idempotency key a receiver dedupes on). Every channel (outbound
 * webhooks today; chat, e-mail, a message bus later) delivers notices; only the sink differs.
 */
export const NOTICE_KINDS = ['fill', 'partial_fill', 'order_rejected', 'order_unknown', 'order_expired', 'order_cancelled', 'alert_rejected', 'kill_switch', 'reconciliation', 'daily_summary', 'circuit_breaker', 'stale_prices', 'takeover'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * The event types each kind tells of. A fill is `fill` when it completes its order and
 * `partial_fill` otherwise (the same OrderFilled type, told apart by `complete`). The daily
 * summary is not an event: it is made once a day per channel (daily-summary.ts).
 * The circuit breaker, stale prices and a node taking over an account are recorded by the account's
 * owner when they change (AccountHealth); a takeover is told only when another node had the account.
 */
export const EVENT_TYPES_OF_KIND: Readonly<Record<NoticeKind, readonly PatriotEventType[]>> = {
  fill: ['OrderFilled'],
  partial_fill: ['OrderFilled'],
  order_rejected: ['OrderRejected', 'OrderExchangeRejected'],
  order_unknown: ['OrderStatusUnknown'],
  order_expired: ['OrderExpired'],
  order_cancelled: ['OrderCancelled'],
  alert_rejected: ['SignalRejected'],
  kill_switch: ['KillSwitchEngaged', 'KillSwitchReleased', 'GlobalKillSwitchEngaged', 'GlobalKillSwitchReleased'],
  reconciliation: ['AccountReconciled'],
  daily_summary: [],
  circuit_breaker: ['ExchangeCircuitChanged'],
  stale_prices: ['AccountPricesChanged'],
  takeover: ['AccountOwnerChanged'],
};

const KIND_OF_TYPE: ReadonlyMap<string, NoticeKind> = new Map(NOTICE_KINDS.filter((k) => k !== 'partial_fill').flatMap((kind) => EVENT_TYPES_OF_KIND[kind].map((type) => [type, kind] as const)));

/** The kind an event is told as (undefined: never told). */
export function kindOfEvent(type: string, data: object): NoticeKind | undefined {
  if (type === 'OrderFilled') return (data as { complete?: unknown }).complete === false ? 'partial_fill' : 'fill';
  if (type === 'AccountOwnerChanged' && (data as { previousNodeId?: unknown }).previousNodeId === undefined) return undefined; // a first owner is no takeover
  return KIND_OF_TYPE.get(type);
}

/** The event types a set of kinds covers. */
export const eventTypesOf = (kinds: readonly NoticeKind[]): PatriotEventType[] => [...new Set(kinds.flatMap((k) => EVENT_TYPES_OF_KIND[k]))];

/**
 * Kinds stored before `partial_fill` existed: `fill` then meant every fill, so such a choice
 * keeps getting partial fills. `kindsVersion` 2 marks a choice made with `partial_fill` known.
 */
export const KINDS_VERSION = 3;
/** The kinds of version 1: a choice of all of them was "everything", and gets the connection kinds of version 3 too. */
const V1_KINDS: readonly NoticeKind[] = ['fill', 'order_rejected', 'order_unknown', 'order_expired', 'order_cancelled', 'alert_rejected', 'kill_switch', 'reconciliation'];
const V3_KINDS: readonly NoticeKind[] = ['circuit_breaker', 'stale_prices', 'takeover'];
export function storedKinds(kinds: readonly string[], version: number | undefined): NoticeKind[] {
  const v = version ?? 1;
  let known = NOTICE_KINDS.filter((k) => kinds.includes(k));
  if (v < 2 && known.includes('fill') && !known.includes('partial_fill')) known = NOTICE_KINDS.filter((k) => k === 'partial_fill' || known.includes(k));
  if (v < 3 && V1_KINDS.every((k) => known.includes(k))) known = NOTICE_KINDS.filter((k) => V3_KINDS.includes(k) || known.includes(k));
  return known;
}

/**
 * Critical notices go out even during a channel's quiet hours (issue 19): a kill switch engaged,
 * an order stuck unknown, reconciliation differences with the exchange, an exchange's circuit
 * breaker opening, prices going stale. Everything else waits for the window's end, in one digest.
 */
export function isCritical(notice: Pick<Notice, 'type' | 'data'>): boolean {
  switch (notice.type) {
    case 'KillSwitchEngaged':
    case 'GlobalKillSwitchEngaged':
    case 'OrderStatusUnknown':
      return true;
    case 'AccountReconciled':
      return Array.isArray(notice.data.differences) && notice.data.differences.length > 0;
    case 'ExchangeCircuitChanged':
      return notice.data.state === 'open';
    case 'AccountPricesChanged':
      return notice.data.state === 'stale';
    default:
      return false;
  }
}

/** One notice, as every channel sends it (the webhook body is exactly this, as JSON). */
export interface Notice {
  /** stable per event: the same event is always the same id (redeliveries included) */
  readonly id: string;
  readonly type: string;
  readonly kind: NoticeKind | 'test' | 'digest';
  /** when the event was decided (ISO-8601) */
  readonly time: string;
  readonly tenantId: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The idempotency key of the event at a log position. */
export const noticeIdOf = (globalPosition: number): string => `evt_${globalPosition}`;

/** The notice of a recorded event; undefined when its type is not told. */
export function noticeOf(event: { readonly globalPosition: number; readonly type: string; readonly data: object; readonly metadata: { readonly tenantId: string; readonly time: string } }): Notice | undefined {
  const kind = kindOfEvent(event.type, event.data);
  if (kind === undefined) return undefined;
  return { id: noticeIdOf(event.globalPosition), type: event.type, kind, time: event.metadata.time, tenantId: event.metadata.tenantId, data: event.data as Readonly<Record<string, unknown>> };
}

/** The chosen kinds, checked: at least one, each known, each once. */
export function parseKinds(raw: readonly string[]): Result<NoticeKind[], DomainError> {
  if (raw.length === 0) return err({ code: 'UNKNOWN_EVENT_KIND', message: `choose at least one event kind: ${NOTICE_KINDS.join(', ')}` });
  const unknown = raw.filter((k) => !(NOTICE_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) return err({ code: 'UNKNOWN_EVENT_KIND', message: `unknown event kind ${JSON.stringify(unknown[0]).slice(0, 60)}: choose among ${NOTICE_KINDS.join(', ')}` });
  return ok(NOTICE_KINDS.filter((k) => raw.includes(k)));
}

export const MAX_URL_LENGTH = 2048;

/**
 * An endpoint's URL, checked: http or https, a host, no fragment, at most MAX_URL_LENGTH
 * characters. The message never repeats the URL (it may carry a secret, as Slack's do).
 */
export function parseEndpointUrl(raw: string): Result<URL, DomainError> {
  const invalid = (why: string) => err({ code: 'INVALID_URL', message: `the URL is not usable: ${why}` });
  if (raw.length > MAX_URL_LENGTH) return invalid(`longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return invalid('not an absolute URL such as https://hooks.example.com/patriot');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return invalid('only http:// and https:// are supported');
  if (url.hostname === '') return invalid('it has no host');
  if (url.hash !== '') return invalid('a #fragment is never sent; remove it');
  return ok(url);
}

/** How a URL is shown: scheme and host only (the path and query often carry a secret). */
export const maskUrl = (url: URL): string => `${url.protocol}//${url.host}/…`;

/** Retries of a delivery: exponential back-off from `baseMs`, at most `maxMs` between tries, for `giveUpAfterMs` after the first try. */
export interface RetryPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly giveUpAfterMs: number;
}

/** The wait after the `attempts`-th failed try (1-based). */
export const retryDelay = (policy: RetryPolicy, attempts: number): number => Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));

/** Whether a delivery first tried at `firstAttemptAt` is given up at `now` (ms). */
export const givenUp = (policy: RetryPolicy, firstAttemptAt: number, now: number): boolean => now - firstAttemptAt >= policy.giveUpAfterMs;

/** At most this many recipients per e-mail endpoint. */
export const MAX_MAIL_RECIPIENTS = 5;
const MAIL_ADDRESS = /^[^\s@<>(),;:"]{1,64}@[A-Za-z0-9.-]{1,253}$/;

/**
 * An e-mail endpoint's URL (issue 19), checked: `smtps://user:password@host[:port]?to=a@x.com,b@y.com&from=bot@x.com`
 * (`smtp://` requires STARTTLS; `&tls=none` sends in the clear, for a relay on the same host). The
 * recipients and the sender must be plain addresses; `from` defaults to the user when it is an
 * address. The message never repeats the URL (it carries the password).
 */
export function parseMailEndpoint(raw: string): Result<{ url: URL; from: string; to: string[] }, DomainError> {
  const invalid = (why: string) => err({ code: 'INVALID_URL', message: `the e-mail URL is not usable: ${why}` });
  if (raw.length > MAX_URL_LENGTH) return invalid(`longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return invalid('not a URL such as smtps://user:password@smtp.example.com?to=me@example.com');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return invalid('an e-mail endpoint is smtp:// or smtps://');
  if (url.hostname === '') return invalid('it has no host');
  if (url.hash !== '') return invalid('a #fragment is not allowed');
  const tls = url.searchParams.get('tls');
  if (tls !== null && tls !== 'none' && tls !== 'required') return invalid('tls is "required" (the default) or "none"');
  const to = (url.searchParams.get('to') ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
  if (to.length === 0) return invalid('name the recipients: ?to=me@example.com');
  if (to.length > MAX_MAIL_RECIPIENTS) return invalid(`at most ${MAX_MAIL_RECIPIENTS} recipients`);
  if (to.some((a) => !MAIL_ADDRESS.test(a))) return invalid('a recipient is not a plain e-mail address');
  const user = decodeURIComponent(url.username);
  const from = url.searchParams.get('from') ?? (MAIL_ADDRESS.test(user) ? user : '');
  if (!MAIL_ADDRESS.test(from)) return invalid('name the sender: &from=patriot@example.com');
  return ok({ url, from, to });
}
