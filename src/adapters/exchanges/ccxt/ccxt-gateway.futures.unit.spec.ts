/**
 * The gateway sets a swap account's leverage and margin mode before its order (issue 17,
 * ADR-0024): only on swap accounts with settings, once per (account, symbol) until they change,
 * again after `forget`; "already set" counts as set; any failure sends no order and answers a
 * definite rejection with the exchange's reason.
 */
import { MarginModeAlreadySet, NetworkError, BadRequest } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { CID, marketSell, setup } from './test-support/gateway-harness.js';
import { SWAP_MARKETS } from './test-support/fake-exchange.js';
import type { WantedFuturesSettings } from './futures-setup.js';

function swapGateway(initial: WantedFuturesSettings | null = { leverage: 5, marginMode: 'isolated' }) {
  let wanted: WantedFuturesSettings | undefined = initial ?? undefined;
  const asked: [string, string][] = [];
  const harness = setup({
    markets: SWAP_MARKETS,
    account: { marketType: 'swap', exchangeId: 'okx' },
    futuresSettings: (accountId, symbol) => {
      asked.push([accountId, symbol]);
      return wanted;
    },
  });
  const want = (next: WantedFuturesSettings | undefined): void => {
    wanted = next;
  };
  return { ...harness, asked, want };
}

const order = (id = CID) => marketSell({ clientOrderId: id, quantity: '0.02' });
const methods = (calls: readonly { method: string }[]) => calls.map((c) => c.method).filter((m) => m !== 'setMarkets');

describe('ccxt gateway: futures settings before the order', () => {
  it('sets margin mode, then leverage, on the venue symbol before the first order; not again while unchanged', async () => {
    const g = swapGateway();
    const fake = await g.exchange();
    expect((await g.gateway.placeOrder('acc1', order())).kind).toBe('accepted');
    expect(methods(fake.calls)).toEqual(['setMarginMode', 'setLeverage', 'createOrder']);
    expect(fake.callsOf('setMarginMode')[0]).toEqual(['isolated', 'BTC/USDT:USDT']);
    expect(fake.callsOf('setLeverage')[0]).toEqual([5, 'BTC/USDT:USDT']);
    expect(g.asked[0]).toEqual(['acc1', 'BTC/USDT']);
    fake.calls.length = 0;
    await g.gateway.placeOrder('acc1', order('1'.repeat(32)));
    expect(methods(fake.calls)).toEqual(['createOrder']);
  });

  it('a change is set before the next order; forget sets them again', async () => {
    const g = swapGateway();
    const fake = await g.exchange();
    await g.gateway.placeOrder('acc1', order());
    g.want({ leverage: 2, marginMode: 'isolated' });
    fake.calls.length = 0;
    await g.gateway.placeOrder('acc1', order('2'.repeat(32)));
    expect(methods(fake.calls)).toEqual(['setMarginMode', 'setLeverage', 'createOrder']);
    expect(fake.callsOf('setLeverage')[0]).toEqual([2, 'BTC/USDT:USDT']);
    g.gateway.forget('acc1');
    const again = await g.exchange();
    await g.gateway.placeOrder('acc1', order('3'.repeat(32)));
    expect(methods(again.calls)).toEqual(['setMarginMode', 'setLeverage', 'createOrder']);
  });

  it('"already in that margin mode" counts as set', async () => {
    const g = swapGateway();
    const fake = await g.exchange();
    fake.script('setMarginMode', new MarginModeAlreadySet('binance {"code":-4046,"msg":"No need to change margin type."}'));
    expect((await g.gateway.placeOrder('acc1', order())).kind).toBe('accepted');
    expect(methods(fake.calls)).toEqual(['setMarginMode', 'setLeverage', 'createOrder']);
  });

  it('a refusal sends no order: rejected FUTURES_SETTINGS_REFUSED with the reason, and it is tried again next time', async () => {
    const g = swapGateway();
    const fake = await g.exchange();
    fake.script('setLeverage', new BadRequest('binance {"code":-4028,"msg":"Leverage 5 is not valid"}'));
    const result = await g.gateway.placeOrder('acc1', order());
    expect(result).toMatchObject({ kind: 'rejected', code: 'FUTURES_SETTINGS_REFUSED' });
    expect(result.kind === 'rejected' && result.reason).toContain('Leverage 5 is not valid');
    expect(fake.callsOf('createOrder')).toEqual([]);
    fake.calls.length = 0;
    expect((await g.gateway.placeOrder('acc1', order('4'.repeat(32)))).kind).toBe('accepted');
    expect(methods(fake.calls)).toEqual(['setMarginMode', 'setLeverage', 'createOrder']);
  });

  it('a network failure sends no order and is no unknown outcome: not placed, FUTURES_SETTINGS_UNAVAILABLE (the executor tries again)', async () => {
    const g = swapGateway();
    const fake = await g.exchange();
    fake.script('setMarginMode', new NetworkError('socket hang up'));
    const result = await g.gateway.placeOrder('acc1', order());
    expect(result).toMatchObject({ kind: 'not_placed', code: 'FUTURES_SETTINGS_UNAVAILABLE' });
    expect(fake.callsOf('setLeverage')).toEqual([]);
    expect(fake.callsOf('createOrder')).toEqual([]);
  });

  it('a reduce-only order (an exit, a stop) never waits on them: it goes even while the exchange refuses the settings', async () => {
    const g = swapGateway();
    const fake = await g.exchange();
    fake.script('setMarginMode', new BadRequest('binance {"code":-4048,"msg":"Margin type cannot be changed if there exists position."}'));
    expect((await g.gateway.placeOrder('acc1', { ...order(), reduceOnly: true })).kind).toBe('accepted');
    expect(methods(fake.calls)).toEqual(['createOrder']);
    // the next entry still sets them first (the refusal was never consumed by the exit)
    const refused = await g.gateway.placeOrder('acc1', order('5'.repeat(32)));
    expect(refused).toMatchObject({ kind: 'rejected', code: 'FUTURES_SETTINGS_REFUSED' });
  });

  it('spot accounts and swap accounts without settings set nothing', async () => {
    const none = swapGateway(null);
    const fake = await none.exchange();
    await none.gateway.placeOrder('acc1', order());
    expect(methods(fake.calls)).toEqual(['createOrder']);
    let asked = 0;
    const spot = setup({ futuresSettings: () => ((asked += 1), { leverage: 3, marginMode: 'cross' }) });
    const spotFake = await spot.exchange();
    await spot.gateway.placeOrder('acc1', marketSell());
    expect(methods(spotFake.calls)).toEqual(['createOrder']);
    expect(asked).toBe(0);
  });
});
