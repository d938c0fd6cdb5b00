import type { OrderSide } from '../events.js';
import { type Dec, ZERO } from '../shared/decimal.js';

export interface BalanceFill {
  readonly side: OrderSide;
  readonly quantity: Dec;
  readonly price: Dec;
  readonly fee: Dec;
  readonly feeCurrency: string;
}

export interface SymbolParts {
  readonly base: string;
  readonly quote: string;
  /** settlement asset of a derivative (`BTC/USDT:USDT` -> USDT); absent for spot */
  readonly settle?: string;
}

const add = (balances: Map<string, Dec>, asset: string, delta: Dec): void => {
  balances.set(asset, (balances.get(asset) ?? ZERO).plus(delta));
};

/**
 * Spot balance effect of one fill, as a new map (the input is not modified): a buy adds the base
 * quantity and spends quantity × price of the quote; a sell the reverse; the fee is taken from
 * `feeCurrency` (whatever asset that is: quote, base or a third one). Assets missing from the map
 * start at 0 and may go negative (the exchange is the authority; the reconciler corrects drift).
 */
export function applyFillToBalances(balances: ReadonlyMap<string, Dec>, fill: BalanceFill, base: string, quote: string): Map<string, Dec> {
  const next = new Map(balances);
  const cost = fill.quantity.times(fill.price);
  if (fill.side === 'buy') {
    add(next, base, fill.quantity);
    add(next, quote, cost.negated());
  } else {
    add(next, base, fill.quantity.negated());
    add(next, quote, cost);
  }
  if (!fill.fee.isZero()) add(next, fill.feeCurrency, fill.fee.negated());
  return next;
}

/** Splits a unified symbol: `BTC/USDT` -> { base: BTC, quote: USDT }; `BTC/USDT:USDT` adds settle: USDT. Throws on anything else. */
export function splitSymbol(symbol: string): SymbolParts {
  const [pair, settle, ...extra] = symbol.split(':');
  const [base, quote, ...rest] = (pair ?? '').split('/');
  if (!base || !quote || rest.length > 0 || extra.length > 0 || settle === '') {
    throw new Error(`not a unified symbol (BASE/QUOTE or BASE/QUOTE:SETTLE): ${symbol}`);
  }
  return settle === undefined ? { base, quote } : { base, quote, settle };
}
