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
import { RejectCode } from './reject-codes.js';

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
  | { readonly kind: 'unknown'; readonly reason: string; readonly exchangeCode?: string }
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

/** The exchange's own error code and message, dug out of a ccxt error message. */
export interface NativeError {
  readonly code?: string;
  readonly message?: string;
  /** the HTTP status when ccxt put it in the message (its generic HTTP handler, Binance 418/429) */
  readonly httpStatus?: number;
}

export type ExchangeFamily = 'binance' | 'bybit' | 'okx' | 'other';

export function exchangeFamily(exchangeId: string): ExchangeFamily {
  if (exchangeId.startsWith('binance')) return 'binance';
  if (exchangeId.startsWith('bybit')) return 'bybit';
  if (exchangeId === 'okx' || exchangeId === 'okxus' || exchangeId === 'myokx') return 'okx';
  return 'other';
}

/** Partial classification decided from the native code/message alone. */
type NativeVerdict =
  | { readonly kind: 'rejected'; readonly code: RejectCode }
  | { readonly kind: 'duplicate' | 'not_found' | 'unknown' | 'rate_limited' | 'clock' | 'auth' };

const v = {
  rejected: (code: RejectCode): NativeVerdict => ({ kind: 'rejected', code }),
  duplicate: { kind: 'duplicate' } as NativeVerdict,
  notFound: { kind: 'not_found' } as NativeVerdict,
  unknown: { kind: 'unknown' } as NativeVerdict,
  rateLimited: { kind: 'rate_limited' } as NativeVerdict,
  clock: { kind: 'clock' } as NativeVerdict,
  auth: { kind: 'auth' } as NativeVerdict,
};

/** Binance -1013 "Filter failure: X" to our codes. */
function binanceFilter(message: string): RejectCode {
  const filter = /Filter failure:\s*([A-Z_]+)/.exec(message)?.[1];
  switch (filter) {
    case 'LOT_SIZE':
    case 'MARKET_LOT_SIZE':
      return RejectCode.LOT_SIZE;
    case 'PRICE_FILTER':
    case 'PERCENT_PRICE':
    case 'PERCENT_PRICE_BY_SIDE':
      return RejectCode.PRICE_FILTER;
    case 'MIN_NOTIONAL':
    case 'NOTIONAL':
      return RejectCode.MIN_NOTIONAL;
    case 'MAX_NUM_ORDERS':
    case 'MAX_NUM_ALGO_ORDERS':
    case 'MAX_NUM_ICEBERG_ORDERS':
    case 'EXCHANGE_MAX_NUM_ORDERS':
    case 'EXCHANGE_MAX_NUM_ALGO_ORDERS':
      return RejectCode.MAX_NUM_ORDERS;
    default:
      if (/market is closed/i.test(message)) return RejectCode.MARKET_CLOSED;
      return filter !== undefined ? RejectCode.EXCHANGE_REJECTED : RejectCode.INVALID_ORDER;
  }
}

/** https://developers.binance.com/docs/binance-spot-api-docs/errors (also USDⓈ-M futures) */
function binanceVerdict(code: string | undefined, message: string): NativeVerdict | undefined {
  switch (code) {
    case '-2010': // NEW_ORDER_REJECTED: the matching engine refused it ... unless it is a duplicate
      if (/duplicate/i.test(message)) return v.duplicate;
      if (/insufficient balance/i.test(message)) return v.rejected(RejectCode.INSUFFICIENT_BALANCE);
      if (/immediately match|trigger immediately/i.test(message)) return v.rejected(RejectCode.WOULD_MATCH);
      if (/market is closed/i.test(message)) return v.rejected(RejectCode.MARKET_CLOSED);
      if (/not permitted|restricted|disabled|not enabled/i.test(message)) return v.auth;
      return v.rejected(RejectCode.EXCHANGE_REJECTED);
    case '-4116': // futures: ClientOrderId is duplicated.
      return v.duplicate;
    case '-1013':
      return v.rejected(binanceFilter(message));
    case '-2013': // NO_SUCH_ORDER
    case '-2011': // CANCEL_REJECTED "Unknown order sent." (also for an order already final)
      return v.notFound;
    case '-2026': // archived (cancelled/expired unfilled > 90 days ago): existed, so never "absent"
      return v.unknown;
    case '-1000':
    case '-1001':
    case '-1004': // SERVER_BUSY (spot)
    case '-1006':
    case '-1007':
    case '-1008':
      return v.unknown;
    case '-1003':
    case '-1015':
      return v.rateLimited;
    case '-1021':
      return v.clock;
    case '-1002':
    case '-1022':
    case '-2014':
    case '-2015':
      return v.auth;
    case '-1121':
    case '-1108':
      return v.rejected(RejectCode.UNKNOWN_SYMBOL);
    case '-1111':
      return v.rejected(RejectCode.LOT_SIZE);
    case '-2019': // futures: margin is insufficient
    case '-4050':
    case '-4051':
      return v.rejected(RejectCode.INSUFFICIENT_BALANCE);
    case '-2022': // futures: ReduceOnly Order is rejected
      return v.rejected(RejectCode.NOT_FILLABLE);
    case '-4164': // futures: notional must be no smaller than …
      return v.rejected(RejectCode.MIN_NOTIONAL);
    case undefined:
      // ccxt matched the text and dropped the code, e.g. "binance Filter failure: PERCENT_PRICE_BY_SIDE"
      return /Filter failure:/.test(message) ? v.rejected(binanceFilter(message)) : undefined;
    default:
      return undefined;
  }
}

/** https://bybit-exchange.github.io/docs/v5/error */
function bybitVerdict(code: string | undefined): NativeVerdict | undefined {
  switch (code) {
    case '110072': // OrderLinkedID is duplicate
    case '170141': // Duplicate clientOrderId
    case '12141': // Duplicate clientOrderId. (old spot)
      return v.duplicate;
    case '110001': // Order does not exist
    case '170213': // Order does not exist.
    case '140001':
      return v.notFound;
    case '10000': // Server Timeout
    case '10016': // Internal server error / service restarting
      return v.unknown;
    case '10006': // Too many visits
    case '10018': // Exceeded the IP rate limit
    case '10429':
      return v.rateLimited;
    case '10002': // request timestamp outside recv_window
      return v.clock;
    case '10003':
    case '10004':
    case '10005':
    case '10007':
    case '10009':
    case '10010':
    case '33004':
      return v.auth;
    case '110004':
    case '110007':
    case '110012':
    case '170131':
      return v.rejected(RejectCode.INSUFFICIENT_BALANCE);
    case '170136':
    case '170140':
      return v.rejected(RejectCode.MIN_QTY);
    case '110094':
      return v.rejected(RejectCode.MIN_NOTIONAL);
    case '170137':
      return v.rejected(RejectCode.LOT_SIZE);
    case '110003':
    case '170193':
      return v.rejected(RejectCode.PRICE_FILTER);
    case '110017':
      return v.rejected(RejectCode.NOT_FILLABLE);
    default:
      return undefined;
  }
}

/** https://www.okx.com/docs-v5/en/#error-code */
function okxVerdict(code: string | undefined): NativeVerdict | undefined {
  switch (code) {
    case '51016': // Client order ID already exists
      return v.duplicate;
    case '51603': // Order does not exist
    case '51400': // Cancellation failed as the order does not exist (or is already final)
    case '51401':
    case '51402':
      return v.notFound;
    case '50004': // request timeout: "does not mean that the request was successful or failed"
    case '50001':
    case '50013':
    case '50026':
      return v.unknown;
    case '50011':
    case '50061':
      return v.rateLimited;
    case '50102': // Timestamp request expired
      return v.clock;
    case '50100':
    case '50101':
    case '50105':
    case '50110':
    case '50111':
    case '50113':
    case '50114':
      return v.auth;
    case '51008':
    case '51131':
      return v.rejected(RejectCode.INSUFFICIENT_BALANCE);
    case '51121':
      return v.rejected(RejectCode.LOT_SIZE);
    case '51020':
      return v.rejected(RejectCode.MIN_QTY);
    case '51006':
    case '51137':
      return v.rejected(RejectCode.PRICE_FILTER);
    case '51001':
      return v.rejected(RejectCode.UNKNOWN_SYMBOL);
    default:
      return undefined;
  }
}

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

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function fromJson(body: Record<string, unknown>): NativeError | undefined {
  // OKX: {"code":"1","data":[{"sCode":"51016","sMsg":"..."}],"msg":"All operations failed"}
  const data = body.data;
  if (Array.isArray(data)) {
    for (const item of data) {
      if (item === null || typeof item !== 'object') continue;
      const sCode = str((item as Record<string, unknown>).sCode);
      if (sCode !== undefined && sCode !== '0') {
        const sMsg = str((item as Record<string, unknown>).sMsg);
        return { code: sCode, ...(sMsg !== undefined ? { message: sMsg.trim() } : {}) };
      }
    }
  }
  const code = str(body.code) ?? str(body.retCode) ?? str(body.ret_code) ?? str(body.error_code);
  const message = str(body.msg) ?? str(body.retMsg) ?? str(body.ret_msg) ?? str(body.message) ?? str(body.errorMessage);
  if (code === undefined && message === undefined) return undefined;
  return { ...(code !== undefined ? { code } : {}), ...(message !== undefined ? { message: message.trim() } : {}) };
}

/**
 * ccxt puts the exchange's response body (JSON) into its messages: `"<id> <body>"`,
 * `"<id> <METHOD> <url> <status> <reason> <body>"`, `"binance 429 <reason> <body>"`, or just
 * `"<id> <native message>"` when it matched the message text.
 */
export function nativeErrorDetails(message: string): NativeError {
  const status = /^\S+ (?:(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) \S+ )?([1-5]\d\d) /.exec(message)?.[1];
  const httpStatus = status !== undefined ? { httpStatus: Number(status) } : {};
  const open = message.indexOf('{');
  const close = message.lastIndexOf('}');
  if (open >= 0 && close > open) {
    try {
      const parsed: unknown = JSON.parse(message.slice(open, close + 1));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const found = fromJson(parsed as Record<string, unknown>);
        if (found) return { ...found, ...httpStatus };
      }
    } catch {
      // not JSON: fall through to the patterns
    }
    const code = /"(?:sCode|code|retCode|ret_code)"\s*:\s*"?(-?\d+)"?/.exec(message)?.[1];
    const text = /"(?:sMsg|msg|retMsg|ret_msg)"\s*:\s*"([^"]*)"/.exec(message)?.[1];
    if (code !== undefined || text !== undefined) {
      return { ...(code !== undefined ? { code } : {}), ...(text !== undefined ? { message: text } : {}), ...httpStatus };
    }
  }
  return httpStatus;
}

function headerValue(headers: Readonly<Record<string, unknown>> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? str(value[0]) : str(value);
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
  const reason = redact(`${exchangeId} ${name}: ${detail}`);
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
    case 'duplicate':
    case 'not_found':
    case 'unknown':
    case 'clock':
    case 'auth':
      return { kind: verdict.kind, reason, ...exchangeCode };
  }
}

/** 429/418 in the message are rate limits whatever the class; other statuses decide nothing here. */
function httpVerdict(status: number | undefined): NativeVerdict | undefined {
  return status === 429 || status === 418 ? v.rateLimited : undefined;
}
