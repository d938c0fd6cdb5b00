import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkTimestamp, hmacSha256Hex, restSigningPayload, signatureMatches, wsApiSigningPayload } from './signing.js';

const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

describe('signing', () => {
  it('matches the HMAC-SHA256 example of the Binance documentation', () => {
    const payload =
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
    expect(hmacSha256Hex(SECRET, payload)).toBe('c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
    // the documented mixed example: part in the query string, part in the body
    const mixed = restSigningPayload('symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC', 'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559');
    expect(hmacSha256Hex(SECRET, mixed.payload)).toBe('0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77');
  });

  it('signs the query string followed by the body, each without its signature', () => {
    expect(restSigningPayload('symbol=LTCBTC&side=BUY', 'quantity=1&timestamp=5&signature=abc')).toEqual({
      payload: 'symbol=LTCBTC&side=BUYquantity=1&timestamp=5',
      signature: 'abc',
    });
    expect(restSigningPayload('timestamp=5&signature=def', '')).toEqual({ payload: 'timestamp=5', signature: 'def' });
    expect(restSigningPayload('timestamp=5', '')).toEqual({ payload: 'timestamp=5', signature: undefined });
  });

  it('compares signatures in constant time and rejects anything not 64 hex chars', () => {
    const good = createHmac('sha256', SECRET).update('a=1').digest('hex');
    expect(signatureMatches(SECRET, 'a=1', good)).toBe(true);
    expect(signatureMatches(SECRET, 'a=1', good.toUpperCase())).toBe(true);
    expect(signatureMatches(SECRET, 'a=2', good)).toBe(false);
    expect(signatureMatches('other', 'a=1', good)).toBe(false);
    expect(signatureMatches(SECRET, 'a=1', good.slice(0, 63))).toBe(false);
    expect(signatureMatches(SECRET, 'a=1', `${good.slice(0, 63)}z`)).toBe(false);
  });

  it('signs WebSocket API params sorted by name, signature excluded, values raw', () => {
    expect(wsApiSigningPayload({ timestamp: 5, apiKey: 'k', signature: 'x', recvWindow: '5000', symbol: 'A/B' })).toBe('apiKey=k&recvWindow=5000&symbol=A/B&timestamp=5');
  });

  it('accepts timestamps in [server - recvWindow, server + 1000) only', () => {
    const now = 1_000_000;
    expect(checkTimestamp(String(now), undefined, now)).toBeUndefined();
    expect(checkTimestamp(String(now - 5000), undefined, now)).toBeUndefined();
    expect(checkTimestamp(String(now - 5001), undefined, now)?.body()).toEqual({ code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });
    expect(checkTimestamp(String(now - 9000), '10000', now)).toBeUndefined();
    expect(checkTimestamp(String(now + 999), undefined, now)).toBeUndefined();
    expect(checkTimestamp(String(now + 1000), undefined, now)?.msg).toBe("Timestamp for this request was 1000ms ahead of the server's time.");
    expect(checkTimestamp(undefined, undefined, now)?.code).toBe(-1102);
    expect(checkTimestamp('12ab', undefined, now)?.code).toBe(-1102);
    expect(checkTimestamp(String(now), '60001', now)?.body()).toEqual({ code: -1131, msg: 'recvWindow must be less than 60000.' });
    expect(checkTimestamp(String(now), 'x', now)?.code).toBe(-1100);
  });
});
