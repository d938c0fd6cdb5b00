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
const listed = new Map([[btc.symbol, btc], [sol.symbol, sol]]);
const at = (price: string, ageMs = 0, source = 'binance:ws-a') => ({ price: new Dec(price), ageMs, source });

const received = (signal: Partial<NormalizedSignal> = {}): EventOf<'SignalReceived'> => ({
  type: 'SignalReceived',
  data: {
    signalId: 'sig1', strategyId: 's1', idempotencyKey: 'k', receivedAt: '2026-01-01T00:00:00.000Z', bodySha256: '0'.repeat(64), format: 'patriot-json',
    signal: { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT', ...signal },
  },
});

function context(overrides: Partial<RoutingContext> = {}, snapshot: Partial<AccountSnapshot> = {}): RoutingContext {
  return {
    account: (id) => (id === 'acc1' ? { config: account, positionQuantity: () => ZERO, inFlightQuantity: () => ZERO, openOrders: 0, killSwitch: false, strategyPositionQuantity: (_s, symbol) => (snapshot.positionQuantity ?? (() => ZERO))(symbol), sizingBasis: () => ({ equity: new Dec('10000'), availableQuote: new Dec('10000') }), ...snapshot } : undefined),
    markets: () => listed,
    venueName: () => 'binance',
    markPrice: () => at('100000'),
    maxPriceAgeMs: 5000,
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
    const event = routeSignal(received({ symbol: 'SOL/USDT', ticker: 'SOLUSDT' }), strategy, context({ markPrice: () => at('190') })).orders[0]!.event;
    expect(event.type === 'OrderRejected' && event.data.reasons.map((r) => r.code)).toEqual(['SYMBOL_NOT_ALLOWED']);
  });

  it('given a close with no position, then no order and the account is skipped with the reason', () => {
    const decision = routeSignal(received({ action: 'close' }), strategy, context());
    expect(decision.orders).toEqual([]);
    expect(decision.processed.data.skipped).toEqual([expect.objectContaining({ accountId: 'acc1', code: 'NOTHING_TO_CLOSE' })]);
  });

  it("given no price from the account's exchange, then the account is skipped with NO_PRICE: the alert's own price is never used", () => {
    const decision = routeSignal(received({ price: '50000' }), strategy, context({ markPrice: () => undefined }));
    expect(decision.orders).toEqual([]);
    expect(decision.processed.data.skipped[0]).toMatchObject({ code: 'NO_PRICE', message: expect.stringContaining('binance') });
  });

  it('given a price older than the allowed age, then nothing is decided on it: STALE_PRICE, no order; at the limit it is used', () => {
    const stale = routeSignal(received(), strategy, context({ markPrice: () => at('100000', 5001) }));
    expect(stale.orders).toEqual([]);
    expect(stale.processed.data.skipped[0]).toMatchObject({ accountId: 'acc1', code: 'STALE_PRICE', message: expect.stringMatching(/5\.0 s old .*binance|binance.*5\.0 s old/) });
    const fresh = routeSignal(received(), strategy, context({ markPrice: () => at('100000', 5000) }));
    expect(fresh.orders[0]!.intent).toMatchObject({ referencePrice: '100000', priceSource: 'binance:ws-a', priceAgeMs: 5000 });
  });

  it("given the account's price moved 40 %, then sizing, the notional cap and the limit price follow it", () => {
    const limitStrategy: StrategyConfig = { ...strategy, accounts: [{ ...strategy.accounts[0]!, orderTemplate: { type: 'limit', offsetBps: '10' } }] };
    const low = routeSignal(received(), limitStrategy, context({ markPrice: () => at('60000') })).orders[0]!;
    expect(low.intent).toMatchObject({ quantity: '0.01666', limitPrice: '59940', referencePrice: '60000' });
    const high = routeSignal(received(), limitStrategy, context({ markPrice: () => at('140000') })).orders[0]!;
    expect(high.intent).toMatchObject({ quantity: '0.00714', limitPrice: '139860', referencePrice: '140000' });
    // a fixed quantity worth 2,100 at 140k breaks the 2,000 order cap that it keeps at 60k
    const fixed: StrategyConfig = { ...strategy, accounts: [{ ...strategy.accounts[0]!, sizing: { kind: 'fixed_quantity', quantity: '0.015' } }] };
    expect(routeSignal(received(), fixed, context({ markPrice: () => at('60000') })).orders[0]!.event.type).toBe('OrderApproved');
    const capped = routeSignal(received(), fixed, context({ markPrice: () => at('140000') })).orders[0]!.event;
    expect(capped.type === 'OrderRejected' && capped.data.reasons.map((r) => r.code)).toEqual(['MAX_ORDER_NOTIONAL']);
  });

  it("given a symbol the account's exchange does not list, is halted on, or whose list is not loaded, then skipped with a reason naming the exchange", () => {
    const doge = received({ symbol: 'DOGE/USDT', ticker: 'DOGEUSDT' });
    expect(routeSignal(doge, strategy, context()).processed.data.skipped[0]).toMatchObject({ code: 'SYMBOL_NOT_LISTED', message: 'DOGE/USDT is not listed on binance' });
    const halted = new Map([[btc.symbol, { ...btc, status: 'halted' as const }]]);
    expect(routeSignal(received(), strategy, context({ markets: () => halted })).processed.data.skipped[0]).toMatchObject({ code: 'SYMBOL_HALTED', message: expect.stringContaining('halted on binance') });
    expect(routeSignal(received(), strategy, context({ markets: () => undefined })).processed.data.skipped[0]).toMatchObject({ code: 'MARKETS_UNAVAILABLE' });
  });

  it('given two accounts on two exchanges, then each order is sized on its own exchange\'s price', () => {
    const second: AccountConfig = { ...account, accountId: 'acc2', exchange: 'bybit' };
    const fanOut: StrategyConfig = { ...strategy, accounts: [strategy.accounts[0]!, { ...strategy.accounts[0]!, accountId: 'acc2' }] };
    const decision = routeSignal(received(), fanOut, context({
      account: (id) => (id === 'acc1' || id === 'acc2' ? { config: id === 'acc1' ? account : second, positionQuantity: () => ZERO, inFlightQuantity: () => ZERO, strategyPositionQuantity: () => ZERO, sizingBasis: () => ({ equity: ZERO, availableQuote: ZERO }), openOrders: 0, killSwitch: false } : undefined),
      markPrice: (id) => (id === 'acc1' ? at('100000') : at('50000', 10, 'bybit:ws-b')),
      clientOrderId: (accountId) => `${accountId}`.padStart(32, '0'),
    }));
    expect(decision.orders.map((o) => [o.intent.accountId, o.intent.quantity, o.intent.priceSource])).toEqual([['acc1', '0.01', 'binance:ws-a'], ['acc2', '0.02', 'bybit:ws-b']]);
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
      account: (id) => (id === 'acc1' || id === 'acc2' ? { config: id === 'acc1' ? account : second, positionQuantity: () => ZERO, inFlightQuantity: () => ZERO, strategyPositionQuantity: () => ZERO, sizingBasis: () => ({ equity: ZERO, availableQuote: ZERO }), openOrders: 0, killSwitch: false } : undefined),
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

describe('routeSignal: positions per strategy and side-aware closes', () => {
  // two strategies share acc1: s1 holds long 0.03, s2 long 0.02 (account long 0.05)
  const shared = (own: Record<string, string>, accountQty = '0.05') => context({}, {
    positionQuantity: () => new Dec(accountQty),
    strategyPositionQuantity: (strategyId) => new Dec(own[strategyId] ?? '0'),
  });

  it("given two strategies on one account, when one closes, then it sells only its own position", () => {
    const ctx = shared({ s1: '0.03', s2: '0.02' });
    const decision = routeSignal(received({ action: 'close' }), strategy, ctx);
    expect(decision.orders[0]!.intent).toMatchObject({ side: 'sell', quantity: '0.03', reduceOnly: true, strategyId: 's1' });
    const other = routeSignal(received({ action: 'close' }), { ...strategy, strategyId: 's2' }, ctx);
    expect(other.orders[0]!.intent).toMatchObject({ side: 'sell', quantity: '0.02', strategyId: 's2' });
  });

  it('given a strategy with no position of its own on a shared account, when it closes, then NOTHING_TO_CLOSE though the account is long', () => {
    const decision = routeSignal(received({ action: 'close' }), strategy, shared({ s2: '0.05' }));
    expect(decision.orders).toEqual([]);
    expect(decision.processed.data.skipped).toEqual([expect.objectContaining({ accountId: 'acc1', code: 'NOTHING_TO_CLOSE' })]);
  });

  it.each([
    { side: 'long' as const, own: '0', code: 'NO_LONG_TO_CLOSE' },
    { side: 'long' as const, own: '-0.01', code: 'NO_LONG_TO_CLOSE' },
    { side: 'short' as const, own: '0', code: 'NO_SHORT_TO_CLOSE' },
    { side: 'short' as const, own: '0.01', code: 'NO_SHORT_TO_CLOSE' },
  ])('given an exit of a $side while the strategy is $own, then nothing is sent and it says $code', ({ side, own, code }) => {
    const decision = routeSignal(received({ action: 'close', closeSide: side }), strategy, shared({ s1: own }, own));
    expect(decision.orders).toEqual([]);
    expect(decision.processed.data.skipped).toEqual([expect.objectContaining({ accountId: 'acc1', code, message: expect.stringContaining('nothing was sent') })]);
  });

  it('given a close whose market order is still on its way, when a second close arrives before it fills, then NOTHING_TO_CLOSE (never two sells of one position)', () => {
    // s1 holds 0.03 (account 0.05); its first close's market sell of 0.03 is approved, not filled yet
    const flying = (symbol: string, strategyId?: string) => (strategyId === undefined || strategyId === 's1' ? new Dec('-0.03') : ZERO);
    const ctx = context({}, { positionQuantity: () => new Dec('0.05'), strategyPositionQuantity: (id) => new Dec(id === 's1' ? '0.03' : '0.02'), inFlightQuantity: flying });
    const decision = routeSignal(received({ action: 'close' }), strategy, ctx);
    expect(decision.orders).toEqual([]);
    expect(decision.processed.data.skipped).toEqual([expect.objectContaining({ accountId: 'acc1', code: 'NOTHING_TO_CLOSE' })]);
    // the other strategy's close still sells its own share
    expect(routeSignal(received({ action: 'close' }), { ...strategy, strategyId: 's2' }, ctx).orders[0]!.intent).toMatchObject({ side: 'sell', quantity: '0.02' });
    // half of the first close filled: the rest is still on its way, still nothing to close
    const half = context({}, { positionQuantity: () => new Dec('0.035'), strategyPositionQuantity: (id) => new Dec(id === 's1' ? '0.015' : '0.02'), inFlightQuantity: (_sym, id) => (id === 's2' ? ZERO : new Dec('-0.015')) });
    expect(routeSignal(received({ action: 'close' }), strategy, half).orders).toEqual([]);
  });

  it('given a target position whose first market order is still on its way, when the same target arrives again, then nothing more is bought', () => {
    const target: StrategyConfig = { ...strategy, accounts: [{ ...strategy.accounts[0]!, sizing: { kind: 'target_position', multiplier: '1' } }] };
    const ctx = context({}, { positionQuantity: () => ZERO, strategyPositionQuantity: () => ZERO, inFlightQuantity: () => new Dec('0.02') });
    const again = routeSignal(received({ action: 'buy', targetPosition: '0.02', marketPosition: 'long' }), target, ctx);
    expect(again.orders).toEqual([]);
    const more = routeSignal(received({ action: 'buy', targetPosition: '0.05', marketPosition: 'long' }), target, ctx);
    expect(more.orders[0]!.intent).toMatchObject({ side: 'buy', quantity: '0.03' });
  });

  it('given an exit of a short while short, then buys back exactly the short, reduce-only', () => {
    const decision = routeSignal(received({ action: 'close', closeSide: 'short' }), strategy, shared({ s1: '-0.04' }, '-0.04'));
    expect(decision.orders[0]!.intent).toMatchObject({ side: 'buy', quantity: '0.04', reduceOnly: true });
  });

  it("given the kill switch's flatten close, then it passes the engaged switches and the notional caps; an ordinary close is refused by the switch", () => {
    const ctx = { ...shared({ s1: '0.05' }), globalKillSwitch: true };
    const engaged: RoutingContext = { ...ctx, account: (id) => { const a = ctx.account(id); return a ? { ...a, killSwitch: true } : undefined; } };
    const capped: StrategyConfig = { ...strategy, risk: { maxOrderNotional: '10' } };
    const flatten = routeSignal(received({ action: 'close', orderType: 'market', killSwitchFlatten: 'ks1' }), capped, engaged);
    expect(flatten.orders[0]!.event.type).toBe('OrderApproved');
    expect(flatten.orders[0]!.intent).toMatchObject({ side: 'sell', quantity: '0.05', reduceOnly: true, type: 'market' });
    const ordinary = routeSignal(received({ action: 'close' }), capped, engaged).orders[0]!.event;
    expect(ordinary.type === 'OrderRejected' && ordinary.data.reasons.map((r) => r.code)).toEqual(['KILL_SWITCH_GLOBAL', 'KILL_SWITCH_ACCOUNT', 'MAX_ORDER_NOTIONAL']);
    // the flag never lets an entry through
    const entry = routeSignal(received({ action: 'buy', killSwitchFlatten: 'ks1' }), strategy, engaged).orders[0]!.event;
    expect(entry.type).toBe('OrderRejected');
  });

  it('given a trailing stop by price distance, then an exchange that trails by price holds it, any other leaves it to PATRIOT (managed); its first trigger is that far from the price', () => {
    const signal = received({ action: 'sell', orderType: 'stop_market', trailingDistance: '500' });
    const held = shared({ s1: '0.05' });
    const managed = routeSignal(signal, strategy, held);
    expect(managed.orders[0]!.event.type).toBe('OrderApproved');
    expect(managed.orders[0]!.intent).toMatchObject({ type: 'stop_market', stopPrice: '99500', trailingDistance: '500', managed: true });
    const placed = routeSignal(signal, strategy, { ...held, trailsByDistance: () => true });
    expect(placed.orders[0]!.intent).toMatchObject({ type: 'stop_market', stopPrice: '99500', trailingDistance: '500' });
    expect(placed.orders[0]!.intent).not.toHaveProperty('trailingPercent');
    expect(placed.orders[0]!.intent).not.toHaveProperty('managed');
    const offTick = routeSignal(received({ action: 'sell', orderType: 'stop_market', trailingDistance: '0.005' }), strategy, { ...held, trailsByDistance: () => true });
    expect(offTick.processed.data.skipped).toEqual([expect.objectContaining({ code: 'INVALID_TRAILING' })]);
  });

  it('given a market whose exchange lists only some conditional types, then the others (and a trailing percent outside its range) are held by PATRIOT, and a bracket\'s stop too (no order lists then)', () => {
    const held = shared({ s1: '0.05' });
    const limited: RoutingContext = { ...held, placesOrderLists: () => true, markets: () => new Map([['BTC/USDT', { ...btc, nativeTriggers: ['stop_limit', 'take_profit_limit', 'trailing_percent'], trailingPercentRange: { min: '0.1', max: '20' } }]]) };
    const stop = routeSignal(received({ action: 'sell', orderType: 'stop_market', stopPrice: '99000' }), strategy, limited);
    expect(stop.orders[0]!.intent).toMatchObject({ type: 'stop_market', stopPrice: '99000', managed: true });
    const stopLimit = routeSignal(received({ action: 'sell', orderType: 'stop_limit', stopPrice: '99000', limitPrice: '98900' }), strategy, limited);
    expect(stopLimit.orders[0]!.intent).not.toHaveProperty('managed');
    const wide = routeSignal(received({ action: 'sell', orderType: 'stop_market', trailingPercent: '25' }), strategy, limited);
    expect(wide.orders[0]!.intent).toMatchObject({ trailingPercent: '25', managed: true });
    const narrow = routeSignal(received({ action: 'sell', orderType: 'stop_market', trailingPercent: '2' }), strategy, limited);
    expect(narrow.orders[0]!.intent).not.toHaveProperty('managed');
    const bracket = routeSignal(received({ action: 'buy', bracket: { takeProfits: [{ price: '101000' }], stopLoss: { price: '99000' }, breakEven: false } }), strategy, limited);
    expect(bracket.orders[0]!.intent.bracket).toMatchObject({ managedStop: true });
    expect(bracket.orders[0]!.intent.bracket).not.toHaveProperty('orderLists');
  });

  it('given a close for one account of a two-account strategy (asked through the API), then only that account is routed', () => {
    const fanOut: StrategyConfig = { ...strategy, accounts: [strategy.accounts[0]!, { ...strategy.accounts[0]!, accountId: 'acc2' }] };
    const signal = received({ action: 'close' });
    const decision = routeSignal({ ...signal, data: { ...signal.data, accountId: 'acc1' } }, fanOut, shared({ s1: '0.01' }));
    expect(decision.orders.map((o) => o.intent.accountId)).toEqual(['acc1']);
    expect(decision.processed.data.skipped).toEqual([]);
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
