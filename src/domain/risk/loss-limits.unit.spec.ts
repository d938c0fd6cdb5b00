import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lossBreach } from './loss-limits.js';
import { Dec } from '../shared/decimal.js';

const d = (x: string | number) => new Dec(x);

describe('lossBreach', () => {
  it('the daily loss limit breaks at the limit, not before', () => {
    expect(lossBreach({ equity: d('97001'), dayStartEquity: d('100000') }, { dailyLossLimit: '3000' })).toBeUndefined();
    expect(lossBreach({ equity: d('97000'), dayStartEquity: d('100000') }, { dailyLossLimit: '3000' })).toMatchObject({ code: 'DAILY_LOSS_LIMIT', reason: expect.stringContaining('3000 below') });
  });
  it('the drawdown from the peak breaks at the percent', () => {
    expect(lossBreach({ equity: d('90001'), peakEquity: d('100000') }, { maxDrawdownPercent: '10' })).toBeUndefined();
    expect(lossBreach({ equity: d('90000'), peakEquity: d('100000') }, { maxDrawdownPercent: '10' })).toMatchObject({ code: 'MAX_DRAWDOWN' });
  });
  it('no limits, or no reference equity yet: nothing', () => {
    expect(lossBreach({ equity: d('1') }, { dailyLossLimit: '3000', maxDrawdownPercent: '10' })).toBeUndefined();
    expect(lossBreach({ equity: d('1'), dayStartEquity: d('100'), peakEquity: d('100') }, {})).toBeUndefined();
  });
  it('property: a gain never breaks a limit', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), (start, gain) => {
      const equity = d(start + gain);
      expect(lossBreach({ equity, dayStartEquity: d(start), peakEquity: equity }, { dailyLossLimit: '1', maxDrawdownPercent: '0.01' })).toBeUndefined();
    }));
  });
});

describe('loss limits in configuration', () => {
  it('an account takes them (drawdown above 0 and below 100); a strategy takes a daily loss limit but no drawdown', async () => {
    const { validateRiskLimits, validateStrategyConfig } = await import('../strategies/validate-config.js');
    expect(validateRiskLimits({ dailyLossLimit: '500', maxDrawdownPercent: '20' }).ok).toBe(true);
    expect(validateRiskLimits({ maxDrawdownPercent: '100' })).toMatchObject({ ok: false, error: { code: 'INVALID_PERCENT' } });
    expect(validateRiskLimits({ dailyLossLimit: '0' })).toMatchObject({ ok: false, error: { code: 'INVALID_LIMIT' } });
    const strategy = validateStrategyConfig({
      strategyId: 's', tenantId: 't', name: 'n', symbolMap: {}, maxSignalAgeSeconds: 0, risk: { dailyLossLimit: '500', maxDrawdownPercent: '10' },
      accounts: [{ accountId: 'a', sizing: { kind: 'fixed_quantity', quantity: '1' }, orderTemplate: { type: 'market' } }],
    });
    expect(strategy).toMatchObject({ ok: false, error: { code: 'ACCOUNT_LIMIT_ONLY' } });
    expect(validateStrategyConfig({
      strategyId: 's', tenantId: 't', name: 'n', symbolMap: {}, maxSignalAgeSeconds: 0, risk: { dailyLossLimit: '500' },
      accounts: [{ accountId: 'a', sizing: { kind: 'fixed_quantity', quantity: '1' }, orderTemplate: { type: 'market' } }],
    }).ok).toBe(true);
  });
});
