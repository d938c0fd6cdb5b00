import { describe, expect, it } from 'vitest';
import { checkRisk, positionAfter, type CheckRiskInput } from './check-risk.js';
import { dec } from '../shared/decimal.js';

const base: CheckRiskInput = {
  intent: { symbol: 'BTC/USDT', side: 'buy', quantity: dec('1'), referencePrice: dec('100'), reduceOnly: false },
  accountLimits: {},
  strategyLimits: {},
  listedSymbols: ['BTC/USDT', 'ETH/USDT'],
  positionQuantity: dec('0'),
  openOrders: 0,
  killSwitch: { global: false, account: false },
};

type Over = Partial<Omit<CheckRiskInput, 'intent'>> & { intent?: Partial<CheckRiskInput['intent']> };
const input = (over: Over = {}): CheckRiskInput => ({ ...base, ...over, intent: { ...base.intent, ...over.intent } });

describe('checkRisk: each reason alone', () => {
  it('approves an order within all limits', () => {
    expect(
      checkRisk(
        input({
          accountLimits: { maxOrderNotional: '100', maxPositionNotional: '100', maxOpenOrders: 1, allowedSymbols: ['BTC/USDT'] },
          strategyLimits: { maxOrderNotional: '1000', allowedSymbols: ['BTC/USDT', 'ETH/USDT'] },
        }),
      ),
    ).toEqual([]);
  });

  it.each<{ name: string; over: Over; code: string; message: string }>([
    { name: 'global kill switch', over: { killSwitch: { global: true, account: false } }, code: 'KILL_SWITCH_GLOBAL', message: 'the global kill switch is engaged: no orders are sent' },
    { name: 'account kill switch', over: { killSwitch: { global: false, account: true } }, code: 'KILL_SWITCH_ACCOUNT', message: "the account's kill switch is engaged: no orders are sent" },
    { name: 'symbol not listed', over: { listedSymbols: ['ETH/USDT'] }, code: 'SYMBOL_NOT_LISTED', message: "BTC/USDT is not listed on the account's exchange" },
    { name: 'not in account allowed symbols', over: { accountLimits: { allowedSymbols: ['ETH/USDT'] } }, code: 'SYMBOL_NOT_ALLOWED', message: 'BTC/USDT is not in the account allowed symbols' },
    { name: 'not in strategy allowed symbols', over: { strategyLimits: { allowedSymbols: [] } }, code: 'SYMBOL_NOT_ALLOWED', message: 'BTC/USDT is not in the strategy allowed symbols' },
    {
      name: 'not in either allowed list',
      over: { accountLimits: { allowedSymbols: ['ETH/USDT'] }, strategyLimits: { allowedSymbols: ['ETH/USDT'] } },
      code: 'SYMBOL_NOT_ALLOWED',
      message: 'BTC/USDT is not in the account and strategy allowed symbols',
    },
    {
      name: 'max order notional',
      over: { intent: { quantity: dec('1.5') }, accountLimits: { maxOrderNotional: '149.99' } },
      code: 'MAX_ORDER_NOTIONAL',
      message: 'order notional 150 (1.5 × 100) exceeds the account limit 149.99',
    },
    {
      name: 'max position notional',
      over: { positionQuantity: dec('2'), strategyLimits: { maxPositionNotional: '250' } },
      code: 'MAX_POSITION_NOTIONAL',
      message: 'position notional after the order 300 (|3| × 100) exceeds the strategy limit 250',
    },
    {
      name: 'max position notional on a growing short',
      over: { intent: { side: 'sell' }, positionQuantity: dec('-2'), accountLimits: { maxPositionNotional: '250' } },
      code: 'MAX_POSITION_NOTIONAL',
      message: 'position notional after the order 300 (|-3| × 100) exceeds the account limit 250',
    },
    {
      name: 'max open orders',
      over: { openOrders: 3, accountLimits: { maxOpenOrders: 3 } },
      code: 'MAX_OPEN_ORDERS',
      message: '3 open orders already; one more exceeds the account limit 3',
    },
    {
      name: 'invalid configured limit fails closed',
      over: { accountLimits: { maxOrderNotional: 'lots' } },
      code: 'INVALID_RISK_LIMIT',
      message: 'account limit maxOrderNotional "lots" is not a non-negative decimal; treated as 0',
    },
  ])('$name → $code', ({ over, code, message }) => {
    const reasons = checkRisk(input(over));
    if (code === 'INVALID_RISK_LIMIT') {
      expect(reasons.map((r) => r.code)).toEqual(['INVALID_RISK_LIMIT', 'MAX_ORDER_NOTIONAL']);
      expect(reasons[0]).toEqual({ code, message });
    } else {
      expect(reasons).toEqual([{ code, message }]);
    }
  });

  it('limits exactly met are allowed', () => {
    expect(
      checkRisk(input({ positionQuantity: dec('1'), openOrders: 2, accountLimits: { maxOrderNotional: '100', maxPositionNotional: '200', maxOpenOrders: 3 } })),
    ).toEqual([]);
  });
});

describe('checkRisk: several reasons at once', () => {
  it('collects every violated rule, in a stable order', () => {
    const reasons = checkRisk(
      input({
        intent: { quantity: dec('10') },
        killSwitch: { global: true, account: true },
        listedSymbols: [],
        accountLimits: { allowedSymbols: ['ETH/USDT'], maxOrderNotional: '500', maxPositionNotional: '500', maxOpenOrders: 1 },
        openOrders: 1,
      }),
    );
    expect(reasons.map((r) => r.code)).toEqual([
      'KILL_SWITCH_GLOBAL',
      'KILL_SWITCH_ACCOUNT',
      'SYMBOL_NOT_LISTED',
      'SYMBOL_NOT_ALLOWED',
      'MAX_ORDER_NOTIONAL',
      'MAX_POSITION_NOTIONAL',
      'MAX_OPEN_ORDERS',
    ]);
  });
});

describe('checkRisk: the stricter of account and strategy limits', () => {
  it.each([
    { account: '1000', strategy: '120', source: 'strategy', limit: '120' },
    { account: '120', strategy: '1000', source: 'account', limit: '120' },
    { account: '120', strategy: '120', source: 'account and strategy', limit: '120' },
    { account: undefined, strategy: '120', source: 'strategy', limit: '120' },
  ])('account $account / strategy $strategy → $source $limit', ({ account, strategy, source, limit }) => {
    const reasons = checkRisk(
      input({
        intent: { quantity: dec('1.5') },
        accountLimits: { maxOrderNotional: account, maxPositionNotional: account, maxOpenOrders: account === undefined ? undefined : Number(account) },
        strategyLimits: { maxOrderNotional: strategy, maxPositionNotional: strategy, maxOpenOrders: Number(strategy) },
        openOrders: 120,
      }),
    );
    expect(reasons).toEqual([
      { code: 'MAX_ORDER_NOTIONAL', message: `order notional 150 (1.5 × 100) exceeds the ${source} limit ${limit}` },
      { code: 'MAX_POSITION_NOTIONAL', message: `position notional after the order 150 (|1.5| × 100) exceeds the ${source} limit ${limit}` },
      { code: 'MAX_OPEN_ORDERS', message: `120 open orders already; one more exceeds the ${source} limit ${limit}` },
    ]);
  });

  it('passes when both limits allow it', () => {
    expect(checkRisk(input({ accountLimits: { maxOrderNotional: '1000' }, strategyLimits: { maxOrderNotional: '100' } }))).toEqual([]);
  });
});

describe('checkRisk: reductions and reduce-only', () => {
  const limits = { maxPositionNotional: '100' };

  it.each([
    { name: 'selling part of an oversized long', side: 'sell', qty: '1', position: '5', reduceOnly: false },
    { name: 'reduce-only close of an oversized long', side: 'sell', qty: '5', position: '5', reduceOnly: true },
    { name: 'buying back part of an oversized short', side: 'buy', qty: '2', position: '-5', reduceOnly: false },
    { name: 'flip to a smaller opposite position', side: 'sell', qty: '8', position: '5', reduceOnly: false },
    { name: 'reduce-only larger than the position is clamped at flat', side: 'sell', qty: '50', position: '5', reduceOnly: true },
    { name: 'reduce-only on the same side cannot grow the position', side: 'buy', qty: '50', position: '5', reduceOnly: true },
  ] as const)('$name: no MAX_POSITION_NOTIONAL', ({ side, qty, position, reduceOnly }) => {
    expect(checkRisk(input({ intent: { side, quantity: dec(qty), reduceOnly }, positionQuantity: dec(position), accountLimits: limits }))).toEqual([]);
  });

  it('a flip to a larger opposite position is checked', () => {
    const reasons = checkRisk(input({ intent: { side: 'sell', quantity: dec('12') }, positionQuantity: dec('5'), accountLimits: limits }));
    expect(reasons).toEqual([{ code: 'MAX_POSITION_NOTIONAL', message: 'position notional after the order 700 (|-7| × 100) exceeds the account limit 100' }]);
  });

  it('the kill switch refuses reduce-only orders too', () => {
    const reasons = checkRisk(
      input({ intent: { side: 'sell', quantity: dec('1'), reduceOnly: true }, positionQuantity: dec('1'), killSwitch: { global: false, account: true } }),
    );
    expect(reasons.map((r) => r.code)).toEqual(['KILL_SWITCH_ACCOUNT']);
  });

  it('max order notional still applies to reduce-only orders', () => {
    const reasons = checkRisk(
      input({ intent: { side: 'sell', quantity: dec('5'), reduceOnly: true }, positionQuantity: dec('5'), accountLimits: { maxOrderNotional: '100' } }),
    );
    expect(reasons.map((r) => r.code)).toEqual(['MAX_ORDER_NOTIONAL']);
  });
});

describe('positionAfter', () => {
  it.each([
    ['0', 'buy', '1', false, '1'],
    ['1', 'sell', '3', false, '-2'],
    ['1', 'sell', '3', true, '0'],
    ['-2', 'buy', '1', true, '-1'],
    ['0', 'sell', '1', true, '0'],
  ] as const)('%s %s %s reduceOnly=%s → %s', (position, side, qty, reduceOnly, expected) => {
    expect(positionAfter(dec(position), side, dec(qty), reduceOnly).toFixed()).toBe(expected);
  });
});
