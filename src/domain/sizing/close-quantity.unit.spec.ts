import { describe, expect, it } from 'vitest';
import { closeQuantity } from './close-quantity.js';
import { Dec } from '../shared/decimal.js';

const close = (position: string, accountPosition: string, closeSide?: 'long' | 'short') =>
  closeQuantity({ symbol: 'BTC/USDT', position: new Dec(position), accountPosition: new Dec(accountPosition), ...(closeSide ? { closeSide } : {}) });

describe('closeQuantity', () => {
  it.each([
    { name: 'close a long', pos: '0.5', acc: '0.5', side: undefined, out: ['sell', '0.5'] },
    { name: 'close a short', pos: '-0.5', acc: '-0.5', side: undefined, out: ['buy', '0.5'] },
    { name: 'exit_long of a long', pos: '0.5', acc: '0.8', side: 'long' as const, out: ['sell', '0.5'] },
    { name: 'exit_short of a short', pos: '-0.2', acc: '-0.3', side: 'short' as const, out: ['buy', '0.2'] },
    { name: 'capped at what the account holds on that side', pos: '0.5', acc: '0.3', side: undefined, out: ['sell', '0.3'] },
  ])('$name', ({ pos, acc, side, out }) => {
    const result = close(pos, acc, side);
    expect(result.ok && [result.value.side, result.value.quantity.toFixed()]).toEqual(out);
  });

  it.each([
    { pos: '0', acc: '0', side: undefined, code: 'NOTHING_TO_CLOSE' },
    { pos: '0', acc: '0.4', side: undefined, code: 'NOTHING_TO_CLOSE' },
    { pos: '0.4', acc: '-0.1', side: undefined, code: 'NOTHING_TO_CLOSE' },
    { pos: '0', acc: '0', side: 'long' as const, code: 'NO_LONG_TO_CLOSE' },
    { pos: '-0.1', acc: '-0.1', side: 'long' as const, code: 'NO_LONG_TO_CLOSE' },
    { pos: '0', acc: '0', side: 'short' as const, code: 'NO_SHORT_TO_CLOSE' },
    { pos: '0.1', acc: '0.1', side: 'short' as const, code: 'NO_SHORT_TO_CLOSE' },
  ])('position $pos (account $acc), close side $side: $code', ({ pos, acc, side, code }) => {
    expect(close(pos, acc, side)).toMatchObject({ ok: false, error: { code } });
  });
});
