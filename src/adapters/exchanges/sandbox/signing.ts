import { createHmac, timingSafeEqual } from 'node:crypto';
import { BinanceError, BinanceErrors } from './binance-errors.js';

/** Binance's default and largest recvWindow, in milliseconds. */
export const DEFAULT_RECV_WINDOW_MS = 5000;
export const MAX_RECV_WINDOW_MS = 60_000;
/** A request may be at most this far ahead of the server clock. */
export const MAX_AHEAD_MS = 1000;

const HEX_SIGNATURE = /^[0-9a-fA-F]{64}$/;
const INTEGER = /^\d{1,16}$/;

export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}

/** Constant-time comparison of a hex HMAC-SHA256 signature (any malformed input is a mismatch). */
export function signatureMatches(secret: string, payload: string, signature: string): boolean {
  if (!HEX_SIGNATURE.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(payload, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/**
 * What Binance signs for a REST request: the raw query string concatenated with the raw body
 * (no separator), each without its `signature` parameter. Returns that payload and the
 * signature that was sent (the query's when both carry one).
 */
export function restSigningPayload(rawQuery: string, rawBody: string): { readonly payload: string; readonly signature: string | undefined } {
  const query = withoutSignature(rawQuery);
  const body = withoutSignature(rawBody);
  return { payload: query.rest + body.rest, signature: query.signature ?? body.signature };
}

function withoutSignature(raw: string): { rest: string; signature: string | undefined } {
  if (raw.length === 0) return { rest: '', signature: undefined };
  let signature: string | undefined;
  const kept: string[] = [];
  for (const part of raw.split('&')) {
    if (part.startsWith('signature=')) {
      signature ??= part.slice('signature='.length);
    } else {
      kept.push(part);
    }
  }
  return { rest: kept.join('&'), signature };
}

/** What the WebSocket API signs: every parameter but `signature`, sorted by name, as raw `k=v` joined by `&`. */
export function wsApiSigningPayload(params: Readonly<Record<string, unknown>>): string {
  return Object.keys(params)
    .filter((key) => key !== 'signature')
    .sort()
    .map((key) => `${key}=${String(params[key])}`)
    .join('&');
}

/**
 * Binance's timing rule: accepted when `timestamp < serverTime + 1000` and
 * `serverTime - timestamp <= recvWindow`. Returns the error to answer, if any.
 */
export function checkTimestamp(timestampText: string | undefined, recvWindowText: string | undefined, serverTime: number): BinanceError | undefined {
  if (timestampText === undefined || !INTEGER.test(timestampText)) return BinanceErrors.mandatory('timestamp');
  let recvWindow = DEFAULT_RECV_WINDOW_MS;
  if (recvWindowText !== undefined) {
    if (!/^\d{1,9}(\.\d{1,3})?$/.test(recvWindowText)) return BinanceErrors.illegalChars('recvWindow', '^[0-9]{1,9}$');
    recvWindow = Number(recvWindowText);
    if (recvWindow > MAX_RECV_WINDOW_MS) return BinanceErrors.recvWindowTooLarge();
  }
  const timestamp = Number(timestampText);
  if (timestamp >= serverTime + MAX_AHEAD_MS) return BinanceErrors.timestampAhead();
  if (serverTime - timestamp > recvWindow) return BinanceErrors.timestampOutsideWindow();
  return undefined;
}
