import type { Portfolio } from '../../domain/portfolio/portfolio.js';
import type { SizingBasis } from '../../domain/sizing/sizing-modes.js';
import { valuePortfolio } from '../../domain/portfolio/valuation.js';
import { ZERO, type Dec } from '../../domain/shared/decimal.js';

/**
 * What percent and risk sizing take a share of, in the account's quote asset: equity = the quote
 * balance + other holdings at their `ASSET/QUOTE` price + the unrealised PnL of derivative positions
 * (a spot position's value is already in its base balance). Holdings without a price are left out,
 * so an unknown price can only make an order smaller. The available quote is the quote balance.
 */
export function sizingBasisOf(portfolio: Portfolio, mark: (symbol: string) => Dec | undefined): SizingBasis {
  const balances = [...portfolio.balances].map(([asset, total]) => ({ asset, total }));
  const derivatives = [...portfolio.positions]
    .filter(([symbol, p]) => symbol.includes(':') && !p.quantity.isZero())
    .map(([symbol, p]) => ({ symbol, quantity: p.quantity, averageEntryPrice: p.averageEntryPrice }));
  const valued = valuePortfolio({ quoteAsset: portfolio.quoteAsset, balances, positions: derivatives, mark });
  return { equity: valued.equity.plus(valued.unrealizedPnl), availableQuote: portfolio.balances.get(portfolio.quoteAsset) ?? ZERO };
}
