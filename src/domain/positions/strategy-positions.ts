import { Dec, ZERO } from '../shared/decimal.js';

/**
 * Positions attributed per strategy within one account: every fill carries the strategy whose
 * order it was (OrderFilled.strategyId), so each strategy's signed base position in a symbol is the
 * sum of its own fills. The account's position is the sum over its strategies (fills are the only
 * source of positions). Pure and immutable: `applyStrategyFill` returns a new book.
 */
export type StrategyPositionBook = ReadonlyMap<string, ReadonlyMap<string, Dec>>;

export const EMPTY_BOOK: StrategyPositionBook = new Map();

export interface StrategyFill {
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: Dec;
}

/** The book after one fill of one strategy's order. */
export function applyStrategyFill(book: StrategyPositionBook, fill: StrategyFill): StrategyPositionBook {
  const signed = fill.side === 'buy' ? fill.quantity : fill.quantity.negated();
  const bySymbol = new Map(book.get(fill.strategyId) ?? []);
  const next = (bySymbol.get(fill.symbol) ?? ZERO).plus(signed);
  if (next.isZero()) bySymbol.delete(fill.symbol);
  else bySymbol.set(fill.symbol, next);
  const out = new Map(book);
  if (bySymbol.size === 0) out.delete(fill.strategyId);
  else out.set(fill.strategyId, bySymbol);
  return out;
}

/** The strategy's signed position in a symbol (0 when none). */
export function strategyPosition(book: StrategyPositionBook, strategyId: string, symbol: string): Dec {
  return book.get(strategyId)?.get(symbol) ?? ZERO;
}

/** The strategies holding a position in the symbol, by strategy id. */
export function holdersOf(book: StrategyPositionBook, symbol: string): { readonly strategyId: string; readonly quantity: Dec }[] {
  const out: { strategyId: string; quantity: Dec }[] = [];
  for (const [strategyId, bySymbol] of book) {
    const quantity = bySymbol.get(symbol);
    if (quantity !== undefined && !quantity.isZero()) out.push({ strategyId, quantity });
  }
  return out.sort((a, b) => (a.strategyId < b.strategyId ? -1 : a.strategyId > b.strategyId ? 1 : 0));
}
