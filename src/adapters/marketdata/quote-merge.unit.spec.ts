import { describe, expect, it } from 'vitest';
import { compareSeq, confirms, mergeObservation, quotePrice, type HeldQuote, type Observation } from './quote-merge.js';

const A = 'binance:spot:ws-a';
const B = 'binance:spot:ws-b';
const REST = 'binance:spot:rest';

function book(source: string, bid: string, ask: string, seq?: string, exchangeTime?: number, receivedAt = 1): Observation {
  return { symbol: 'BTC/USDT', kind: 'book', source, receivedAt, bid, ask, ...(seq !== undefined ? { seq } : {}), ...(exchangeTime !== undefined ? { exchangeTime } : {}) };
}

function trade(source: string, last: string, seq: string | undefined, exchangeTime: number, receivedAt = 1): Observation {
  return { symbol: 'BTC/USDT', kind: 'trade', source, receivedAt, last, exchangeTime, ...(seq !== undefined ? { seq } : {}) };
}

/** Folds observations, returning the sources of the accepted ones and the final state. */
function fold(observations: readonly Observation[]): { accepted: string[]; held: HeldQuote | undefined } {
  let held: HeldQuote | undefined;
  const accepted: string[] = [];
  for (const obs of observations) {
    const next = mergeObservation(held, obs);
    if (next !== undefined) {
      held = next;
      accepted.push(`${obs.source}#${obs.seq ?? obs.exchangeTime ?? '-'}`);
    }
  }
  return { accepted, held };
}

describe('confirms', () => {
  it('an unchanged, not older update confirms the held quote is current; a changed or older one does not', () => {
    const held = mergeObservation(undefined, book(A, '100', '101', undefined, 10))!;
    expect(confirms(held, book(B, '100', '101', undefined, 12, 9))).toBe(true);
    expect(confirms(held, book(B, '100', '101', undefined, 10, 9))).toBe(true);
    expect(confirms(held, book(B, '100', '101', undefined, 9, 9))).toBe(false);
    expect(confirms(held, book(B, '100', '102', undefined, 12, 9))).toBe(false);
  });
});

describe('mergeObservation', () => {
  it('takes the first of two identical book updates (same update id) and drops the copy from the other connection', () => {
    const { accepted, held } = fold([book(A, '100', '101', '7'), book(B, '100', '101', '7'), book(B, '100.5', '101', '8'), book(A, '100.5', '101', '8')]);
    expect(accepted).toEqual([`${A}#7`, `${B}#8`]);
    expect(held?.quote).toEqual({ symbol: 'BTC/USDT', price: '100.75', bid: '100.5', ask: '101', source: B, receivedAt: 1 });
  });

  it('never goes back: an older update id, or an older exchange time, is dropped', () => {
    expect(fold([book(A, '100', '101', '9'), book(B, '99', '100', '8')]).accepted).toEqual([`${A}#9`]);
    expect(fold([trade(A, '100', '5', 2000), trade(B, '99', '6', 1999)]).accepted).toEqual([`${A}#5`]);
  });

  it('compares trade ids when trades share a millisecond; an equal id from the other connection is a duplicate', () => {
    const { accepted, held } = fold([trade(A, '100', '5', 2000), trade(B, '100', '5', 2000), trade(B, '100.1', '6', 2000), trade(A, '100.1', '6', 2000)]);
    expect(accepted).toEqual([`${A}#5`, `${B}#6`]);
    expect(held?.last).toBe('100.1');
  });

  it('with equal exchange times and no ids, only the same connection may change the content', () => {
    const timed = (source: string, bid: string): Observation => ({ symbol: 'BTC/USDT', kind: 'book', source, receivedAt: 1, bid, ask: '200', exchangeTime: 5 });
    expect(fold([timed(A, '100'), timed(B, '101'), timed(A, '102'), timed(A, '102')]).accepted).toEqual([`${A}#5`, `${A}#5`]);
  });

  it('without times or ids, an update equal to the held one is dropped', () => {
    expect(fold([book(A, '100', '101'), book(B, '100', '101'), book(B, '100', '102')]).accepted).toEqual([`${A}#-`, `${B}#-`]);
  });

  it('a REST snapshot counts when newer than everything held (it refreshes receivedAt even with the same prices)', () => {
    const snap = (t: number, receivedAt: number): Observation => ({ symbol: 'BTC/USDT', kind: 'snapshot', source: REST, receivedAt, bid: '100', ask: '101', last: '100.5', exchangeTime: t });
    const { accepted, held } = fold([trade(A, '100.5', '5', 1000), snap(900, 2), snap(1500, 3), snap(1500, 4), snap(2500, 5)]);
    expect(accepted).toEqual([`${A}#5`, `${REST}#1500`, `${REST}#2500`]);
    expect(held?.quote).toMatchObject({ source: REST, receivedAt: 5, price: '100.5', exchangeTime: 2500 });
  });

  it('a book update after a trade keeps the trade as price while it lies within bid and ask', () => {
    const { held } = fold([trade(A, '100.2', '1', 1000), book(A, '100', '101', '3')]);
    expect(held?.quote.price).toBe('100.2');
    const moved = fold([trade(A, '100.2', '1', 1000), book(A, '140', '141', '3')]).held;
    expect(moved?.quote.price).toBe('140.5');
  });

  it('ignores an observation without any price', () => {
    expect(mergeObservation(undefined, { symbol: 'X/Y', kind: 'book', source: A, receivedAt: 1 })).toBeUndefined();
  });
});

describe('compareSeq and quotePrice', () => {
  it('orders integer keys of any length, not others', () => {
    expect(compareSeq('10', '9')).toBe(1);
    expect(compareSeq('123456789012345678901', '123456789012345678902')).toBe(-1);
    expect(compareSeq('007', '7')).toBe(0);
    expect(compareSeq('abc', 'abd')).toBeUndefined();
    expect(compareSeq('abc', 'abc')).toBe(0);
  });

  it('uses the last trade within the spread, else the mid, else whichever side is known', () => {
    expect(quotePrice('1', '3', '2.5')).toBe('2.5');
    expect(quotePrice('1', '3', '4')).toBe('2');
    expect(quotePrice(undefined, '3', undefined)).toBe('3');
    expect(quotePrice(undefined, undefined, '7')).toBe('7');
  });
});
