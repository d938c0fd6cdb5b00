import { describe, expect, it } from 'vitest';
import { applyFillToBalances, splitSymbol } from './balances.js';
import { Dec, dec } from '../shared/decimal.js';

const show = (m: ReadonlyMap<string, Dec>) => Object.fromEntries([...m].map(([k, v]) => [k, v.toFixed()]));

describe('applyFillToBalances', () => {
  const start = new Map([['USDT', dec('1000')]]);

  it.each([
    { name: 'buy, fee in quote', side: 'buy', qty: '0.5', price: '100.1', fee: '0.05', feeCurrency: 'USDT', expected: { USDT: '949.9', BTC: '0.5' } },
    { name: 'buy, fee in base', side: 'buy', qty: '0.5', price: '100', fee: '0.0005', feeCurrency: 'BTC', expected: { USDT: '950', BTC: '0.4995' } },
    { name: 'sell, fee in quote', side: 'sell', qty: '0.25', price: '120', fee: '0.03', feeCurrency: 'USDT', expected: { USDT: '1029.97', BTC: '-0.25' } },
    { name: 'fee in a third asset', side: 'buy', qty: '1', price: '10', fee: '0.001', feeCurrency: 'BNB', expected: { USDT: '990', BTC: '1', BNB: '-0.001' } },
    { name: 'maker rebate (negative fee)', side: 'buy', qty: '1', price: '10', fee: '-0.01', feeCurrency: 'USDT', expected: { USDT: '990.01', BTC: '1' } },
  ] as const)('$name', ({ side, qty, price, fee, feeCurrency, expected }) => {
    const next = applyFillToBalances(start, { side, quantity: dec(qty), price: dec(price), fee: dec(fee), feeCurrency }, 'BTC', 'USDT');
    expect(show(next)).toEqual(expected);
    expect(show(start)).toEqual({ USDT: '1000' }); // input untouched
  });

  it('adds up exactly without binary float error', () => {
    let balances: Map<string, Dec> = new Map();
    for (let i = 0; i < 10; i += 1) {
      balances = applyFillToBalances(balances, { side: 'buy', quantity: dec('0.1'), price: dec('0.1'), fee: dec(0), feeCurrency: 'USDT' }, 'BTC', 'USDT');
    }
    expect(show(balances)).toEqual({ BTC: '1', USDT: '-0.1' });
  });
});

describe('splitSymbol', () => {
  it.each([
    ['BTC/USDT', { base: 'BTC', quote: 'USDT' }],
    ['BTC/USDT:USDT', { base: 'BTC', quote: 'USDT', settle: 'USDT' }],
    ['ETH/BTC', { base: 'ETH', quote: 'BTC' }],
  ])('%s', (symbol, expected) => {
    expect(splitSymbol(symbol)).toEqual(expected);
  });
  it.each(['BTCUSDT', 'BTC/', '/USDT', 'A/B/C', 'BTC/USDT:', 'BTC/USDT:USDT:X'])('throws on %s', (symbol) => {
    expect(() => splitSymbol(symbol)).toThrow(/not a unified symbol/);
  });
});
