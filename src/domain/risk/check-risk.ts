import type { OrderSide, RiskReason } from '../events.js';
import type { RiskLimits } from './limits.js';
import { Dec, ZERO, decToString, minDec, parseDec } from '../shared/decimal.js';

export interface RiskIntent {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: Dec;
  readonly referencePrice: Dec;
  readonly reduceOnly: boolean;
}

export interface CheckRiskInput {
  readonly intent: RiskIntent;
  readonly accountLimits: RiskLimits;
  readonly strategyLimits: RiskLimits;
  /** unified symbols the account's exchange lists */
  readonly listedSymbols: readonly string[];
  /** signed current base position in intent.symbol (long > 0, short < 0) */
  readonly positionQuantity: Dec;
  /** orders of the account currently open (not counting this one) */
  readonly openOrders: number;
  readonly killSwitch: { readonly global: boolean; readonly account: boolean };
}

/** Stable reason codes, in the order `checkRisk` reports them. */
export const RiskCode = {
  KILL_SWITCH_GLOBAL: 'KILL_SWITCH_GLOBAL',
  KILL_SWITCH_ACCOUNT: 'KILL_SWITCH_ACCOUNT',
  SYMBOL_NOT_LISTED: 'SYMBOL_NOT_LISTED',
  SYMBOL_NOT_ALLOWED: 'SYMBOL_NOT_ALLOWED',
  INVALID_RISK_LIMIT: 'INVALID_RISK_LIMIT',
  MAX_ORDER_NOTIONAL: 'MAX_ORDER_NOTIONAL',
  MAX_POSITION_NOTIONAL: 'MAX_POSITION_NOTIONAL',
  MAX_OPEN_ORDERS: 'MAX_OPEN_ORDERS',
} as const;
export type RiskCode = (typeof RiskCode)[keyof typeof RiskCode];

const s = decToString;

interface Limit<T> {
  readonly value: T;
  /** which configuration the binding limit comes from */
  readonly source: 'account' | 'strategy' | 'account and strategy';
}

/** The stricter (smaller) of two optional limits; `undefined` when neither is set. */
function stricter<T>(account: T | undefined, strategy: T | undefined, lessThan: (a: T, b: T) => boolean, equal: (a: T, b: T) => boolean): Limit<T> | undefined {
  if (account === undefined) return strategy === undefined ? undefined : { value: strategy, source: 'strategy' };
  if (strategy === undefined) return { value: account, source: 'account' };
  if (equal(account, strategy)) return { value: account, source: 'account and strategy' };
  return lessThan(strategy, account) ? { value: strategy, source: 'strategy' } : { value: account, source: 'account' };
}

/** Parses a decimal limit; an unparseable or negative limit is reported and treated as 0 (fail closed). */
function decimalLimit(text: string | undefined, name: string, owner: 'account' | 'strategy', reasons: RiskReason[]): Dec | undefined {
  if (text === undefined) return undefined;
  const value = parseDec(text);
  if (value === undefined || value.isNegative()) {
    reasons.push({ code: RiskCode.INVALID_RISK_LIMIT, message: `${owner} limit ${name} "${text}" is not a non-negative decimal; treated as 0` });
    return ZERO;
  }
  return value;
}

function countLimit(value: number | undefined, owner: 'account' | 'strategy', reasons: RiskReason[]): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) {
    reasons.push({ code: RiskCode.INVALID_RISK_LIMIT, message: `${owner} limit maxOpenOrders ${String(value)} is not a non-negative integer; treated as 0` });
    return 0;
  }
  return value;
}

/**
 * The signed position after the order fills. A reduce-only order can only move the position toward
 * zero (the exchange caps it at the position and refuses it when it would increase it), so its
 * effect is clamped there.
 */
export function positionAfter(position: Dec, side: OrderSide, quantity: Dec, reduceOnly: boolean): Dec {
  const signed = side === 'buy' ? quantity : quantity.negated();
  if (!reduceOnly) return position.plus(signed);
  const reduces = !position.isZero() && position.isNegative() !== signed.isNegative();
  if (!reduces) return position;
  const closing = minDec(position.abs(), quantity);
  return position.isNegative() ? position.plus(closing) : position.minus(closing);
}

/**
 * Pure pre-trade risk check. Returns every violated rule (empty = approved), in a stable order.
 *
 * Decisions:
 * - A kill switch (global or account) refuses EVERY order while engaged, reduce-only ones included:
 *   an engaged kill switch means "PATRIOT sends nothing"; flattening is an explicit operator action
 *   taken after release (or on the exchange directly).
 * - Where both the account and the strategy set a limit, the stricter (smaller) one applies and the
 *   message names where it came from. An allowed-symbols list on either side must contain the symbol.
 * - MAX_POSITION_NOTIONAL never refuses an order that does not increase |position| (reductions and
 *   flips to a smaller opposite position); a reduce-only order's effect is clamped at flat.
 * - MAX_ORDER_NOTIONAL, MAX_OPEN_ORDERS and the symbol checks apply to reduce-only orders as well.
 * - An invalid limit in configuration is reported (INVALID_RISK_LIMIT) and treated as 0: fail closed.
 */
export function checkRisk(input: CheckRiskInput): RiskReason[] {
  const { intent, accountLimits, strategyLimits, killSwitch } = input;
  const reasons: RiskReason[] = [];
  const configReasons: RiskReason[] = [];

  if (killSwitch.global) {
    reasons.push({ code: RiskCode.KILL_SWITCH_GLOBAL, message: 'the global kill switch is engaged: no orders are sent' });
  }
  if (killSwitch.account) {
    reasons.push({ code: RiskCode.KILL_SWITCH_ACCOUNT, message: "the account's kill switch is engaged: no orders are sent" });
  }

  if (!input.listedSymbols.includes(intent.symbol)) {
    reasons.push({ code: RiskCode.SYMBOL_NOT_LISTED, message: `${intent.symbol} is not listed on the account's exchange` });
  }
  const refusedBy: string[] = [];
  if (accountLimits.allowedSymbols !== undefined && !accountLimits.allowedSymbols.includes(intent.symbol)) refusedBy.push('account');
  if (strategyLimits.allowedSymbols !== undefined && !strategyLimits.allowedSymbols.includes(intent.symbol)) refusedBy.push('strategy');
  if (refusedBy.length > 0) {
    reasons.push({ code: RiskCode.SYMBOL_NOT_ALLOWED, message: `${intent.symbol} is not in the ${refusedBy.join(' and ')} allowed symbols` });
  }

  const lt = (a: Dec, b: Dec) => a.lessThan(b);
  const eq = (a: Dec, b: Dec) => a.equals(b);

  const maxOrder = stricter(
    decimalLimit(accountLimits.maxOrderNotional, 'maxOrderNotional', 'account', configReasons),
    decimalLimit(strategyLimits.maxOrderNotional, 'maxOrderNotional', 'strategy', configReasons),
    lt,
    eq,
  );
  const maxPosition = stricter(
    decimalLimit(accountLimits.maxPositionNotional, 'maxPositionNotional', 'account', configReasons),
    decimalLimit(strategyLimits.maxPositionNotional, 'maxPositionNotional', 'strategy', configReasons),
    lt,
    eq,
  );
  const maxOpen = stricter(
    countLimit(accountLimits.maxOpenOrders, 'account', configReasons),
    countLimit(strategyLimits.maxOpenOrders, 'strategy', configReasons),
    (a, b) => a < b,
    (a, b) => a === b,
  );
  reasons.push(...configReasons);

  if (maxOrder !== undefined) {
    const notional = intent.quantity.times(intent.referencePrice);
    if (notional.greaterThan(maxOrder.value)) {
      reasons.push({
        code: RiskCode.MAX_ORDER_NOTIONAL,
        message: `order notional ${s(notional)} (${s(intent.quantity)} × ${s(intent.referencePrice)}) exceeds the ${maxOrder.source} limit ${s(maxOrder.value)}`,
      });
    }
  }

  if (maxPosition !== undefined) {
    const before = input.positionQuantity;
    const after = positionAfter(before, intent.side, intent.quantity, intent.reduceOnly);
    const grows = after.abs().greaterThan(before.abs());
    const notional = after.abs().times(intent.referencePrice);
    if (grows && notional.greaterThan(maxPosition.value)) {
      reasons.push({
        code: RiskCode.MAX_POSITION_NOTIONAL,
        message: `position notional after the order ${s(notional)} (|${s(after)}| × ${s(intent.referencePrice)}) exceeds the ${maxPosition.source} limit ${s(maxPosition.value)}`,
      });
    }
  }

  if (maxOpen !== undefined && input.openOrders + 1 > maxOpen.value) {
    reasons.push({
      code: RiskCode.MAX_OPEN_ORDERS,
      message: `${input.openOrders} open orders already; one more exceeds the ${maxOpen.source} limit ${maxOpen.value}`,
    });
  }

  return reasons;
}
