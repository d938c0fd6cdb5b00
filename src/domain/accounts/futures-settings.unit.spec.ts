import { describe, expect, it } from 'vitest';
import { accountDecider, type AccountEvent } from './account-decider.js';
import type { AccountConfig } from './account.js';
import { effectiveFuturesSettings, futuresSettingsRefusal, validateFuturesSettings, type FuturesSettings } from './futures-settings.js';
import { deciderSpec } from '../test-support/decider-spec.js';

const spec = deciderSpec(accountDecider);
const swap: AccountConfig = { accountId: 'acc-f', tenantId: 't-1', name: 'Futures', exchange: 'binance', marketType: 'swap', quoteAsset: 'USDT', initialBalances: [], risk: {} };
const settings: FuturesSettings = { leverage: 5, marginMode: 'isolated', symbols: { 'ETH/USDT': { leverage: 3 }, 'SOL/USDT': { marginMode: 'cross' } } };
const opened = (config: AccountConfig): AccountEvent => ({ type: 'AccountOpened', data: config });
const changed: AccountEvent = { type: 'AccountFuturesSettingsChanged', data: { accountId: 'acc-f', settings, by: 'user:u1' } };

describe('futures settings validation', () => {
  it('accepts a whole leverage from 1 to 125 and isolated or cross, and sorts the overrides', () => {
    const valid = validateFuturesSettings({ leverage: 125, marginMode: 'cross', symbols: { 'SOL/USDT': { leverage: 1 }, 'BTC/USDT': { marginMode: 'isolated' } } });
    expect(valid).toEqual({ ok: true, value: { leverage: 125, marginMode: 'cross', symbols: { 'BTC/USDT': { marginMode: 'isolated' }, 'SOL/USDT': { leverage: 1 } } } });
    expect(validateFuturesSettings({ leverage: 1, marginMode: 'isolated' })).toEqual({ ok: true, value: { leverage: 1, marginMode: 'isolated', symbols: {} } });
  });

  it.each([
    [{ leverage: 0, marginMode: 'cross' }, /whole number from 1 to 125/],
    [{ leverage: 126, marginMode: 'cross' }, /whole number from 1 to 125/],
    [{ leverage: 2.5, marginMode: 'cross' }, /whole number/],
    [{ leverage: '5', marginMode: 'cross' }, /whole number/],
    [{ leverage: 5, marginMode: 'crossed' }, /'isolated' or 'cross'/],
    [{ leverage: 5, marginMode: 'cross', symbols: [] }, /object keyed by symbol/],
    [{ leverage: 5, marginMode: 'cross', symbols: { BTCUSDT: { leverage: 2 } } }, /like BTC\/USDT/],
    [{ leverage: 5, marginMode: 'cross', symbols: { 'BTC/USDT': {} } }, /needs leverage or marginMode/],
    [{ leverage: 5, marginMode: 'cross', symbols: { 'BTC/USDT': { leverage: 200 } } }, /BTC\/USDT leverage/],
    [{ leverage: 5, marginMode: 'cross', symbols: { 'BTC/USDT': { marginMode: 'portfolio' } } }, /BTC\/USDT marginMode/],
    [{ leverage: 5, marginMode: 'cross', symbols: { 'BTC/USDT': { leverage: 2, hedge: true } } }, /unknown field hedge/],
  ])('refuses %j', (input, message) => {
    const result = validateFuturesSettings(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INVALID_FUTURES_SETTINGS');
      expect(result.error.message).toMatch(message);
    }
  });

  it('a symbol override wins over the default, field by field; a perpetual symbol maps to its pair', () => {
    expect(effectiveFuturesSettings(settings, 'BTC/USDT')).toEqual({ leverage: 5, marginMode: 'isolated' });
    expect(effectiveFuturesSettings(settings, 'ETH/USDT:USDT')).toEqual({ leverage: 3, marginMode: 'isolated' });
    expect(effectiveFuturesSettings(settings, 'SOL/USDT')).toEqual({ leverage: 5, marginMode: 'cross' });
  });

  it('only swap accounts on an exchange take them', () => {
    expect(futuresSettingsRefusal(swap)).toBeUndefined();
    expect(futuresSettingsRefusal({ exchange: 'binance', marketType: 'spot' })?.code).toBe('FUTURES_SETTINGS_NOT_SUPPORTED');
    expect(futuresSettingsRefusal({ exchange: 'binance' })?.code).toBe('FUTURES_SETTINGS_NOT_SUPPORTED');
    expect(futuresSettingsRefusal({ exchange: 'paper' })?.code).toBe('FUTURES_SETTINGS_NOT_SUPPORTED');
  });
});

describe('account decider: SetFuturesSettings', () => {
  const set = { type: 'SetFuturesSettings', settings, by: 'user:u1' } as const;
  it('records the settings on a swap account', () => {
    spec.given([opened(swap)]).when(set).then([changed]);
  });
  it('the same settings again decide nothing; different ones are recorded', () => {
    spec.given([opened(swap), changed]).when(set).then([]);
    const next = { ...settings, leverage: 7 };
    spec.given([opened(swap), changed]).when({ ...set, settings: next }).then([{ type: 'AccountFuturesSettingsChanged', data: { accountId: 'acc-f', settings: next, by: 'user:u1' } }]);
  });
  it('refuses spot and paper accounts, unknown accounts and invalid settings', () => {
    spec.given([opened({ ...swap, marketType: 'spot' })]).when(set).thenError('FUTURES_SETTINGS_NOT_SUPPORTED');
    spec.given([opened({ ...swap, exchange: 'paper', marketType: undefined as never })]).when(set).thenError('FUTURES_SETTINGS_NOT_SUPPORTED');
    spec.given([]).when(set).thenError('ACCOUNT_NOT_FOUND');
    spec.given([opened(swap)]).when({ ...set, settings: { ...settings, leverage: 0 } }).thenError('INVALID_FUTURES_SETTINGS');
  });
  it('the settings become part of the account configuration', () => {
    const state = [opened(swap), changed].reduce(accountDecider.evolve, accountDecider.initialState());
    expect(state.config?.futures).toEqual(settings);
  });
});
