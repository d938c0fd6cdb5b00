import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sizeOrder, type MarketRules } from './size-order.js';
import type { NormalizedSignal } from '../signals/signal.js';
import type { SizingRule } from '../strategies/strategy.js';
import { validateStrategyConfig } from '../strategies/validate-config.js';
import { Dec, dec } from '../shared/decimal.js';

const market: MarketRules = { symbol: 'BTC/USDT', tickSize: '0.01', stepSize: '0.001', minQty: '0.001', maxQty: '100', minNotional: '10' };
const signal = (over: Partial<NormalizedSignal> = {}): NormalizedSignal => ({ action: 'buy', ticker: 'BINANCE:BTCUSDT', symbol: 'BTC/USDT', ...over });
const basis = { equity: dec('20000'), availableQuote: dec('8000') };
const size = (sizing: SizingRule, over: Partial<NormalizedSignal> = {}, position = '0', price = '100') =>
  sizeOrder({ signal: signal(over), sizing, referencePrice: dec(price), market, position: dec(position), basis });
const shown = (r: ReturnType<typeof sizeOrder>) => (r.ok ? [r.value.side, r.value.quantity.toFixed(), r.value.reduceOnly] : r.error.code);

describe('sizing modes', () => {
  it.each([
    { name: '% of equity: 10 % of 20,000 at 100 = 20', sizing: { kind: 'percent_of_equity', percent: '10' }, over: {}, out: ['buy', '20', false] },
    { name: "% of equity: the alert's 25 % replaces the configured percent", sizing: { kind: 'percent_of_equity', percent: '10' }, over: { quantityPercent: '25' }, out: ['buy', '50', false] },
    { name: '% of balance: 50 % of 8,000 at 100 = 40', sizing: { kind: 'percent_of_balance', percent: '50' }, over: { action: 'sell' as const }, out: ['sell', '40', false] },
    { name: "risk: 1 % of 20,000 to the alert's stop 95 = 200 / 5 = 40", sizing: { kind: 'risk', riskPercent: '1' }, over: { stopLossPrice: '95' }, out: ['buy', '40', false] },
    { name: 'risk: the default stop 2 % below 100 = 200 / 2 = 100', sizing: { kind: 'risk', riskPercent: '1', stopPercent: '2' }, over: {}, out: ['buy', '100', false] },
    { name: "risk: the alert's bracket stop 4 % from 100 comes before the strategy's 2 % = 200 / 4 = 50", sizing: { kind: 'risk', riskPercent: '1', stopPercent: '2' }, over: { bracket: { takeProfits: [], stopLoss: { percent: '4' }, breakEven: false } }, out: ['buy', '50', false] },
    { name: 'risk on a sell: the stop above', sizing: { kind: 'risk', riskPercent: '0.5', stopPercent: '50' }, over: { action: 'sell' as const, stopLossPrice: '110' }, out: ['sell', '10', false] },
    { name: 'fixed quantity × the alert percent', sizing: { kind: 'fixed_quantity', quantity: '2' }, over: { quantityPercent: '25' }, out: ['buy', '0.5', false] },
    { name: 'quote amount × the alert percent', sizing: { kind: 'quote_amount', amount: '1000' }, over: { quantityPercent: '50' }, out: ['buy', '5', false] },
  ] as const)('$name', ({ sizing, over, out }) => {
    expect(shown(size(sizing as SizingRule, over))).toEqual(out);
  });

  it.each([
    { name: 'stop on the wrong side of a buy', sizing: { kind: 'risk', riskPercent: '1' }, over: { stopLossPrice: '105' }, code: 'STOP_WRONG_SIDE' },
    { name: 'stop at the price', sizing: { kind: 'risk', riskPercent: '1' }, over: { stopLossPrice: '100' }, code: 'STOP_WRONG_SIDE' },
    { name: 'risk without any stop', sizing: { kind: 'risk', riskPercent: '1' }, over: {}, code: 'MISSING_STOP' },
    { name: 'a percent of the alert with signal_quantity', sizing: { kind: 'signal_quantity', multiplier: '1' }, over: { quantityPercent: '10' }, code: 'PERCENT_NOT_APPLICABLE' },
    { name: 'a percent of the alert with target_position', sizing: { kind: 'target_position', multiplier: '1' }, over: { quantityPercent: '10', targetPosition: '1' }, code: 'PERCENT_NOT_APPLICABLE' },
    { name: 'a tiny percent rounds to zero at the step', sizing: { kind: 'percent_of_equity', percent: '0.0001' }, over: {}, code: 'BELOW_MIN_QUANTITY' },
  ] as const)('$name: $code', ({ sizing, over, code }) => {
    expect(shown(size(sizing as SizingRule, over))).toBe(code);
  });

  it('percent of equity with no equity, or no balances known, sends nothing', () => {
    expect(shown(sizeOrder({ signal: signal(), sizing: { kind: 'percent_of_equity', percent: '10' }, referencePrice: dec('100'), market, position: dec(0), basis: { equity: dec(0), availableQuote: dec(0) } }))).toBe('NO_EQUITY');
    expect(shown(sizeOrder({ signal: signal(), sizing: { kind: 'percent_of_balance', percent: '10' }, referencePrice: dec('100'), market, position: dec(0) }))).toBe('NO_BALANCES');
  });

  it('% of position: exits only; a close with "qty": "50%" closes half (rounded down to the step), reduce-only', () => {
    const exit = { kind: 'percent_of_position', percent: '25' } as const;
    expect(shown(size(exit, { action: 'sell' }, '2'))).toEqual(['sell', '0.5', true]);
    expect(shown(size(exit, { action: 'buy' }, '-2'))).toEqual(['buy', '0.5', true]);
    expect(shown(size(exit, { action: 'buy' }, '2'))).toBe('NOT_AN_EXIT');
    expect(shown(size(exit, { action: 'sell' }, '0'))).toBe('NOTHING_TO_CLOSE');
    expect(shown(size(exit, { action: 'close' }, '2'))).toEqual(['sell', '0.5', true]);
    expect(shown(size({ kind: 'fixed_quantity', quantity: '1' }, { action: 'close', quantityPercent: '50' }, '0.0035'))).toEqual(['sell', '0.001', true]); // 0.00175 -> step
    expect(shown(size({ kind: 'fixed_quantity', quantity: '1' }, { action: 'close', quantityPercent: '50' }, '0.0015'))).toBe('BELOW_MIN_QUANTITY'); // 0.00075 rounds to 0
    expect(shown(size({ kind: 'fixed_quantity', quantity: '1' }, { action: 'close', quantityPercent: '50', closeSide: 'short' }, '1'))).toBe('NO_SHORT_TO_CLOSE');
  });

  it('property: an exit by percent never sells more than the position, and is on the step', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 100 }), (units, pct) => {
      const position = new Dec(units).dividedBy(1000);
      const r = size({ kind: 'percent_of_position', percent: String(pct) }, { action: 'close' }, position.toFixed());
      if (!r.ok) {
        expect(r.error.code, JSON.stringify(r.error)).toBe('BELOW_MIN_QUANTITY');
        return;
      }
      expect(r.value.quantity.lessThanOrEqualTo(position)).toBe(true);
      expect(r.value.quantity.dividedBy('0.001').isInteger()).toBe(true);
      expect(position.times(pct).dividedBy(100).minus(r.value.quantity).lessThan('0.001')).toBe(true);
    }));
  });
});

describe('sizing percents in the configuration', () => {
  const config = (sizing: SizingRule) => validateStrategyConfig({
    strategyId: 's', tenantId: 't', name: 'n', symbolMap: {}, risk: {}, maxSignalAgeSeconds: 0,
    accounts: [{ accountId: 'a', sizing, orderTemplate: { type: 'market' } }],
  });
  it.each([
    [{ kind: 'percent_of_equity', percent: '100.01' }, 'INVALID_PERCENT'],
    [{ kind: 'percent_of_balance', percent: '0' }, 'INVALID_SIZING'],
    [{ kind: 'percent_of_position', percent: '101' }, 'INVALID_PERCENT'],
    [{ kind: 'risk', riskPercent: '1', stopPercent: '100' }, 'INVALID_PERCENT'],
    [{ kind: 'risk', riskPercent: '150' }, 'INVALID_PERCENT'],
  ] as const)('%j -> %s', (sizing, code) => {
    expect(config(sizing as SizingRule)).toMatchObject({ ok: false, error: { code } });
  });
  it('accepts 100 %', () => expect(config({ kind: 'percent_of_equity', percent: '100' }).ok).toBe(true));
});
