import type { AccountConfig } from '../accounts/account.js';
import type { EventOf, PatriotEvent } from '../events.js';
import { FLAT, applyFill, unrealizedPnl as positionUnrealizedPnl, type Position } from '../positions/position.js';
import { Dec, ZERO, parseDec } from '../shared/decimal.js';
import { assertNever } from '../shared/decider.js';
import { applyFillToBalances, splitSymbol } from './balances.js';

/**
 * One account's portfolio as a pure fold of events, for risk (position, open orders) and read
 * models (balances, PnL). Feed it the account's stream and its order streams; events of other
 * accounts are ignored, so it can also be fed the global log.
 *
 * Accounting:
 * - positions: average cost per symbol (positions/position.ts), every fill (partial or not).
 * - balances: spot symbols (`BTC/USDT`) move base and quote; derivatives (`BTC/USDT:USDT`) hold no
 *   base asset, so only the realised PnL of the fill is credited to the settle asset. The fee is
 *   always taken from its fee currency.
 * - realizedPnl is before fees; `fees` is the fees converted to the symbol's quote asset where the
 *   fee was paid in quote or base (at the fill price); fees in a third asset (e.g. BNB) are not
 *   convertible here and are only counted in `feesByCurrency`.
 * - open orders: an approved order is open until cancelled, expired, rejected by the exchange or
 *   completely filled; tracked by clientOrderId, so repeats and late fills never double count.
 */
export interface Portfolio {
  readonly accountId: string;
  readonly quoteAsset: string;
  readonly opened: boolean;
  readonly balances: ReadonlyMap<string, Dec>;
  readonly positions: ReadonlyMap<string, Position>;
  readonly realizedPnl: Dec;
  readonly fees: Dec;
  readonly feesByCurrency: ReadonlyMap<string, Dec>;
  readonly killSwitch: { readonly engaged: boolean; readonly reason?: string };
}

export function emptyPortfolio(config: AccountConfig): Portfolio {
  return {
    accountId: config.accountId,
    quoteAsset: config.quoteAsset,
    opened: false,
    balances: new Map(),
    positions: new Map(),
    realizedPnl: ZERO,
    fees: ZERO,
    feesByCurrency: new Map(),
    killSwitch: { engaged: false },
  };
}

function applyOrderFill(p: Portfolio, fill: EventOf<'OrderFilled'>['data']): Portfolio {
  const quantity = new Dec(fill.quantity);
  const price = new Dec(fill.price);
  const fee = new Dec(fill.fee);
  const { base, quote, settle } = splitSymbol(fill.symbol);

  const feeInQuote = fill.feeCurrency === quote ? fee : fill.feeCurrency === base ? fee.times(price) : ZERO;
  const effect = applyFill(p.positions.get(fill.symbol) ?? FLAT, { side: fill.side, quantity, price, fee: feeInQuote });
  const positions = new Map(p.positions);
  positions.set(fill.symbol, effect.position);

  let balances: Map<string, Dec>;
  if (settle === undefined) {
    balances = applyFillToBalances(p.balances, { side: fill.side, quantity, price, fee, feeCurrency: fill.feeCurrency }, base, quote);
  } else {
    balances = new Map(p.balances);
    balances.set(settle, (balances.get(settle) ?? ZERO).plus(effect.realizedPnl));
    if (!fee.isZero()) balances.set(fill.feeCurrency, (balances.get(fill.feeCurrency) ?? ZERO).minus(fee));
  }

  const feesByCurrency = new Map(p.feesByCurrency);
  feesByCurrency.set(fill.feeCurrency, (feesByCurrency.get(fill.feeCurrency) ?? ZERO).plus(fee));

  return {
    ...p,
    positions,
    balances,
    realizedPnl: p.realizedPnl.plus(effect.realizedPnl),
    fees: p.fees.plus(feeInQuote),
    feesByCurrency,
  };
}

/** Applies one event; returns the same object when the event does not concern this portfolio. */
export function applyPortfolioEvent(p: Portfolio, event: PatriotEvent): Portfolio {
  switch (event.type) {
    case 'AccountOpened': {
      if (event.data.accountId !== p.accountId) return p;
      const balances = new Map<string, Dec>();
      for (const { asset, amount } of event.data.initialBalances) {
        balances.set(asset, (balances.get(asset) ?? ZERO).plus(parseDec(amount) ?? ZERO));
      }
      return { ...p, opened: true, quoteAsset: event.data.quoteAsset, balances };
    }
    case 'KillSwitchEngaged':
      return event.data.accountId === p.accountId ? { ...p, killSwitch: { engaged: true, reason: event.data.reason } } : p;
    case 'KillSwitchReleased':
      return event.data.accountId === p.accountId ? { ...p, killSwitch: { engaged: false } } : p;
    case 'OrderFilled':
      return event.data.accountId === p.accountId ? applyOrderFill(p, event.data) : p;
    case 'AccountBalancesObserved': {
      if (event.data.accountId !== p.accountId) return p;
      const balances = new Map(p.balances);
      for (const asset of event.data.cleared) balances.set(asset, ZERO);
      for (const { asset, total } of event.data.balances) balances.set(asset, parseDec(total) ?? ZERO);
      return { ...p, balances };
    }
    // which orders are open is the order state machine's (TradingState counts them from it):
    // copying a map of every open order at each event made a burst of alerts quadratic
    case 'OrderApproved':
    case 'OrderCancelled':
    case 'OrderExpired':
    case 'OrderExchangeRejected':
    case 'OrderRejected':
    case 'OrderAccepted':
    case 'OrderStatusUnknown':
    case 'OrderParked':
    case 'OrderReleased':
    case 'OrderSubmitted':
    case 'OrderCancelRequested':
    case 'OrderTriggered':
    case 'OrderTrailMoved':
    case 'AccountReconciled':
    case 'ExchangeCircuitChanged':
    case 'AccountPricesChanged':
    case 'AccountOwnerChanged':
    case 'AccountCredentialsChanged':
    case 'AccountFuturesSettingsChanged':
    case 'KillSwitchActionsRequested':
    case 'KillSwitchActionsDone':
    case 'GlobalKillSwitchEngaged':
    case 'GlobalKillSwitchReleased':
    case 'UserRegistered':
    case 'UserDisabled':
    case 'UserEnabled':
    case 'UserRoleChanged':
    case 'UserPasswordReset':
    case 'UserApiKeyRevoked':
    case 'StrategyConfigured':
    case 'StrategyPaused':
    case 'StrategyResumed':
    case 'StrategyDeleted':
    case 'SignalReceived':
    case 'SignalRejected':
    case 'SignalProcessed':
    case 'AlertRepeated':
      return p;
    default:
      return assertNever(event);
  }
}

export function foldPortfolio(config: AccountConfig, events: readonly PatriotEvent[]): Portfolio {
  return events.reduce(applyPortfolioEvent, emptyPortfolio(config));
}

export function positionOf(p: Portfolio, symbol: string): Position {
  return p.positions.get(symbol) ?? FLAT;
}

/** Signed base position in a symbol (0 when none). */
export function positionQuantity(p: Portfolio, symbol: string): Dec {
  return positionOf(p, symbol).quantity;
}

export function balanceOf(p: Portfolio, asset: string): Dec {
  return p.balances.get(asset) ?? ZERO;
}

/** Realised PnL after the fees that could be expressed in the quote asset. */
export function netRealizedPnl(p: Portfolio): Dec {
  return p.realizedPnl.minus(p.fees);
}

/**
 * Unrealised PnL of all open positions at `mark(symbol)`. Positions without a mark are left out;
 * `unpricedSymbols` tells which, so a caller can show the figure as partial.
 */
export function unrealizedPnl(p: Portfolio, mark: (symbol: string) => Dec | undefined): Dec {
  let total = ZERO;
  for (const [symbol, position] of p.positions) {
    if (position.quantity.isZero()) continue;
    const price = mark(symbol);
    if (price !== undefined) total = total.plus(positionUnrealizedPnl(position, price));
  }
  return total;
}

/** Symbols with an open position that `mark` has no price for. */
export function unpricedSymbols(p: Portfolio, mark: (symbol: string) => Dec | undefined): string[] {
  const missing: string[] = [];
  for (const [symbol, position] of p.positions) {
    if (!position.quantity.isZero() && mark(symbol) === undefined) missing.push(symbol);
  }
  return missing;
}
