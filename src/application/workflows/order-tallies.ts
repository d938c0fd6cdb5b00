import { ZERO, type Dec } from '../../domain/shared/decimal.js';

/** A signal's own market order approved and not final: what of it is still to fill, signed (a sell is negative). */
export interface InFlightOrder {
  readonly accountId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly signedOpen: Dec;
}

const key = (accountId: string, symbol: string, strategyId?: string): string =>
  strategyId === undefined ? `${accountId}\u0000${symbol}` : `${accountId}\u0000${symbol}\u0000${strategyId}`;

/**
 * The market orders in flight and their sums per account and symbol, and per account, symbol and
 * strategy (exact: decimals), kept as orders come and go. Routing asks for a sum on every order it
 * sizes, and a burst of alerts leaves thousands in flight: summing them at each ask made a burst
 * quadratic (issue 18).
 */
export class InFlightOrders {
  private readonly orders = new Map<string, InFlightOrder>();
  private readonly sums = new Map<string, Dec>();

  get(clientOrderId: string): InFlightOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  /** Puts the order's new state (undefined: no longer in flight). */
  set(clientOrderId: string, next: InFlightOrder | undefined): void {
    const previous = this.orders.get(clientOrderId);
    if (previous) this.add(previous, previous.signedOpen.negated());
    if (next) {
      this.orders.set(clientOrderId, next);
      this.add(next, next.signedOpen);
    } else {
      this.orders.delete(clientOrderId);
    }
  }

  /** The signed quantity still to fill of the account's in-flight orders in a symbol (of one strategy, or all). */
  quantity(accountId: string, symbol: string, strategyId?: string): Dec {
    return this.sums.get(key(accountId, symbol, strategyId)) ?? ZERO;
  }

  private add(order: InFlightOrder, signed: Dec): void {
    for (const k of [key(order.accountId, order.symbol), key(order.accountId, order.symbol, order.strategyId)]) {
      const sum = (this.sums.get(k) ?? ZERO).plus(signed);
      if (sum.isZero()) this.sums.delete(k);
      else this.sums.set(k, sum);
    }
  }
}

/**
 * Each account's open (live) orders counted per symbol as orders come and go: the open-order cap
 * and the symbols whose prices must be followed, without walking every open order (issue 18).
 */
export class OpenOrderCounts {
  private readonly byAccount = new Map<string, Map<string, number>>();

  add(accountId: string, symbol: string, delta: 1 | -1): void {
    let bySymbol = this.byAccount.get(accountId);
    if (!bySymbol) this.byAccount.set(accountId, (bySymbol = new Map()));
    const count = (bySymbol.get(symbol) ?? 0) + delta;
    if (count > 0) bySymbol.set(symbol, count);
    else bySymbol.delete(symbol);
  }

  /** Open orders of the account, of one symbol or all. */
  count(accountId: string, symbol?: string): number {
    const bySymbol = this.byAccount.get(accountId);
    if (!bySymbol) return 0;
    if (symbol !== undefined) return bySymbol.get(symbol) ?? 0;
    let total = 0;
    for (const n of bySymbol.values()) total += n;
    return total;
  }

  /** The symbols the account has open orders in. */
  symbols(accountId: string): Iterable<string> {
    return this.byAccount.get(accountId)?.keys() ?? [];
  }
}
