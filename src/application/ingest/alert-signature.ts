import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed alerts, for senders that can sign (TradingView cannot): the header
 * `X-Patriot-Signature: t=<unix seconds>,v1=<hex>` where v1 = HMAC-SHA256(signing key,
 * `<t>.<raw body bytes>`). The timestamp must be within SIGNATURE_TOLERANCE_SECONDS of the
 * server's clock, so a captured alert cannot be replayed later (the alert id's dedupe covers the
 * window); several v1 values may be sent (any one that matches will do).
 */
export const SIGNATURE_HEADER = 'x-patriot-signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** A strategy's signing setting, stored sealed: the key is shown once, when created or rotated. */
export interface WebhookSigning {
  /** 64 hex characters (32 random bytes), used as the HMAC key as it is written (its ASCII bytes) */
  readonly key: string;
  /** alerts without a signature are refused (SIGNATURE_REQUIRED) */
  readonly required: boolean;
  readonly createdAt: string;
}

export type SignatureRefusal = { readonly code: 'INVALID_SIGNATURE' | 'SIGNATURE_REQUIRED'; readonly message: string };

const KEY = /^[0-9a-f]{64}$/;
const HEADER = /^t=(\d{1,12}),(v1=[0-9a-f]{64}(?:,v1=[0-9a-f]{64}){0,3})$/;

const digest = (key: string, timestamp: string, rawBody: Buffer): Buffer =>
  createHmac('sha256', key).update(`${timestamp}.`).update(rawBody).digest();

/** The header value for a body signed at `timestampSeconds` (test alerts, and the README's recipe). */
export function signAlert(key: string, timestampSeconds: number, rawBody: Buffer | string): string {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return `t=${timestampSeconds},v1=${digest(key, String(timestampSeconds), body).toString('hex')}`;
}

/**
 * undefined when the alert may go on: it is signed with the strategy's key within the tolerance,
 * or it is unsigned and the strategy does not require a signature (a signature sent to a strategy
 * without a key is not checked: the secret authenticated it). Comparison is constant-time.
 */
export function checkSignature(header: string | undefined, rawBody: Buffer, signing: WebhookSigning | undefined, nowMs: number): SignatureRefusal | undefined {
  if (!signing) return undefined;
  // a stored key that cannot be read (sealed under a key this node lacks, or damaged) refuses everything: never fail open
  if (!KEY.test(signing.key)) return { code: 'INVALID_SIGNATURE', message: 'the strategy\'s signing key cannot be read on this server: rotate it' };
  if (header === undefined || header === '') {
    return signing.required ? { code: 'SIGNATURE_REQUIRED', message: `this strategy requires signed alerts (header X-Patriot-Signature: t=<unix seconds>,v1=<HMAC-SHA256 hex>)` } : undefined;
  }
  const parsed = HEADER.exec(header.trim());
  if (!parsed) return { code: 'INVALID_SIGNATURE', message: 'the signature header is malformed: expected t=<unix seconds>,v1=<64 hex characters>' };
  const timestamp = parsed[1]!;
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    return { code: 'INVALID_SIGNATURE', message: `the signature's timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes from the server's clock` };
  }
  const expected = digest(signing.key, timestamp, rawBody);
  let matched = false;
  for (const part of parsed[2]!.split(',')) matched = timingSafeEqual(Buffer.from(part.slice(3), 'hex'), expected) || matched;
  return matched ? undefined : { code: 'INVALID_SIGNATURE', message: 'the signature does not match the body and the strategy\'s signing key' };
}

/** A stored setting that cannot be read: required, with no usable key, so every alert is refused. */
export const UNREADABLE_SIGNING: WebhookSigning = { key: '', required: true, createdAt: '' };

/** The stored setting: undefined when there is none, UNREADABLE_SIGNING when the value is not one. */
export function parseSigning(raw: string | undefined): WebhookSigning | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<WebhookSigning>;
    if (typeof value.key === 'string' && KEY.test(value.key) && typeof value.required === 'boolean' && typeof value.createdAt === 'string') {
      return { key: value.key, required: value.required, createdAt: value.createdAt };
    }
  } catch {
    // not a setting
  }
  return UNREADABLE_SIGNING;
}
