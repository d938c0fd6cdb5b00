import { Dec, ZERO } from '../shared/decimal.js';
import { splitSymbol } from './balances.js';

export interface ValuationBalance {
  readonly asset: string;
  readonly total: Dec;
}

export interface ValuationPosition {
  readonly symbol: string;
  /** signed: long > 0, short < 0 */
  readonly quantity: Dec;
  readonly averageEntryPrice: Dec;
}

export interface ValuationInput {
  /** the asset equity is expressed in (the account's quote asset, e.g. USDT) */
  readonly quoteAsset: string;
  readonly balances: readonly ValuationBalance[];
  readonly positions: readonly ValuationPosition[];
  /** latest price of a unified symbol (`BTC/USDT`, `BTC/USDT:USDT`); undefined when unknown */
  readonly mark: (symbol: string) => Dec | undefined;
}

export interface Valuation {
  /** quote balance + every other asset's balance × its `ASSET/QUOTE` price */
  readonly equity: Dec;
  /** Σ over open positions of (mark − average entry) × signed quantity */
  readonly unrealizedPnl: Dec;
  /**
   * What could not be valued, sorted and without repeats: assets with a non-zero balance and no
   * `ASSET/QUOTE` price (left out of equity), and symbols of open positions without a mark
   * price (left out of unrealised PnL).
   */
  readonly unpriced: string[];
}

/**
 * Values one account's portfolio in its quote asset. Pure: prices come in through `mark`.
 *
 * Equity counts spot balances only (a linear position's PnL is not a balance yet), so a
 * perpetual's unrealised PnL is reported next to equity, not inside it. A zero balance of an
 * unpriced asset is not "unpriced" (it adds nothing whatever its price). A position's PnL is in
 * its symbol's quote asset; when that is not the account's quote asset it is converted at
 * `QUOTE/ACCOUNT_QUOTE`. A position whose symbol is not a unified symbol, or lacks a price, is
 * reported as unpriced rather than throwing.
 */
export function valuePortfolio(input: ValuationInput): Valuation {
  const unpriced = new Set<string>();
  let equity: Dec = ZERO;
  for (const balance of input.balances) {
    if (balance.asset === input.quoteAsset) {
      equity = equity.plus(balance.total);
      continue;
    }
    if (balance.total.isZero()) continue;
    const price = input.mark(`${balance.asset}/${input.quoteAsset}`);
    if (price === undefined) {
      unpriced.add(balance.asset);
      continue;
    }
    equity = equity.plus(balance.total.times(price));
  }

  let unrealizedPnl: Dec = ZERO;
  for (const position of input.positions) {
    if (position.quantity.isZero()) continue;
    const quote = quoteOf(position.symbol);
    const price = quote === undefined ? undefined : input.mark(position.symbol);
    // PnL accrues in the symbol's quote asset; another quote than the account's is converted at QUOTE/ACCOUNT_QUOTE
    const conversion = quote === undefined || quote === input.quoteAsset ? ONE : input.mark(`${quote}/${input.quoteAsset}`);
    if (price === undefined || conversion === undefined) {
      unpriced.add(position.symbol);
      continue;
    }
    unrealizedPnl = unrealizedPnl.plus(price.minus(position.averageEntryPrice).times(position.quantity).times(conversion));
  }

  return { equity, unrealizedPnl, unpriced: [...unpriced].sort() };
}

const ONE: Dec = new Dec(1);

function quoteOf(symbol: string): string | undefined {
  try {
    return splitSymbol(symbol).quote;
  } catch {
    return undefined;
  }
}
