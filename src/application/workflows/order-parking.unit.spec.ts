import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../domain/events.js';
import { Dec } from '../../domain/shared/decimal.js';
import { ParkingLot } from './order-parking.js';

const limit = (id: string, symbol: string, price: string): OrderIntent => ({
  clientOrderId: id, accountId: 'a1', strategyId: 's', signalId: id, symbol, side: 'buy', type: 'limit', quantity: '1', limitPrice: price, referencePrice: price, reduceOnly: false,
});

describe('ParkingLot', () => {
  it('counts open orders per account; closing an order frees a place once', () => {
    const lot = new ParkingLot();
    lot.markOpen('a1', 'x');
    lot.markOpen('a1', 'y');
    lot.markOpen('a1', 'x');
    lot.markOpen('a2', 'z');
    expect(lot.openCount('a1')).toBe(2);
    expect(lot.markClosed('a1', 'x')).toBe(true);
    expect(lot.markClosed('a1', 'x')).toBe(false);
    expect(lot.openCount('a1')).toBe(1);
    expect(lot.openCount('a2')).toBe(1);
  });

  it('releases the parked order nearest to the market first (relative distance, across symbols)', () => {
    const lot = new ParkingLot();
    lot.park(limit('far-btc', 'BTC/USDT', '90000')); // 7.2 % below 97,000
    lot.park(limit('near-eth', 'ETH/USDT', '3350')); // 1.5 % below 3,400
    lot.park(limit('near-btc', 'BTC/USDT', '96000')); // 1.0 % below
    const marks: Record<string, Dec> = { 'BTC/USDT': new Dec('97000'), 'ETH/USDT': new Dec('3400') };
    const order: string[] = [];
    for (let next = lot.nextToRelease('a1', (s) => marks[s]); next; next = lot.nextToRelease('a1', (s) => marks[s])) {
      order.push(next.clientOrderId);
      lot.unpark('a1', next.clientOrderId);
    }
    expect(order).toEqual(['near-btc', 'near-eth', 'far-btc']);
  });

  it('without a mark price, releases the oldest first; forget drops an account', () => {
    const lot = new ParkingLot();
    lot.park(limit('first', 'BTC/USDT', '1'));
    lot.park(limit('second', 'BTC/USDT', '2'));
    expect(lot.nextToRelease('a1', () => undefined)?.clientOrderId).toBe('first');
    lot.markOpen('a1', 'o');
    lot.forget('a1');
    expect(lot.parkedCount('a1')).toBe(0);
    expect(lot.openCount('a1')).toBe(0);
    expect(lot.nextToRelease('a1', () => undefined)).toBeUndefined();
  });
});
