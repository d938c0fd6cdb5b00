import {
  ArgumentsRequired,
  AuthenticationError,
  BadRequest,
  BadResponse,
  BadSymbol,
  BaseError,
  CancelPending,
  ChecksumError,
  DDoSProtection,
  DuplicateOrderId,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  MarketClosed,
  NetworkError,
  NotSupported,
  OperationFailed,
  OperationRejected,
  OrderImmediatelyFillable,
  OrderNotFillable,
  OrderNotFound,
  RateLimitExceeded,
} from 'ccxt';
import { binanceVerdict } from './error-codes-binance.js';
import { bybitVerdict } from './error-codes-bybit.js';
import { okxVerdict } from './error-codes-okx.js';
import { nativeErrorDetails, scalarText, type NativeError } from './native-error-details.js';
import { v, type NativeVerdict } from './native-verdict.js';
import { RejectCode } from './reject-codes.js';
import { exchangeFamily, type ExchangeFamily } from './exchange-family.js';
import { plainReason } from './plain-reason.js';

export { nativeErrorDetails, type NativeError } from './native-error-details.js';

/**
 * What a thrown ccxt error means for an order request.
 *
 * - `rejected`: a definitive business refusal; no order exists (or, for a look-up or cancel, the
 *   request was refused as malformed).
 * - `duplicate`: the clientOrderId is already in use: the order PROBABLY EXISTS. Never a rejection.
 * - `not_found`: the exchange has no such order (at the time of asking).
 * - `unknown`: timeout, connection loss, 5xx, "execution status unknown", or anything not
 *   recognised: the request may or may not have taken effect.
 * - `rate_limited`: 429 / 418 / rate-limit codes; `retryAfterMs` when the exchange said.
 * - `clock`: the request was refused for clock skew before reaching the engine: resync and retry.
 * - `auth`: credentials refused; permanent until the user fixes the key.
 */
export type ErrorClassification =
  | { readonly kind: 'rejected'; readonly code: RejectCode; readonly reason: string; readonly exchangeCode?: string }
  | { readonly kind: 'duplicate'; readonly reason: string; readonly exchangeCode?: string }
  | { readonly kind: 'not_found'; readonly reason: string; readonly exchangeCode?: string }
  /** `unsent`: the connection to the exchange was never made (refused, no such host): the request cannot have arrived */
  | { readonly kind: 'unknown'; readonly reason: string; readonly exchangeCode?: string; readonly unsent?: true }
  | {
      readonly kind: 'rate_limited';
      readonly reason: string;
      readonly retryAfterMs?: number;
      readonly httpStatus?: number;
      readonly exchangeCode?: string;
    }
  | { readonly kind: 'clock'; readonly reason: string; readonly exchangeCode?: string }
  | { readonly kind: 'auth'; readonly reason: string; readonly exchangeCode?: string };

export type ErrorKind = ErrorClassification['kind'];

export interface ClassifyContext {
  /** now, in ms since the epoch (to turn "banned until <ts>" and Retry-After dates into a wait) */
  readonly now?: number;
  /** ccxt's `last_response_headers` of the failed call, if known */
  readonly responseHeaders?: Readonly<Record<string, unknown>>;
  /** applied to every reason (credential scrubbing) */
  readonly redact?: (text: string) => string;
}

export { exchangeFamily, type ExchangeFamily } from './exchange-family.js';

function nativeVerdict(family: ExchangeFamily, native: NativeError, rawMessage: string): NativeVerdict | undefined {
  const message = native.message ?? rawMessage;
  switch (family) {
    case 'binance':
      return binanceVerdict(native.code, message);
    case 'bybit':
      return bybitVerdict(native.code);
    case 'okx':
      return okxVerdict(native.code);
    case 'other':
      return undefined;
  }
}

const DUPLICATE_TEXT = /duplicate[sd]?\s+(?:order|client|clordid|orderlinkid)|(?:client\s*order\s*id|clordid|orderlinkid|orderlinkedid)\s+(?:is\s+)?(?:duplicate|already\s+exists)/i;

function headerValue(headers: Readonly<Record<string, unknown>> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? scalarText(value[0]) : scalarText(value);
  }
  return undefined;
}

/**
 * How long to stay away, in ms, if the exchange said: the `Retry-After` header (seconds or an
 * HTTP date), Binance's "IP banned until <epoch ms>", Bybit's `X-Bapi-Limit-Reset-Timestamp`.
 */
export function retryAfterMs(message: string, context: ClassifyContext = {}): number | undefined {
  const now = context.now ?? Date.now();
  const header = headerValue(context.responseHeaders, 'Retry-After');
  if (header !== undefined) {
    const trimmed = header.trim();
    if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const bannedUntil = /banned until (\d{10,13})/i.exec(message)?.[1];
  if (bannedUntil !== undefined) {
    const until = bannedUntil.length <= 10 ? Number(bannedUntil) * 1000 : Number(bannedUntil);
    return Math.max(0, until - now);
  }
  const reset = headerValue(context.responseHeaders, 'X-Bapi-Limit-Reset-Timestamp');
  if (reset !== undefined && /^\d{13}$/.test(reset.trim())) return Math.max(0, Number(reset) - now);
  return undefined;
}

function rejectCodeOfClass(error: BaseError): RejectCode {
  if (error instanceof InsufficientFunds) return RejectCode.INSUFFICIENT_BALANCE;
  if (error instanceof BadSymbol) return RejectCode.UNKNOWN_SYMBOL;
  if (error instanceof MarketClosed) return RejectCode.MARKET_CLOSED;
  if (error instanceof OrderImmediatelyFillable) return RejectCode.WOULD_MATCH;
  if (error instanceof OrderNotFillable) return RejectCode.NOT_FILLABLE;
  if (error instanceof NotSupported) return RejectCode.NOT_SUPPORTED;
  if (error instanceof InvalidOrder || error instanceof BadRequest || error instanceof ArgumentsRequired) return RejectCode.INVALID_ORDER;
  return RejectCode.EXCHANGE_REJECTED;
}

/** The ccxt class alone (used when the native code says nothing we know). */
function classVerdict(error: unknown): NativeVerdict {
  if (!(error instanceof BaseError)) return v.unknown; // TypeError, AbortError, anything: outcome unknown
  if (error instanceof DuplicateOrderId) return v.duplicate;
  if (error instanceof OrderNotFound) return v.notFound;
  if (error instanceof RateLimitExceeded || error instanceof DDoSProtection) return v.rateLimited;
  if (error instanceof ChecksumError) return v.unknown;
  if (error instanceof InvalidNonce) return v.clock;
  if (error instanceof NetworkError || error instanceof OperationFailed || error instanceof BadResponse || error instanceof CancelPending) {
    return v.unknown; // RequestTimeout, ExchangeNotAvailable, OnMaintenance, NullResponse …
  }
  if (error instanceof AuthenticationError) return v.auth; // PermissionDenied, AccountSuspended, AccountNotEnabled
  if (
    error instanceof InvalidOrder ||
    error instanceof InsufficientFunds ||
    error instanceof BadRequest ||
    error instanceof OperationRejected ||
    error instanceof NotSupported
  ) {
    return v.rejected(rejectCodeOfClass(error));
  }
  if (error instanceof ArgumentsRequired) return v.rejected(RejectCode.INVALID_ORDER);
  // a bare ExchangeError: an error answer ccxt does not know. Not provably a refusal: unknown.
  return v.unknown;
}

/**
 * Classifies an error thrown by a ccxt call on exchange `exchangeId`. The exchange's native
 * code (parsed from the message) wins over ccxt's class, because ccxt raises a generic
 * `InvalidOrder` for duplicates (Binance -2010 "Duplicate order sent.", Bybit 110072, OKX 51016)
 * and a `DDoSProtection` for Binance -2015 after a first successful call. Anything unrecognised
 * is `unknown`, never a definitive answer.
 */
export function classifyCcxtError(exchangeId: string, error: unknown, context: ClassifyContext = {}): ErrorClassification {
  const rawMessage = error instanceof Error ? error.message : String(error);
  const native = nativeErrorDetails(rawMessage);
  const family = exchangeFamily(exchangeId);
  const verdict =
    nativeVerdict(family, native, rawMessage) ??
    (DUPLICATE_TEXT.test(native.message ?? rawMessage) && !(error instanceof OrderNotFound) ? v.duplicate : undefined) ??
    httpVerdict(native.httpStatus) ??
    classVerdict(error);
  const redact = context.redact ?? ((t: string) => t);
  const name = error instanceof Error ? error.constructor.name : typeof error;
  const detail = native.message !== undefined ? `${native.message}${native.code !== undefined ? ` (${native.code})` : ''}` : rawMessage;
  const reason = plainReason(redact(`${exchangeId} ${name}: ${detail}`));
  const exchangeCode = native.code !== undefined ? { exchangeCode: native.code } : {};
  switch (verdict.kind) {
    case 'rejected':
      return { kind: 'rejected', code: verdict.code, reason, ...exchangeCode };
    case 'rate_limited': {
      const wait = retryAfterMs(rawMessage, context);
      return {
        kind: 'rate_limited',
        reason,
        ...(wait !== undefined ? { retryAfterMs: wait } : {}),
        ...(native.httpStatus !== undefined ? { httpStatus: native.httpStatus } : {}),
        ...exchangeCode,
      };
    }
    case 'unknown':
      // a connection that was never established carried no request: nothing can have been placed
      return { kind: 'unknown', reason, ...exchangeCode, ...(error instanceof NetworkError && NEVER_CONNECTED.test(rawMessage) ? { unsent: true as const } : {}) };
    case 'duplicate':
    case 'not_found':
    case 'clock':
    case 'auth':
      return { kind: verdict.kind, reason, ...exchangeCode };
  }
}

/** Node's errors for a connection that was never made (undici's "fetch failed: connect ECONNREFUSED …"). */
const NEVER_CONNECTED = /\b(?:connect ECONNREFUSED|getaddrinfo (?:ENOTFOUND|EAI_AGAIN))\b/;

/** 429/418 in the message are rate limits whatever the class; other statuses decide nothing here. */
function httpVerdict(status: number | undefined): NativeVerdict | undefined {
  return status === 429 || status === 418 ? v.rateLimited : undefined;
}
