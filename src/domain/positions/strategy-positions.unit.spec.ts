import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EMPTY_BOOK, applyStrategyFill, holdersOf, strategyPosition, type StrategyPositionBook } from './strategy-positions.js';
import { FLAT, applyFill } from './position.js';
import { Dec, ZERO } from '../shared/decimal.js';

describe('strategy positions', () => {
  it('given fills of two strategies on one symbol, then each holds its own and the holders are listed by id', () => {
    let book: StrategyPositionBook = EMPTY_BOOK;
    book = applyStrategyFill(book, { strategyId: 'b', symbol: 'BTC/USDT', side: 'buy', quantity: new Dec('0.02') });
    book = applyStrategyFill(book, { strategyId: 'a', symbol: 'BTC/USDT', side: 'buy', quantity: new Dec('0.03') });
    book = applyStrategyFill(book, { strategyId: 'a', symbol: 'ETH/USDT', side: 'sell', quantity: new Dec('1') });
    expect(strategyPosition(book, 'a', 'BTC/USDT').toFixed()).toBe('0.03');
    expect(strategyPosition(book, 'b', 'BTC/USDT').toFixed()).toBe('0.02');
    expect(strategyPosition(book, 'a', 'ETH/USDT').toFixed()).toBe('-1');
    expect(strategyPosition(book, 'c', 'BTC/USDT').isZero()).toBe(true);
    expect(holdersOf(book, 'BTC/USDT').map((h) => [h.strategyId, h.quantity.toFixed()])).toEqual([['a', '0.03'], ['b', '0.02']]);
    const closed = applyStrategyFill(book, { strategyId: 'a', symbol: 'BTC/USDT', side: 'sell', quantity: new Dec('0.03') });
    expect(holdersOf(closed, 'BTC/USDT').map((h) => h.strategyId)).toEqual(['b']);
    expect(strategyPosition(book, 'a', 'BTC/USDT').toFixed()).toBe('0.03'); // immutable
  });

  it('property: the strategies\' positions always add up to the account position', () => {
    const fill = fc.record({
      strategyId: fc.constantFrom('s1', 's2', 's3'),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      quantity: fc.integer({ min: 1, max: 10_000 }).map((n) => new Dec(n).dividedBy(1000)),
    });
    fc.assert(fc.property(fc.array(fill, { maxLength: 60 }), (fills) => {
      let book: StrategyPositionBook = EMPTY_BOOK;
      let account = FLAT;
      for (const f of fills) {
        book = applyStrategyFill(book, { ...f, symbol: 'BTC/USDT' });
        account = applyFill(account, { side: f.side, quantity: f.quantity, price: new Dec(100), fee: ZERO }).position;
      }
      const sum = holdersOf(book, 'BTC/USDT').reduce((acc, h) => acc.plus(h.quantity), ZERO);
      expect(sum.equals(account.quantity)).toBe(true);
    }));
  });
});
