import { InvalidOrder, NetworkError, RequestTimeout } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { ccxtErrorFor } from './test-support/ccxt-errors.js';
import { flush } from './test-support/fake-scheduler.js';
import { CID, limitBuy, setup } from './test-support/gateway-harness.js';

describe('CcxtExchangeGateway.placeOrder', () => {
  describe('classification of failures', () => {
    it('a definitive refusal (Binance -1013) is rejected with its code', async () => {
      const { gateway, exchange } = setup();
      const ex = await exchange();
      ex.script('createOrder', ccxtErrorFor('binance', 400, '{"code":-1013,"msg":"Filter failure: NOTIONAL"}'));
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'rejected', code: 'MIN_NOTIONAL' });
    });

    it('a connection the exchange refused (or a name that does not resolve) carried no request: not placed, tried again; a dropped connection stays unknown', async () => {
      const { gateway, exchange } = setup();
      const ex = await exchange();
      ex.script(
        'createOrder',
        new NetworkError('binance POST http://127.0.0.1:9/api/v3/order fetch failed: connect ECONNREFUSED 127.0.0.1:9'),
        new NetworkError('binance POST https://api.binance.com/api/v3/order fetch failed: getaddrinfo ENOTFOUND api.binance.com'),
        new NetworkError('binance POST http://127.0.0.1:9/api/v3/order fetch failed: other side closed'),
      );
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'not_placed', code: 'EXCHANGE_UNAVAILABLE' });
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'not_placed', code: 'EXCHANGE_UNAVAILABLE' });
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'unknown' });
    });

    it('insufficient balance is rejected', async () => {
      const { gateway, exchange } = setup();
      const ex = await exchange();
      ex.script('createOrder', ccxtErrorFor('binance', 400, '{"code":-2010,"msg":"Account has insufficient balance for requested action."}'));
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'rejected', code: 'INSUFFICIENT_BALANCE' });
    });

    const duplicates: [string, () => Error][] = [
      ['binance -2010', () => ccxtErrorFor('binance', 400, '{"code":-2010,"msg":"Duplicate order sent."}')],
      ['bybit 110072', () => ccxtErrorFor('bybit', 200, '{"retCode":110072,"retMsg":"OrderLinkedID is duplicate","result":{},"retExtInfo":{},"time":1}')],
      ['okx 51016', () => ccxtErrorFor('okx', 200, `{"code":"1","data":[{"clOrdId":"${CID}","ordId":"","sCode":"51016","sMsg":"Duplicated client order ID"}],"msg":""}`)],
    ];
    it.each(duplicates)('a duplicate clientOrderId (%s) is never rejected: unknown, "duplicate clientOrderId"', async (name, error) => {
      const exchangeId = name.split(' ')[0]!;
      const { gateway, exchange } = setup({ account: { exchangeId } });
      const ex = await exchange();
      const thrown = error();
      expect(thrown).toBeInstanceOf(InvalidOrder);
      ex.script('createOrder', thrown);
      const result = await gateway.placeOrder('acc1', limitBuy());
      expect(result.kind).toBe('unknown');
      expect(result.kind === 'unknown' && result.reason).toMatch(/^duplicate clientOrderId/);
    });

    const unknowns: [string, () => Error][] = [
      ['a timeout', () => new RequestTimeout('binance POST https://api.binance.com/api/v3/order request timed out (10000 ms)')],
      ['a connection loss', () => new NetworkError('binance POST https://api.binance.com/api/v3/order fetch failed: ECONNRESET')],
      ['a 503', () => ccxtErrorFor('binance', 503, 'Service Unavailable', { statusText: 'Service Unavailable' })],
      ['-1007 execution status unknown', () => ccxtErrorFor('binance', 500, '{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}')],
      ['a crash inside ccxt', () => new TypeError("Cannot read properties of undefined (reading 'toString')")],
    ];
    it.each(unknowns)('%s is unknown', async (_name, error) => {
      const { gateway, exchange } = setup();
      const ex = await exchange();
      ex.script('createOrder', error());
      expect((await gateway.placeOrder('acc1', limitBuy())).kind).toBe('unknown');
    });

    it('a 429 places nothing (the executor tries again) and puts the host in the penalty box for Retry-After: the next order waits, or is refused when that is too long', async () => {
      const { gateway, exchange, scheduler } = setup({ maxOrderWaitMs: 2000 });
      const ex = await exchange();
      ex.last_response_headers = { 'Retry-After': '5' };
      ex.script('createOrder', ccxtErrorFor('binance', 429, '{"code":-1003,"msg":"Too much request weight used"}', { statusText: 'Too Many Requests' }));
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'not_placed', code: 'RATE_LIMITED', retryAfterMs: 5000 });
      // the penalty applies to every account of the host
      gateway.registerAccount({ accountId: 'acc2', exchangeId: 'binance', marketType: 'spot' });
      const refused = await gateway.placeOrder('acc2', limitBuy());
      expect(refused).toMatchObject({ kind: 'not_placed', code: 'RATE_LIMITED' });
      expect(ex.callsOf('createOrder')).toHaveLength(1);
      await scheduler.advance(3500);
      const waiting = gateway.placeOrder('acc1', limitBuy());
      await flush();
      expect(ex.callsOf('createOrder')).toHaveLength(1);
      await scheduler.advance(1500);
      expect((await waiting).kind).toBe('accepted');
      expect(ex.callsOf('createOrder')).toHaveLength(2);
    });

    it('clock skew (-1021) resynchronises the clock and retries once', async () => {
      const { gateway, exchange } = setup();
      const ex = await exchange();
      ex.script('createOrder', ccxtErrorFor('binance', 400, `{"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server's time."}`));
      const result = await gateway.placeOrder('acc1', limitBuy());
      expect(result.kind).toBe('accepted');
      expect(ex.callsOf('loadTimeDifference')).toHaveLength(1);
      expect(ex.callsOf('createOrder')).toHaveLength(2);
      expect(ex.options.timeDifference).toBe(1500);
    });

    it('clock skew twice is a definitive CLOCK_SKEW refusal (nothing reached the engine)', async () => {
      const { gateway, exchange } = setup();
      const ex = await exchange();
      const skew = () => ccxtErrorFor('binance', 400, `{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}`);
      ex.script('createOrder', skew(), skew());
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'rejected', code: 'CLOCK_SKEW' });
      expect(ex.callsOf('createOrder')).toHaveLength(2);
    });

    it('refused credentials reject with AUTH and disable the account until forget()', async () => {
      const { gateway, exchange } = setup();
      const disabled: string[] = [];
      gateway.onAccountDisabled((id) => disabled.push(id));
      const ex = await exchange();
      ex.script('createOrder', ccxtErrorFor('binance', 401, '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}', { statusText: 'Unauthorized' }));
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'rejected', code: 'AUTH' });
      expect(disabled).toEqual(['acc1']);
      expect(gateway.disabledReason('acc1')).toContain('-2015');
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'rejected', code: 'AUTH' });
      await expect(gateway.fetchOrder('acc1', CID, 'BTC/USDT')).rejects.toMatchObject({ classification: { kind: 'auth' } });
      expect(ex.callsOf('createOrder')).toHaveLength(1);
      gateway.forget('acc1');
      expect(gateway.disabledReason('acc1')).toBeUndefined();
      expect((await gateway.placeOrder('acc1', limitBuy())).kind).toBe('accepted');
    });
  });
});
