import { describe, expect, it } from 'vitest';
import { redactSecrets, redactedMessage } from './redact.js';

const KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const PASS = 'my pass/phrase+1';

describe('redactSecrets', () => {
  it('masks known secrets, raw and URL-encoded', () => {
    const text = `key ${KEY} secret ${SECRET} pass ${encodeURIComponent(PASS)} and ${PASS}`;
    const out = redactSecrets(text, [KEY, SECRET, PASS]);
    expect(out).toBe('key *** secret *** pass *** and ***');
  });
  it('masks signatures and credential-named values in URLs, JSON and headers', () => {
    const cases: [string, string][] = [
      ['GET https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=abcdef0123456789 failed', 'GET https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=*** failed'],
      ['{"X-MBX-APIKEY":"abc123","other":"x"}', '{"X-MBX-APIKEY":"***","other":"x"}'],
      ['headers OK-ACCESS-KEY: abc OK-ACCESS-SIGN: def OK-ACCESS-PASSPHRASE: ghi', 'headers OK-ACCESS-KEY: *** OK-ACCESS-SIGN: *** OK-ACCESS-PASSPHRASE: ***'],
      ['X-BAPI-API-KEY=abc&X-BAPI-SIGN=def', 'X-BAPI-API-KEY=***&X-BAPI-SIGN=***'],
      ['apiKey=abc, secret: "def", password=ghi; sign=jkl', 'apiKey=***, secret: "***", password=***; sign=***'],
    ];
    for (const [input, expected] of cases) expect(redactSecrets(input), input).toBe(expected);
  });
  it("masks Bybit's echoed apiKey[…] apiSignature[…]", () => {
    expect(redactSecrets('empty value: apiTimestamp[] apiKey[abcKEY123] apiSignature[deadbeefcafe]: openapi sign params error!')).toBe(
      'empty value: apiTimestamp[] apiKey[***] apiSignature[***]: openapi sign params error!',
    );
  });
  it('masks Binance listenKeys in stream URLs and parameters', () => {
    const lk = 'pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1';
    expect(redactSecrets(`connection closed: wss://fstream.binance.com/ws/${lk}`)).toBe('connection closed: wss://fstream.binance.com/ws/***');
    expect(redactSecrets(`{"listenKey":"${lk}"}`)).toBe('{"listenKey":"***"}');
  });
  it('leaves ordinary text and short secrets alone', () => {
    expect(redactSecrets('binance {"code":-1013,"msg":"Filter failure: LOT_SIZE"}', ['abc'])).toBe('binance {"code":-1013,"msg":"Filter failure: LOT_SIZE"}');
  });
  it('redactedMessage names the error class', () => {
    const error = new TypeError(`fetch failed for ${KEY}`);
    expect(redactedMessage(error, [KEY])).toBe('TypeError: fetch failed for ***');
    expect(redactedMessage('plain', [])).toBe('plain');
  });
});
