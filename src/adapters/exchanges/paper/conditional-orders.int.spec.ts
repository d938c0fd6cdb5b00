import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExchangeOrder, PlaceOrderRequest, PlaceOrderResult } from '../../../application/ports/exchange.js';
import { SyntheticPriceFeed } from '../../marketdata/synthetic-price-feed.js';
import Database from 'better-sqlite3';
import { PaperExchange } from './paper-exchange.js';

/** Stop and take-profit orders on the paper exchange (issue 17): they wait for their trigger price, then execute. */
const T0 = Date.parse('2025-03-01T12:00:00.000Z');
const clock = { now: () => T0 };
let dir: string;
let feed: SyntheticPriceFeed;
let ex: PaperExchange;
let counter = 0;
const cid = (): string => String(++counter).padStart(32, '0');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'patriot-paper-stops-'));
  feed = new SyntheticPriceFeed({ clock, seed: 9 });
  feed.setPrice('BTC/USDT', '97000');
  ex = new PaperExchange({ path: join(dir, 'paper.db'), feed, clock, seed: 1, partialFills: false });
  ex.openAccount('a', [{ asset: 'USDT', amount: '100000' }, { asset: 'BTC', amount: '1' }]);
});
afterEach(() => {
  ex.close();
  rmSync(dir, { recursive: true, force: true });
});

const order = (over: Partial<PlaceOrderRequest>): PlaceOrderRequest => ({ clientOrderId: cid(), symbol: 'BTC/USDT', side: 'sell', type: 'stop_market', quantity: '0.1', ...over });
function accepted(result: PlaceOrderResult): ExchangeOrder {
  if (result.kind !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(result)}`);
  return result.order;
}
async function tick(price: string): Promise<void> {
  feed.setPrice('BTC/USDT', price);
  await ex.settle();
}

describe('PaperExchange: stop and take-profit orders', () => {
  it('a sell stop-market waits open above its stop without holding the base, and sells at market once the price falls to it', async () => {
    const placed = accepted(await ex.placeOrder('a', order({ stopPrice: '95000' })));
    expect(placed).toMatchObject({ type: 'stop_market', stopPrice: '95000', status: 'open', filledQuantity: '0' });
    expect((await ex.fetchBalances('a')).find((b) => b.asset === 'BTC')).toMatchObject({ total: '1', available: '1' });
    await tick('96000');
    expect((await ex.fetchOrder('a', placed.clientOrderId))?.status).toBe('open');
    await tick('94990');
    const done = await ex.fetchOrder('a', placed.clientOrderId);
    expect(done).toMatchObject({ status: 'filled', filledQuantity: '0.1', type: 'stop_market' });
    expect(done?.fills[0]?.liquidity).toBe('taker');
  });

  it('a buy stop-limit triggers when the price rises to its stop, then rests at its limit and fills when crossed', async () => {
    const placed = accepted(await ex.placeOrder('a', order({ side: 'buy', type: 'stop_limit', stopPrice: '98000', limitPrice: '98100' })));
    await tick('98050'); // triggered: now a limit buy at 98100, marketable at 98050
    const after = await ex.fetchOrder('a', placed.clientOrderId);
    expect(after).toMatchObject({ type: 'stop_limit', stopPrice: '98000', limitPrice: '98100', status: 'filled' });
  });

  it('a triggered stop-limit that rests until a later tick releases its hold when it fills (the hold is written with the order)', async () => {
    const placed = accepted(await ex.placeOrder('a', order({ type: 'stop_limit', stopPrice: '95000', limitPrice: '94500', quantity: '0.4' })));
    await tick('94000'); // triggered under its limit: rests, holding 0.4 BTC
    expect((await ex.fetchBalances('a')).find((b) => b.asset === 'BTC')).toMatchObject({ total: '1', available: '0.6' });
    await tick('94600');
    expect((await ex.fetchOrder('a', placed.clientOrderId))?.status).toBe('filled');
    expect((await ex.fetchBalances('a')).find((b) => b.asset === 'BTC')).toMatchObject({ total: '0.6', available: '0.6' });
  });

  it('a take-profit sell triggers when the price rises to it; a take-profit buy when it falls', async () => {
    const sell = accepted(await ex.placeOrder('a', order({ type: 'take_profit', stopPrice: '99000' })));
    const buy = accepted(await ex.placeOrder('a', order({ side: 'buy', type: 'take_profit_limit', stopPrice: '96000', limitPrice: '96000' })));
    await tick('99500');
    expect((await ex.fetchOrder('a', sell.clientOrderId))?.status).toBe('filled');
    expect((await ex.fetchOrder('a', buy.clientOrderId))?.status).toBe('open');
    await tick('95900');
    expect((await ex.fetchOrder('a', buy.clientOrderId))?.status).toBe('filled');
  });

  it('refuses a trigger the market already passed (WOULD_TRIGGER_IMMEDIATELY), a missing stop, and a stop off the tick', async () => {
    expect(await ex.placeOrder('a', order({ stopPrice: '98000' }))).toMatchObject({ kind: 'rejected', code: 'WOULD_TRIGGER_IMMEDIATELY' });
    expect(await ex.placeOrder('a', order({}))).toMatchObject({ kind: 'rejected', code: 'INVALID_ORDER' });
    expect(await ex.placeOrder('a', order({ stopPrice: '95000.001' }))).toMatchObject({ kind: 'rejected', code: 'PRICE_FILTER' });
  });

  it('a waiting stop can be cancelled: its funds are released and a later price does nothing', async () => {
    const placed = accepted(await ex.placeOrder('a', order({ stopPrice: '95000' })));
    expect((await ex.cancelOrder('a', placed.clientOrderId))?.status).toBe('cancelled');
    expect((await ex.fetchBalances('a')).find((b) => b.asset === 'BTC')).toMatchObject({ total: '1', available: '1' });
    await tick('90000');
    expect((await ex.fetchOrder('a', placed.clientOrderId))?.status).toBe('cancelled');
  });

  it('a triggered stop whose base is held by a limit order expires (nothing oversold); a stop beside a take-profit limit is accepted', async () => {
    const tp = accepted(await ex.placeOrder('a', order({ type: 'limit', limitPrice: '99000', quantity: '1' })));
    const stop = accepted(await ex.placeOrder('a', order({ stopPrice: '95000', quantity: '1' })));
    await tick('94000');
    expect((await ex.fetchOrder('a', stop.clientOrderId))?.status).toBe('expired');
    expect((await ex.fetchOrder('a', tp.clientOrderId))?.status).toBe('open');
    expect((await ex.fetchBalances('a')).find((b) => b.asset === 'BTC')).toMatchObject({ total: '1' });
  });

  it('a trailing sell stop follows the highest price at its distance and triggers when the price falls back through it', async () => {
    const placed = accepted(await ex.placeOrder('a', order({ stopPrice: '96030', trailingPercent: '1' })));
    expect(placed).toMatchObject({ type: 'stop_market', stopPrice: '96030', trailingPercent: '1', status: 'open' });
    await tick('100000');
    expect((await ex.fetchOrder('a', placed.clientOrderId))?.stopPrice).toBe('99000'); // its current trigger
    await tick('99500'); // a smaller rise does not move it back
    expect(await ex.fetchOrder('a', placed.clientOrderId)).toMatchObject({ stopPrice: '99000', status: 'open' });
    await tick('98900');
    expect((await ex.fetchOrder('a', placed.clientOrderId))?.status).toBe('filled');
  });

  it('a trailing sell stop by price distance follows the highest price 500 below it (issue 17)', async () => {
    const placed = accepted(await ex.placeOrder('a', order({ stopPrice: '96500', trailingDistance: '500' })));
    expect(placed).toMatchObject({ type: 'stop_market', stopPrice: '96500', trailingDistance: '500', status: 'open' });
    expect(placed).not.toHaveProperty('trailingPercent');
    await tick('100000');
    expect((await ex.fetchOrder('a', placed.clientOrderId))?.stopPrice).toBe('99500');
    await tick('99600'); // no move back
    expect(await ex.fetchOrder('a', placed.clientOrderId)).toMatchObject({ stopPrice: '99500', status: 'open' });
    await tick('99400');
    expect((await ex.fetchOrder('a', placed.clientOrderId))?.status).toBe('filled');
  });

  it('a trailing distance of zero, off the tick, or given with a percent is refused', async () => {
    for (const bad of [{ trailingDistance: '0' }, { trailingDistance: '0.001' }, { trailingDistance: '500', trailingPercent: '1' }]) {
      expect(await ex.placeOrder('a', order({ stopPrice: '96500', ...bad }))).toMatchObject({ kind: 'rejected', code: 'INVALID_ORDER' });
    }
  });

  it('a trailing distance of 0 or of 100 % or more is refused', async () => {
    expect(await ex.placeOrder('a', order({ stopPrice: '96030', trailingPercent: '0' }))).toMatchObject({ kind: 'rejected', code: 'INVALID_ORDER' });
    expect(await ex.placeOrder('a', order({ stopPrice: '96030', trailingPercent: '100' }))).toMatchObject({ kind: 'rejected', code: 'INVALID_ORDER' });
  });

  it('a file from before trailing by distance gets the column on opening; its percent trailing stops keep trailing', async () => {
    const before = accepted(await ex.placeOrder('a', order({ stopPrice: '96030', trailingPercent: '1' })));
    ex.close();
    const db = new Database(join(dir, 'paper.db'));
    db.exec('ALTER TABLE paper_trailing DROP COLUMN distance');
    db.close();
    ex = new PaperExchange({ path: join(dir, 'paper.db'), feed, clock, seed: 1, partialFills: false });
    expect(await ex.fetchOrder('a', before.clientOrderId)).toMatchObject({ trailingPercent: '1', status: 'open' });
    const byDistance = accepted(await ex.placeOrder('a', order({ stopPrice: '96500', trailingDistance: '500' })));
    await tick('100000');
    expect((await ex.fetchOrder('a', before.clientOrderId))?.stopPrice).toBe('99000');
    expect((await ex.fetchOrder('a', byDistance.clientOrderId))?.stopPrice).toBe('99500');
  });

  it('a stop survives a restart of the exchange on the same file', async () => {
    const placed = accepted(await ex.placeOrder('a', order({ stopPrice: '95000' })));
    ex.close();
    ex = new PaperExchange({ path: join(dir, 'paper.db'), feed, clock, seed: 1, partialFills: false });
    expect(await ex.fetchOrder('a', placed.clientOrderId)).toMatchObject({ type: 'stop_market', stopPrice: '95000', status: 'open' });
    await tick('94000');
    expect((await ex.fetchOrder('a', placed.clientOrderId))?.status).toBe('filled');
  });
});
