import { describe, expect, it } from 'vitest';
import { Dec } from '../../../domain/shared/decimal.js';
import type { CcxtTradeLike } from './ccxt-types.js';
import { attributeTrades, type LostOrder } from './trade-attribution.js';

const trade = (id: string, order: string | undefined, amount: string, over: Partial<CcxtTradeLike> = {}): CcxtTradeLike => ({ id, order, amount, price: '97000', side: 'buy', ...over });
const lost: LostOrder = { side: 'buy', type: 'market', amount: new Dec('0.002') };

describe('attributeTrades: which fills since the send could be a lost order\'s', () => {
  it('one unnamed order whose fills add up to exactly what was sent is the lost order', () => {
    const verdict = attributeTrades([trade('t1', 'E1', '0.001'), trade('t2', 'E1', '0.001'), trade('t3', 'E0', '0.002')], new Set(['E0']), lost);
    expect(verdict).toMatchObject({ kind: 'one', exchangeOrderId: 'E1' });
  });

  it('fills of orders other sources name, on the other side, beyond the limit or above the amount are not it', () => {
    const limit: LostOrder = { side: 'buy', type: 'limit', amount: new Dec('0.002'), limitPrice: new Dec('96000') };
    const trades = [trade('t1', 'E0', '0.002'), trade('t2', 'E2', '0.002', { side: 'sell' }), trade('t3', 'E3', '0.002'), trade('t4', 'E4', '0.003', { price: '95000' })];
    expect(attributeTrades(trades, new Set(['E0']), limit)).toEqual({ kind: 'none' });
  });

  it('two candidates, a partial fill, or a fill without an order id: absence cannot be concluded, nothing adopted', () => {
    expect(attributeTrades([trade('t1', 'E1', '0.002'), trade('t2', 'E2', '0.002')], new Set(), lost)).toMatchObject({ kind: 'ambiguous', candidates: ['E1', 'E2'] });
    expect(attributeTrades([trade('t1', 'E1', '0.001')], new Set(), lost)).toMatchObject({ kind: 'ambiguous', candidates: ['E1'] });
    expect(attributeTrades([trade('t1', undefined, '0.001')], new Set(), lost)).toMatchObject({ kind: 'ambiguous' });
  });

  it('no trades: none', () => {
    expect(attributeTrades([], new Set(), lost)).toEqual({ kind: 'none' });
  });
});
