import {
  AccountSuspended,
  ArgumentsRequired,
  AuthenticationError,
  BadSymbol,
  ChecksumError,
  DDoSProtection,
  DuplicateOrderId,
  ExchangeError,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  NetworkError,
  NotSupported,
  NullResponse,
  OnMaintenance,
  OrderNotFound,
  PermissionDenied,
  RateLimitExceeded,
  RequestTimeout,
} from 'ccxt';
import { describe, expect, it } from 'vitest';
import { classifyCcxtError, exchangeFamily, nativeErrorDetails, retryAfterMs, type ErrorClassification } from './error-classification.js';
import { RejectCode } from './reject-codes.js';
import { NOW, classify, binance, bybitBody, okxOrderBody } from './test-support/classify-helpers.js';

describe('exchangeFamily', () => {
  it('groups ccxt ids by the exchange whose error codes they share', () => {
    expect(['binance', 'binanceusdm', 'binancecoinm', 'binanceus'].map(exchangeFamily)).toEqual(['binance', 'binance', 'binance', 'binance']);
    expect(['bybit', 'bybiteu'].map(exchangeFamily)).toEqual(['bybit', 'bybit']);
    expect(['okx', 'okxus', 'myokx'].map(exchangeFamily)).toEqual(['okx', 'okx', 'okx']);
    expect(exchangeFamily('kraken')).toBe('other');
  });
});

describe('nativeErrorDetails', () => {
  it('reads the Binance code and message from "<id> <body>"', () => {
    expect(nativeErrorDetails('binance {"code":-2010,"msg":"Duplicate order sent."}')).toEqual({ code: '-2010', message: 'Duplicate order sent.' });
  });
  it('reads Bybit retCode/retMsg', () => {
    expect(nativeErrorDetails('bybit ' + bybitBody(110072, 'OrderLinkedID is duplicate'))).toEqual({ code: '110072', message: 'OrderLinkedID is duplicate' });
  });
  it('prefers the OKX per-order sCode over the envelope code "1"', () => {
    expect(nativeErrorDetails('okx ' + okxOrderBody('51016', 'Duplicated client order ID '))).toEqual({ code: '51016', message: 'Duplicated client order ID' });
  });
  it('reads the HTTP status from ccxt generic and Binance 429/418 messages', () => {
    expect(nativeErrorDetails('binance POST https://api.binance.com/api/v3/order 503 Service Unavailable <html></html>')).toEqual({ httpStatus: 503 });
    expect(nativeErrorDetails('binance 418 I\'m a teapot {"code":-1003,"msg":"banned"}')).toEqual({ code: '-1003', message: 'banned', httpStatus: 418 });
  });
  it('falls back to patterns when the body is not valid JSON', () => {
    expect(nativeErrorDetails('binance {"code":-1013,"msg":"Filter failure: LOT_SIZE" truncated}')).toEqual({ code: '-1013', message: 'Filter failure: LOT_SIZE' });
  });
  it('returns nothing for a message without a body', () => {
    expect(nativeErrorDetails('binance GET https://x request timed out (10000 ms)')).toEqual({});
  });
});

describe('classifyCcxtError: by ccxt class (any exchange)', () => {
  const cases: [unknown, ErrorClassification['kind'], string?][] = [
    [new DuplicateOrderId('kraken duplicate'), 'duplicate'],
    [new OrderNotFound('kraken EOrder:Unknown order'), 'not_found'],
    [new RequestTimeout('kraken POST https://api.kraken.com/0/private/AddOrder request timed out (10000 ms)'), 'unknown'],
    [new NetworkError('kraken POST https://api.kraken.com fetch failed: ECONNRESET'), 'unknown'],
    [new ExchangeNotAvailable('kraken 503'), 'unknown'],
    [new OnMaintenance('kraken maintenance'), 'unknown'],
    [new NullResponse('kraken empty'), 'unknown'],
    [new RateLimitExceeded('kraken EAPI:Rate limit exceeded'), 'rate_limited'],
    [new DDoSProtection('kraken too many'), 'rate_limited'],
    [new InvalidNonce('kraken EAPI:Invalid nonce'), 'clock'],
    [new ChecksumError('kraken orderbook checksum'), 'unknown'],
    [new AuthenticationError('kraken EAPI:Invalid key'), 'auth'],
    [new PermissionDenied('kraken EGeneral:Permission denied'), 'auth'],
    [new AccountSuspended('kraken suspended'), 'auth'],
    [new InsufficientFunds('kraken EOrder:Insufficient funds'), 'rejected', RejectCode.INSUFFICIENT_BALANCE],
    [new BadSymbol('kraken does not have market symbol FOO/BAR'), 'rejected', RejectCode.UNKNOWN_SYMBOL],
    [new InvalidOrder('kraken EOrder:Invalid price'), 'rejected', RejectCode.INVALID_ORDER],
    [new ArgumentsRequired('kraken createOrder() requires a price argument'), 'rejected', RejectCode.INVALID_ORDER],
    [new NotSupported('kraken createOrder() does not support reduceOnly'), 'rejected', RejectCode.NOT_SUPPORTED],
    [new ExchangeError('kraken EGeneral:Internal error'), 'unknown'],
    [new TypeError("Cannot read properties of undefined (reading 'toString')"), 'unknown'],
    [new Error('socket hang up'), 'unknown'],
    ['a string', 'unknown'],
  ];
  it.each(cases)('%s → %s', (error, kind, code) => {
    const result = classify('kraken', error);
    expect(result.kind).toBe(kind);
    if (code !== undefined) expect(result).toMatchObject({ code });
  });
  it('a duplicate text in an unknown exchange still reads as a duplicate', () => {
    expect(classify('kucoin', new InvalidOrder('kucoin {"code":"400100","msg":"Duplicate clientOid"}')).kind).not.toBe('rejected');
    expect(classify('gate', new InvalidOrder('gate Duplicate order: client order id already exists')).kind).toBe('duplicate');
  });
  it('an HTTP 429 in a generic message is a rate limit whatever the class', () => {
    expect(classify('kraken', new ExchangeError('kraken GET https://api.kraken.com/x 429 Too Many Requests slow down'))).toMatchObject({ kind: 'rate_limited', httpStatus: 429 });
  });
});

describe('reasons', () => {
  it('name the exchange, the class and the native message and code', () => {
    const result = classify('binance', binance(400, '{"code":-1013,"msg":"Filter failure: LOT_SIZE"}'));
    expect(result.reason).toBe('binance InvalidOrder: Filter failure: LOT_SIZE (-1013)');
  });
  it('go through the redactor, and keep no URL (only its host)', () => {
    const error = new RequestTimeout('binance GET https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=abcdef0123 request timed out (10000 ms) apiKey[k3y-value]');
    const result = classifyCcxtError('binance', error, { redact: (t) => t.replace(/apiKey\[[^\]]*\]/, 'apiKey[***]') });
    expect(result.reason).toContain('apiKey[***]');
    expect(result.reason).toContain('(api.binance.com) request timed out');
    expect(result.reason).not.toMatch(/abcdef0123|k3y-value|https?:/);
  });
});

describe('retryAfterMs', () => {
  it('reads Retry-After seconds or an HTTP date, any header case', () => {
    expect(retryAfterMs('x', { now: NOW, responseHeaders: { 'retry-after': '2' } })).toBe(2000);
    expect(retryAfterMs('x', { now: NOW, responseHeaders: { 'Retry-After': new Date(NOW + 30_000).toUTCString() } })).toBe(30_000);
  });
  it('reads Binance "IP banned until" (ms and s)', () => {
    expect(retryAfterMs('IP banned until 1575431060000.', { now: NOW })).toBe(60_000);
    expect(retryAfterMs('IP banned until 1575431060.', { now: NOW })).toBe(60_000);
  });
  it('is undefined when nothing says', () => {
    expect(retryAfterMs('Too many requests', { now: NOW })).toBeUndefined();
  });
});
