import {
  DDoSProtection,
  ExchangeError,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  RateLimitExceeded,
} from 'ccxt';
import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './error-classification.js';
import { RejectCode } from './reject-codes.js';
import { NOW, classify, binance, bybit, okx, bybitBody, okxBody, okxOrderBody } from './test-support/classify-helpers.js';

describe('classifyCcxtError: Binance (real ccxt errors from real answers)', () => {
  it('-2010 "Duplicate order sent." is a duplicate although ccxt raises a plain InvalidOrder', () => {
    const error = binance(400, '{"code":-2010,"msg":"Duplicate order sent."}');
    expect(error).toBeInstanceOf(InvalidOrder);
    expect(classify('binance', error)).toMatchObject({ kind: 'duplicate', exchangeCode: '-2010' });
  });
  it('-2010 for other reasons is a rejection', () => {
    expect(classify('binance', binance(400, '{"code":-2010,"msg":"Order would immediately match and take."}'))).toMatchObject({ kind: 'rejected', code: RejectCode.WOULD_MATCH });
    expect(classify('binance', binance(400, '{"code":-2010,"msg":"Something else."}'))).toMatchObject({ kind: 'rejected', code: RejectCode.EXCHANGE_REJECTED, exchangeCode: '-2010' });
  });
  it('-2010 insufficient balance (ccxt matches the text and drops the code) is INSUFFICIENT_BALANCE', () => {
    const error = binance(400, '{"code":-2010,"msg":"Account has insufficient balance for requested action."}');
    expect(error).toBeInstanceOf(InsufficientFunds);
    expect(classify('binance', error)).toMatchObject({ kind: 'rejected', code: RejectCode.INSUFFICIENT_BALANCE });
  });
  it('-1013 filter failures map to the filter', () => {
    const cases: [string, string][] = [
      ['LOT_SIZE', RejectCode.LOT_SIZE],
      ['MARKET_LOT_SIZE', RejectCode.LOT_SIZE],
      ['PRICE_FILTER', RejectCode.PRICE_FILTER],
      ['PERCENT_PRICE_BY_SIDE', RejectCode.PRICE_FILTER],
      ['NOTIONAL', RejectCode.MIN_NOTIONAL],
      ['MIN_NOTIONAL', RejectCode.MIN_NOTIONAL],
      ['MAX_NUM_ORDERS', RejectCode.MAX_NUM_ORDERS],
      ['ICEBERG_PARTS', RejectCode.EXCHANGE_REJECTED],
    ];
    for (const [filter, code] of cases) {
      const result = classify('binance', binance(400, `{"code":-1013,"msg":"Filter failure: ${filter}"}`));
      expect(result, filter).toMatchObject({ kind: 'rejected', code });
    }
  });
  it('PERCENT_PRICE_BY_SIDE: ccxt matches the text and drops the code, still PRICE_FILTER', () => {
    const error = binance(400, '{"code":-1013,"msg":"Filter failure: PERCENT_PRICE_BY_SIDE"}');
    expect(error.message).toBe('binance Filter failure: PERCENT_PRICE_BY_SIDE');
    expect(classify('binance', error)).toMatchObject({ kind: 'rejected', code: RejectCode.PRICE_FILTER });
    for (const filter of ['LOT_SIZE', 'NOTIONAL']) {
      expect(classify('binance', binance(400, `{"code":-1013,"msg":"Filter failure: ${filter}"}`))).toMatchObject({ exchangeCode: '-1013' });
    }
  });
  it('"Market is closed." is MARKET_CLOSED', () => {
    expect(classify('binance', binance(400, '{"code":-1013,"msg":"Market is closed."}'))).toMatchObject({ kind: 'rejected', code: RejectCode.MARKET_CLOSED });
  });
  it('-1121 invalid symbol is UNKNOWN_SYMBOL; -1100 bad parameter is INVALID_ORDER', () => {
    expect(classify('binance', binance(400, '{"code":-1121,"msg":"Invalid symbol."}'))).toMatchObject({ kind: 'rejected', code: RejectCode.UNKNOWN_SYMBOL });
    expect(classify('binance', binance(400, `{"code":-1100,"msg":"Illegal characters found in parameter 'price'."}`))).toMatchObject({ kind: 'rejected', code: RejectCode.INVALID_ORDER });
  });
  it('-2013 and -2011 are not_found', () => {
    expect(classify('binance', binance(400, '{"code":-2013,"msg":"Order does not exist."}'))).toMatchObject({ kind: 'not_found', exchangeCode: '-2013' });
    expect(classify('binance', binance(400, '{"code":-2011,"msg":"Unknown order sent."}'))).toMatchObject({ kind: 'not_found', exchangeCode: '-2011' });
  });
  it('-2026 (archived) is never "absent": unknown', () => {
    const error = binance(400, '{"code":-2026,"msg":"Order was canceled or expired with no executed qty over 90 days ago and has been archived."}');
    expect(classify('binance', error).kind).toBe('unknown');
  });
  it('-1006 / -1007 "execution status unknown" and 5xx are unknown', () => {
    expect(classify('binance', binance(500, '{"code":-1006,"msg":"An unexpected response was received from the message bus. Execution status unknown."}')).kind).toBe('unknown');
    expect(classify('binance', binance(500, '{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}')).kind).toBe('unknown');
    const e503 = binance(503, 'Service Unavailable', { statusText: 'Service Unavailable' });
    expect(e503).toBeInstanceOf(ExchangeNotAvailable);
    expect(classify('binance', e503).kind).toBe('unknown');
    expect(classify('binance', binance(502, '<html>Bad Gateway</html>', { statusText: 'Bad Gateway' })).kind).toBe('unknown');
    expect(classify('binance', binance(504, '', { statusText: 'Gateway Timeout' })).kind).toBe('unknown');
  });
  it('429 / 418 / -1003 / -1015 are rate limits, with Retry-After', () => {
    const e429 = binance(429, '{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE."}', { statusText: 'Too Many Requests' });
    expect(e429).toBeInstanceOf(DDoSProtection);
    expect(classify('binance', e429, { 'Retry-After': '7' })).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000, httpStatus: 429, exchangeCode: '-1003' });
    const e418 = binance(418, '{"code":-1003,"msg":"Way too much request weight used; IP banned until 1575431999999. Please use the websocket for live updates to avoid bans."}', { statusText: "I'm a teapot" });
    expect(classify('binance', e418)).toMatchObject({ kind: 'rate_limited', retryAfterMs: 999_999, httpStatus: 418 });
    const e1015 = binance(400, '{"code":-1015,"msg":"Too many new orders; current limit is 50 orders per 10 SECOND."}');
    expect(e1015).toBeInstanceOf(RateLimitExceeded);
    expect(classify('binance', e1015)).toMatchObject({ kind: 'rate_limited', exchangeCode: '-1015' });
    expect(classify('binance', e1015)).not.toHaveProperty('retryAfterMs');
  });
  it('-1021 (ccxt InvalidNonce) is a clock problem', () => {
    const error = binance(400, `{"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server's time."}`);
    expect(error).toBeInstanceOf(InvalidNonce);
    expect(classify('binance', error)).toMatchObject({ kind: 'clock', exchangeCode: '-1021' });
  });
  it('-1022 / -2015 / -2014 are auth, even when ccxt turns -2015 into DDoSProtection', () => {
    expect(classify('binance', binance(400, '{"code":-1022,"msg":"Signature for this request is not valid."}')).kind).toBe('auth');
    expect(classify('binance', binance(401, '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}', { statusText: 'Unauthorized' })).kind).toBe('auth');
    expect(classify('binance', binance(400, '{"code":-2014,"msg":"API-key format invalid."}')).kind).toBe('auth');
    const masked = new DDoSProtection('binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}');
    expect(classify('binance', masked).kind).toBe('auth');
  });
  it('a code nobody knows, in a bare ExchangeError, is unknown (never definitive by default)', () => {
    const error = binance(400, '{"code":-9999,"msg":"Something new."}');
    expect(error.constructor).toBe(ExchangeError);
    expect(classify('binance', error).kind).toBe('unknown');
  });
  it('futures -4116 duplicate clientOrderId', () => {
    expect(classify('binanceusdm', new InvalidOrder('binanceusdm {"code":-4116,"msg":"ClientOrderId is duplicated."}')).kind).toBe('duplicate');
  });
});

describe('classifyCcxtError: Bybit', () => {
  it('110072 / 170141 / 12141 are duplicates (ccxt: InvalidOrder, BadRequest)', () => {
    expect(classify('bybit', bybit(bybitBody(110072, 'OrderLinkedID is duplicate')))).toMatchObject({ kind: 'duplicate', exchangeCode: '110072' });
    expect(classify('bybit', bybit(bybitBody(170141, 'Duplicate clientOrderId'))).kind).toBe('duplicate');
    expect(classify('bybit', bybit(bybitBody(12141, 'Duplicate clientOrderId.'))).kind).toBe('duplicate');
  });
  it('110001 / 170213 are not_found', () => {
    expect(classify('bybit', bybit(bybitBody(110001, 'Order does not exist'))).kind).toBe('not_found');
    expect(classify('bybit', bybit(bybitBody(170213, 'Order does not exist.'))).kind).toBe('not_found');
  });
  it('10002 is clock, 10006/10018 rate limits, 10016/10000 unknown, 10003/10004 auth', () => {
    expect(classify('bybit', bybit(bybitBody(10002, 'invalid request, please check your server timestamp or recv_window param'))).kind).toBe('clock');
    expect(classify('bybit', bybit(bybitBody(10006, 'Too many visits!')), { 'X-Bapi-Limit-Reset-Timestamp': String(NOW + 1500) })).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 1500,
    });
    expect(classify('bybit', bybit(bybitBody(10018, 'Exceeded the IP rate limit'))).kind).toBe('rate_limited');
    expect(classify('bybit', bybit(bybitBody(10016, 'Service is restarting, please try again later.'))).kind).toBe('unknown');
    expect(classify('bybit', bybit(bybitBody(10000, 'Server Timeout'))).kind).toBe('unknown');
    expect(classify('bybit', bybit(bybitBody(10003, 'API key is invalid.'))).kind).toBe('auth');
    expect(classify('bybit', bybit(bybitBody(10004, 'error sign!'))).kind).toBe('auth');
  });
  it('balance and size refusals are rejections', () => {
    expect(classify('bybit', bybit(bybitBody(170131, 'Insufficient balance.')))).toMatchObject({ kind: 'rejected', code: RejectCode.INSUFFICIENT_BALANCE });
    expect(classify('bybit', bybit(bybitBody(170136, 'Order quantity lower than the minimum.')))).toMatchObject({ kind: 'rejected', code: RejectCode.MIN_QTY });
    expect(classify('bybit', bybit(bybitBody(110094, 'Order does not meet minimum order value')))).toMatchObject({ kind: 'rejected', code: RejectCode.MIN_NOTIONAL });
  });
});

describe('classifyCcxtError: OKX', () => {
  it('51016 (in the per-order data) is a duplicate', () => {
    const error = okx(okxOrderBody('51016', 'Duplicated client order ID '));
    expect(error).toBeInstanceOf(InvalidOrder);
    expect(classify('okx', error)).toMatchObject({ kind: 'duplicate', exchangeCode: '51016' });
  });
  it('51603 is not_found; 50004 unknown; 50011/50061 rate limits; 50102 clock; 50113 auth', () => {
    expect(classify('okx', okx(okxBody('51603', 'Order does not exist '))).kind).toBe('not_found');
    expect(classify('okx', okx(okxBody('50004', 'API endpoint request timeout (does not mean that the request was successful or failed, please check the request result).'))).kind).toBe('unknown');
    expect(classify('okx', okx(okxBody('50011', 'Rate limit reached.'))).kind).toBe('rate_limited');
    const e50061 = okx(okxBody('50061', 'Sub-account rate limit exceeded.'));
    expect(e50061.constructor).toBe(ExchangeError);
    expect(classify('okx', e50061).kind).toBe('rate_limited');
    expect(classify('okx', okx(okxBody('50102', 'Timestamp request expired.'))).kind).toBe('clock');
    expect(classify('okx', okx(okxBody('50113', 'Invalid Sign'))).kind).toBe('auth');
  });
  it('51008 insufficient balance and 51121 lot size are rejections', () => {
    expect(classify('okx', okx(okxOrderBody('51008', 'Order failed. Insufficient USDT balance in account.')))).toMatchObject({ kind: 'rejected', code: RejectCode.INSUFFICIENT_BALANCE });
    expect(classify('okx', okx(okxOrderBody('51121', 'Order quantity must be a multiple of the lot size.')))).toMatchObject({ kind: 'rejected', code: RejectCode.LOT_SIZE });
  });
});
