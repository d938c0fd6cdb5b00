import { describe, expect, it } from 'vitest';
import { routeSignal, type AccountSnapshot, type RoutingContext } from './route-signal.js';
import type { EventOf } from '../../domain/events.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import type { AccountConfig } from '../../domain/accounts/account.js';
import type { NormalizedSignal } from '../../domain/signals/signal.js';
import { Dec, ZERO } from '../../domain/shared/decimal.js';

const account: AccountConfig = {
  accountId: 'acc1', tenantId: 't1', name: 'paper', exchange: 'paper', quoteAsset: 'USDT',
  initialBalances: [{ asset: 'USDT', amount: '10000' }], risk: { maxPositionNotional: '5000', allowedSymbols: ['BTC/USDT', 'ETH/USDT'] },
};
const strategy: StrategyConfig = {
  strategyId: 's1', tenantId: 't1', name: 'test', symbolMap: {}, maxSignalAgeSeconds: 0, risk: { maxOrderNotional: '2000' },
  accounts: [{ accountId: 'acc1', sizing: { kind: 'quote_amount', amount: '1000' }, orderTemplate: { type: 'market' } }],
};
const btc = { symbol: 'BTC/USDT', tickSize: '0.01', stepSize: '0.00001', minQty: '0.00001', maxQty: '9000', minNotional: '5' };
const sol = { ...btc, symbol: 'SOL/USDT', stepSize: '0.001', minQty: '0.001' };

const received = (signal: Partial<NormalizedSignal> = {}): EventOf<'SignalReceived'> => ({
  type: 'SignalReceived',
  data: {
    signalId: 'sig1', strategyId: 's1', idempotencyKey: 'k', receivedAt: '2026-01-01T00:00:00.000Z', bodySha256: '0'.repeat(64), format: 'patriot-json',
    signal: { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT', ...signal },
  },
});

function context(overrides: Partial<RoutingContext> = {}, snapshot: Partial<AccountSnapshot> = {}): RoutingContext {
  return {
    account: (id) => (id === 'acc1' ? { config: account, positionQuantity: () => ZERO, openOrders: 0, killSwitch: false, ...snapshot } : undefined),
    market: (symbol) => (symbol === 'BTC/USDT' ? btc : symbol === 'SOL/USDT' ? sol : undefined),
    listedSymbols: ['BTC/USDT', 'SOL/USDT'],
    markPrice: () => new Dec('100000'),
    globalKillSwitch: false,
    clientOrderId: (accountId, leg) => `${accountId}-${leg}`.padEnd(32, '0'),
    ...overrides,
  };
}

describe('routeSignal', () => {
  it('given a buy within limits, when routed, then one approved market order sized by quote amount and a processed summary', () => {
    const decision = routeSignal(received(), strategy, context());
    expect(decision.orders).toHaveLength(1);
    const [order] = decision.orders;
    expect(order!.event.type).toBe('OrderApproved');
    expect(order!.intent).toMatchObject({ side: 'buy', type: 'market', quantity: '0.01', referencePrice: '100000', signalId: 'sig1', accountId: 'acc1' });
    expect(decision.processed.data).toEqual({ signalId: 'sig1', orders: [{ accountId: 'acc1', clientOrderId: order!.intent.clientOrderId, outcome: 'approved' }], skipped: [] });
  });

  it('given an engaged kill switch, when routed, then the order is rejected with the reason and the signal still processed', () => {
    const decision = routeSignal(received(), strategy, context({ globalKillSwitch: true }, { killSwitch: true }));
    const event = decision.orders[0]!.event;
    expect(event.type).toBe('OrderRejected');
    expect(event.type === 'OrderRejected' && event.data.reasons.map((r) => r.code)).toEqual(['KILL_SWITCH_GLOBAL', 'KILL_SWITCH_ACCOUNT']);
    expect(decision.processed.data.orders[0]!.outcome).toBe('rejected');
  });

  it('given a position near the limit, when a buy would exceed max position notional, then rejected; a sell is approved', () => {
    const ctx = context({}, { positionQuantity: () => new Dec('0.045') });
    const buy = routeSignal(received(), strategy, ctx).orders[0]!.event;
    expect(buy.type === 'OrderRejected' && buy.data.reasons.map((r) => r.code)).toEqual(['MAX_POSITION_NOTIONAL']);
    expect(routeSignal(received({ action: 'sell' }), strategy, ctx).orders[0]!.event.type).toBe('OrderApproved');
  });

  it('given a symbol the account may not trade, then rejected with SYMBOL_NOT_ALLOWED', () => {
    const event = routeSignal(received({ symbol: 'SOL/USDT', ticker: 'SOLUSDT' }), strategy, context({ markPrice: () => new Dec('190') })).orders[0]!.event;
    expect(event.type === 'OrderRejected' && event.data.reasons.map((r) => r.code)).toEqual(['SYMBOL_NOT_ALLOWED']);
  });

  it('given a close with no position, then no order and the account is skipped with the reason', () => {
    const decision = routeSignal(received({ action: 'close' }), strategy, context());
    expect(decision.orders).toEqual([]);
    expect(decision.processed.data.skipped).toEqual([expect.objectContaining({ accountId: 'acc1', code: 'NOTHING_TO_CLOSE' })]);
  });

  it('given no feed price, then the alert price is used; with neither, the account is skipped with NO_PRICE', () => {
    const withAlertPrice = routeSignal(received({ price: '50000' }), strategy, context({ markPrice: () => undefined }));
    expect(withAlertPrice.orders[0]!.intent).toMatchObject({ referencePrice: '50000', quantity: '0.02' });
    const none = routeSignal(received(), strategy, context({ markPrice: () => undefined }));
    expect(none.processed.data.skipped[0]!.code).toBe('NO_PRICE');
  });

  it('given a limit alert, then a limit order at the alert price rounded to the tick', () => {
    const decision = routeSignal(received({ orderType: 'limit', limitPrice: '99000.005' }), strategy, context());
    expect(decision.orders[0]!.intent).toMatchObject({ type: 'limit', limitPrice: '99000' });
  });

  it('given a strategy on two accounts, then one order per account, each sized by its own rule and checked against its own limits', () => {
    const second: AccountConfig = { ...account, accountId: 'acc2', risk: { maxOrderNotional: '100' } };
    const fanOut: StrategyConfig = {
      ...strategy,
      accounts: [strategy.accounts[0]!, { accountId: 'acc2', sizing: { kind: 'fixed_quantity', quantity: '0.002' }, orderTemplate: { type: 'limit', offsetBps: '10' } }],
    };
    const ctx = context({
      account: (id) => (id === 'acc1' || id === 'acc2' ? { config: id === 'acc1' ? account : second, positionQuantity: () => ZERO, openOrders: 0, killSwitch: false } : undefined),
      clientOrderId: (accountId) => `${accountId}`.padStart(32, '0'),
    });
    const decision = routeSignal(received(), fanOut, ctx);
    expect(decision.orders.map((o) => [o.intent.accountId, o.event.type, o.intent.type, o.intent.quantity, o.intent.limitPrice])).toEqual([
      ['acc1', 'OrderApproved', 'market', '0.01', undefined],
      ['acc2', 'OrderRejected', 'limit', '0.002', '99900'],
    ]);
    expect(new Set(decision.orders.map((o) => o.intent.clientOrderId)).size).toBe(2);
    expect(decision.processed.data.orders.map((o) => o.outcome)).toEqual(['approved', 'rejected']);
  });

  it('given an account the strategy names but that does not exist, then it is skipped with ACCOUNT_NOT_FOUND', () => {
    const decision = routeSignal(received(), { ...strategy, accounts: [{ ...strategy.accounts[0]!, accountId: 'ghost' }] }, context());
    expect(decision.processed.data.skipped).toEqual([expect.objectContaining({ accountId: 'ghost', code: 'ACCOUNT_NOT_FOUND' })]);
  });
});

describe('failedRouting', () => {
  it('given routing that threw, then the signal is processed with no order and every account skipped with ROUTING_FAILED', async () => {
    const { failedRouting } = await import('./route-signal.js');
    const decision = failedRouting(received(), strategy, 'market BTC/USDT has an invalid tick size: x');
    expect(decision.orders).toEqual([]);
    expect(decision.processed.data.skipped).toEqual([{ accountId: 'acc1', code: 'ROUTING_FAILED', message: 'routing failed: market BTC/USDT has an invalid tick size: x' }]);
  });
});
