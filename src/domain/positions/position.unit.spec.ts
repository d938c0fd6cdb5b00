import { describe, expect, it } from 'vitest';
import { FLAT, applyFill, positionNotional, unrealizedPnl, type Position } from './position.js';
import { Dec, decToString } from '../shared/decimal.js';

const d = (v: string) => new Dec(v);
const fill = (side: 'buy' | 'sell', quantity: string, price: string, fee = '0') => ({ side, quantity: d(quantity), price: d(price), fee: d(fee) });
const view = (p: Position) => ({ quantity: decToString(p.quantity), averageEntryPrice: decToString(p.averageEntryPrice), realizedPnl: decToString(p.realizedPnl), feesPaid: decToString(p.feesPaid) });
const given = (...fills: ReturnType<typeof fill>[]) => fills.reduce((p, f) => applyFill(p, f).position, FLAT);

describe('position (average cost)', () => {
  it('given two buys, then the entry is the quantity-weighted average and nothing is realised', () => {
    expect(view(given(fill('buy', '0.5', '100', '0.05'), fill('buy', '0.5', '110', '0.055')))).toEqual({ quantity: '1', averageEntryPrice: '105', realizedPnl: '0', feesPaid: '0.105' });
  });

  it('given a long, when partly sold, then PnL is realised on the sold part and the entry stays', () => {
    const p = given(fill('buy', '1', '100'));
    const { position, realizedPnl } = applyFill(p, fill('sell', '0.25', '120'));
    expect(decToString(realizedPnl)).toBe('5');
    expect(view(position)).toEqual({ quantity: '0.75', averageEntryPrice: '100', realizedPnl: '5', feesPaid: '0' });
  });

  it('given a long, when a larger sell crosses through zero, then the rest opens a short at the fill price', () => {
    expect(view(given(fill('buy', '1', '100'), fill('sell', '3', '90')))).toEqual({ quantity: '-2', averageEntryPrice: '90', realizedPnl: '-10', feesPaid: '0' });
  });

  it('given a short, when bought back lower, then the gain is realised', () => {
    expect(view(given(fill('sell', '2', '50'), fill('buy', '2', '40')))).toEqual({ quantity: '0', averageEntryPrice: '0', realizedPnl: '20', feesPaid: '0' });
  });

  it('decimal exactness: 0.1 + 0.2 style quantities do not drift', () => {
    const p = given(fill('buy', '0.1', '3'), fill('buy', '0.2', '3'), fill('sell', '0.3', '3'));
    expect(view(p)).toEqual({ quantity: '0', averageEntryPrice: '0', realizedPnl: '0', feesPaid: '0' });
  });

  it('unrealised PnL and notional at a mark price, for longs and shorts', () => {
    const long = given(fill('buy', '2', '100'));
    expect(decToString(unrealizedPnl(long, d('90')))).toBe('-20');
    const short = given(fill('sell', '2', '100'));
    expect(decToString(unrealizedPnl(short, d('90')))).toBe('20');
    expect(decToString(positionNotional(short, d('90')))).toBe('180');
    expect(decToString(unrealizedPnl(FLAT, d('90')))).toBe('0');
  });
});
