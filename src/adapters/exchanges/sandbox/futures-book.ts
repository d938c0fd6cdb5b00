import type { Market } from '../../../application/ports/exchange.js';
import { Dec, ZERO } from '../../../domain/shared/decimal.js';
import { BinanceErrors } from './binance-errors.js';

/**
 * The sandbox's USDⓈ-M futures accounts (issue 17): one USDT wallet per account, one-way mode
 * (positionSide BOTH), a signed position per symbol, leverage and margin type per symbol.
 * MARKET orders fill at the feed's price as taker; a LIMIT order that crosses fills at once,
 * otherwise it rests until the price reaches it (then it fills at its price as maker).
 * Rules that matter for money: initial margin = notional / leverage against the available
 * balance (-2019), a reduce-only order that would grow or flip the position is refused (-2022),
 * leverage within the symbol's bracket (-4028), margin type not changed with a position (-4048)
 * or open orders (-4047), the same margin type again answers -4046.
 */

export type MarginType = 'ISOLATED' | 'CROSSED';
export type FuturesSide = 'BUY' | 'SELL';
export type FuturesOrderType = 'MARKET' | 'LIMIT';
export type FuturesOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';

export interface SymbolSettings {
  readonly leverage: number;
  readonly marginType: MarginType;
}

export interface FuturesOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: FuturesSide;
  readonly type: FuturesOrderType;
  readonly origQty: Dec;
  readonly price: Dec | undefined;
  readonly reduceOnly: boolean;
  readonly time: number;
  status: FuturesOrderStatus;
  executedQty: Dec;
  cumQuote: Dec;
  updateTime: number;
}

export interface FuturesTrade {
  readonly id: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: FuturesSide;
  readonly price: Dec;
  readonly qty: Dec;
  readonly commission: Dec;
  readonly realizedPnl: Dec;
  readonly maker: boolean;
  readonly time: number;
}

export interface FuturesPosition {
  readonly symbol: string;
  /** signed: > 0 long, < 0 short */
  readonly amount: Dec;
  readonly entryPrice: Dec;
  readonly settings: SymbolSettings;
}

/** What happened on an account, in order (specs read it to see settings applied before an order). */
export type FuturesJournalEntry =
  | { readonly kind: 'leverage'; readonly symbol: string; readonly leverage: number }
  | { readonly kind: 'marginType'; readonly symbol: string; readonly marginType: MarginType }
  | { readonly kind: 'order'; readonly symbol: string; readonly clientOrderId: string; readonly leverage: number; readonly marginType: MarginType };

export interface NewFuturesOrder {
  readonly market: Market;
  readonly clientOrderId: string;
  readonly side: FuturesSide;
  readonly type: FuturesOrderType;
  readonly quantity: Dec;
  readonly price?: Dec;
  readonly reduceOnly: boolean;
}

interface Account {
  wallet: Dec;
  readonly settings: Map<string, SymbolSettings>;
  readonly positions: Map<string, { amount: Dec; entryPrice: Dec }>;
  readonly orders: Map<number, FuturesOrder>;
  readonly byClientId: Map<string, number>;
  readonly trades: FuturesTrade[];
  readonly journal: FuturesJournalEntry[];
}

export const FUTURES_ASSET = 'USDT';
const DEFAULT_SETTINGS: SymbolSettings = { leverage: 20, marginType: 'CROSSED' };

export interface FuturesBookOptions {
  readonly priceOf: (symbol: string) => string | undefined;
  readonly takerBps: number;
  readonly makerBps: number;
  /** the highest leverage per unified symbol (default: 125 for BTC and ETH, 50 otherwise) */
  readonly maxLeverage?: Readonly<Record<string, number>>;
}

export class FuturesBook {
  private readonly accounts = new Map<string, Account>();
  private readonly maxLeverage = new Map<string, number>();
  private nextOrderId = 1;
  private nextTradeId = 1;

  constructor(private readonly options: FuturesBookOptions) {
    for (const [symbol, max] of Object.entries(options.maxLeverage ?? {})) this.maxLeverage.set(symbol, max);
  }

  openAccount(accountId: string, wallet: string): void {
    if (this.accounts.has(accountId)) return;
    this.accounts.set(accountId, { wallet: new Dec(wallet), settings: new Map(), positions: new Map(), orders: new Map(), byClientId: new Map(), trades: [], journal: [] });
  }

  hasAccount(accountId: string): boolean {
    return this.accounts.has(accountId);
  }

  maxLeverageOf(symbol: string): number {
    return this.maxLeverage.get(symbol) ?? (symbol.startsWith('BTC/') || symbol.startsWith('ETH/') ? 125 : 50);
  }

  setMaxLeverage(symbol: string, max: number): void {
    this.maxLeverage.set(symbol, max);
  }

  settings(accountId: string, symbol: string): SymbolSettings {
    return this.account(accountId).settings.get(symbol) ?? DEFAULT_SETTINGS;
  }

  journal(accountId: string): readonly FuturesJournalEntry[] {
    return [...this.account(accountId).journal];
  }

  wallet(accountId: string): Dec {
    return this.account(accountId).wallet;
  }

  setLeverage(accountId: string, market: Market, text: string): SymbolSettings {
    const account = this.account(accountId);
    if (!/^[0-9]{1,4}$/.test(text)) throw BinanceErrors.leverageNotValid(text);
    const leverage = Number(text);
    if (leverage < 1 || leverage > this.maxLeverageOf(market.symbol)) throw BinanceErrors.leverageNotValid(text);
    const next = { ...this.settings(accountId, market.symbol), leverage };
    // a lower leverage needs more margin for what is open: refused when the wallet cannot hold it
    const before = this.settings(accountId, market.symbol);
    account.settings.set(market.symbol, next);
    if (this.available(accountId).isNegative()) {
      account.settings.set(market.symbol, before);
      throw BinanceErrors.marginInsufficient();
    }
    account.journal.push({ kind: 'leverage', symbol: market.symbol, leverage });
    return next;
  }

  setMarginType(accountId: string, market: Market, text: string): SymbolSettings {
    const account = this.account(accountId);
    if (text !== 'ISOLATED' && text !== 'CROSSED') throw BinanceErrors.invalidMarginType();
    const current = this.settings(accountId, market.symbol);
    if (current.marginType === text) throw BinanceErrors.noNeedToChangeMarginType();
    if (!this.positionAmount(account, market.symbol).isZero()) throw BinanceErrors.marginTypeWithPosition();
    if (this.openOrders(accountId, market.symbol).length > 0) throw BinanceErrors.marginTypeWithOpenOrders();
    const next: SymbolSettings = { ...current, marginType: text };
    account.settings.set(market.symbol, next);
    account.journal.push({ kind: 'marginType', symbol: market.symbol, marginType: next.marginType });
    return next;
  }

  /** Places (and for MARKET or crossing LIMIT, fills) an order; throws a BinanceError for a refusal. */
  place(accountId: string, request: NewFuturesOrder, now: number): FuturesOrder {
    const account = this.account(accountId);
    const symbol = request.market.symbol;
    if (account.byClientId.has(request.clientOrderId)) throw BinanceErrors.futuresDuplicateOrder();
    const mark = this.mark(symbol);
    const position = this.positionAmount(account, symbol);
    const signed = request.side === 'BUY' ? request.quantity : request.quantity.negated();
    if (request.reduceOnly && !reduces(position, signed)) throw BinanceErrors.reduceOnlyRejected();
    const settings = this.settings(accountId, symbol);
    const price = request.price ?? mark;
    if (!request.reduceOnly && request.quantity.times(price).lessThan(request.market.minNotional)) throw BinanceErrors.notionalTooSmall(request.market.minNotional);
    const grows = growingPart(position, signed);
    if (grows.greaterThan(0)) {
      const margin = grows.times(price).dividedBy(settings.leverage);
      const fee = grows.times(price).times(this.options.takerBps).dividedBy(10_000);
      if (margin.plus(fee).greaterThan(this.available(accountId))) throw BinanceErrors.marginInsufficient();
    }
    const order: FuturesOrder = {
      orderId: this.nextOrderId++,
      clientOrderId: request.clientOrderId,
      symbol,
      side: request.side,
      type: request.type,
      origQty: request.quantity,
      price: request.price,
      reduceOnly: request.reduceOnly,
      time: now,
      status: 'NEW',
      executedQty: ZERO,
      cumQuote: ZERO,
      updateTime: now,
    };
    account.orders.set(order.orderId, order);
    account.byClientId.set(order.clientOrderId, order.orderId);
    account.journal.push({ kind: 'order', symbol, clientOrderId: order.clientOrderId, leverage: settings.leverage, marginType: settings.marginType });
    const crosses = request.type === 'MARKET' || (request.side === 'BUY' ? request.price!.greaterThanOrEqualTo(mark) : request.price!.lessThanOrEqualTo(mark));
    if (crosses) {
      const fillPrice = request.type === 'LIMIT' ? (request.side === 'BUY' ? Dec.min(request.price!, mark) : Dec.max(request.price!, mark)) : mark;
      this.fill(account, order, fillPrice, false, now);
    }
    return order;
  }

  cancel(accountId: string, order: FuturesOrder, now: number): FuturesOrder {
    if (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED') throw BinanceErrors.unknownOrderOnCancel();
    this.account(accountId);
    order.status = 'CANCELED';
    order.updateTime = now;
    return order;
  }

  find(accountId: string, symbol: string, ref: { orderId?: number; clientOrderId?: string }): FuturesOrder | undefined {
    const account = this.account(accountId);
    const id = ref.orderId ?? (ref.clientOrderId !== undefined ? account.byClientId.get(ref.clientOrderId) : undefined);
    const order = id === undefined ? undefined : account.orders.get(id);
    if (!order || order.symbol !== symbol) return undefined;
    if (ref.clientOrderId !== undefined && order.clientOrderId !== ref.clientOrderId) return undefined;
    return order;
  }

  orders(accountId: string, symbol: string): FuturesOrder[] {
    return [...this.account(accountId).orders.values()].filter((o) => o.symbol === symbol);
  }

  openOrders(accountId: string, symbol?: string): FuturesOrder[] {
    return [...this.account(accountId).orders.values()].filter((o) => (symbol === undefined || o.symbol === symbol) && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'));
  }

  trades(accountId: string, symbol: string): FuturesTrade[] {
    return this.account(accountId).trades.filter((t) => t.symbol === symbol);
  }

  /** Every symbol with a position or a setting, or `symbol`'s alone. */
  positions(accountId: string, symbol?: string): FuturesPosition[] {
    const account = this.account(accountId);
    const symbols = symbol !== undefined ? [symbol] : [...new Set([...account.positions.keys(), ...account.settings.keys()])];
    return symbols.map((s) => {
      const held = account.positions.get(s);
      return { symbol: s, amount: held?.amount ?? ZERO, entryPrice: held?.entryPrice ?? ZERO, settings: this.settings(accountId, s) };
    });
  }

  unrealized(position: FuturesPosition): Dec {
    if (position.amount.isZero()) return ZERO;
    return this.mark(position.symbol).minus(position.entryPrice).times(position.amount);
  }

  initialMargin(position: FuturesPosition): Dec {
    return position.amount.abs().times(position.entryPrice).dividedBy(position.settings.leverage);
  }

  /** Initial margin held by the open orders that would grow a position. */
  orderMargin(accountId: string): Dec {
    const account = this.account(accountId);
    let sum = ZERO;
    for (const order of this.openOrders(accountId)) {
      const left = order.origQty.minus(order.executedQty);
      const grows = growingPart(this.positionAmount(account, order.symbol), order.side === 'BUY' ? left : left.negated());
      sum = sum.plus(grows.times(order.price ?? this.mark(order.symbol)).dividedBy(this.settings(accountId, order.symbol).leverage));
    }
    return sum;
  }

  /** wallet + unrealized PnL − initial margin of positions and open orders. */
  available(accountId: string): Dec {
    let sum = this.wallet(accountId).minus(this.orderMargin(accountId));
    for (const position of this.positions(accountId)) sum = sum.plus(this.unrealized(position)).minus(this.initialMargin(position));
    return sum;
  }

  /** A price tick: resting LIMIT orders the price reached fill at their price. */
  onPrice(symbol: string, price: string, now: number): void {
    const mark = new Dec(price);
    for (const [accountId, account] of this.accounts) {
      for (const order of this.openOrders(accountId, symbol)) {
        if (order.type !== 'LIMIT') continue;
        const reached = order.side === 'BUY' ? mark.lessThanOrEqualTo(order.price!) : mark.greaterThanOrEqualTo(order.price!);
        if (!reached) continue;
        const left = order.origQty.minus(order.executedQty);
        if (order.reduceOnly && !reduces(this.positionAmount(account, symbol), order.side === 'BUY' ? left : left.negated())) {
          order.status = 'EXPIRED';
          order.updateTime = now;
          continue;
        }
        this.fill(account, order, order.price!, true, now);
      }
    }
  }

  private fill(account: Account, order: FuturesOrder, price: Dec, maker: boolean, now: number): void {
    const qty = order.origQty.minus(order.executedQty);
    const signed = order.side === 'BUY' ? qty : qty.negated();
    const held = account.positions.get(order.symbol) ?? { amount: ZERO, entryPrice: ZERO };
    let realized = ZERO;
    let amount: Dec;
    let entryPrice: Dec;
    if (held.amount.isZero() || held.amount.isNegative() === signed.isNegative()) {
      amount = held.amount.plus(signed);
      entryPrice = held.amount.abs().times(held.entryPrice).plus(qty.times(price)).dividedBy(amount.abs());
    } else {
      const closed = Dec.min(qty, held.amount.abs());
      realized = price.minus(held.entryPrice).times(closed).times(held.amount.isNegative() ? -1 : 1);
      amount = held.amount.plus(signed);
      entryPrice = amount.isZero() ? ZERO : amount.isNegative() === held.amount.isNegative() ? held.entryPrice : price;
    }
    const commission = qty.times(price).times(maker ? this.options.makerBps : this.options.takerBps).dividedBy(10_000);
    account.wallet = account.wallet.plus(realized).minus(commission);
    account.positions.set(order.symbol, { amount, entryPrice });
    account.trades.push({ id: this.nextTradeId++, orderId: order.orderId, symbol: order.symbol, side: order.side, price, qty, commission, realizedPnl: realized, maker, time: now });
    order.executedQty = order.origQty;
    order.cumQuote = order.cumQuote.plus(qty.times(price));
    order.status = 'FILLED';
    order.updateTime = now;
  }

  private positionAmount(account: Account, symbol: string): Dec {
    return account.positions.get(symbol)?.amount ?? ZERO;
  }

  private mark(symbol: string): Dec {
    const price = this.options.priceOf(symbol);
    if (price === undefined) throw BinanceErrors.noLiquidity();
    return new Dec(price);
  }

  private account(accountId: string): Account {
    const account = this.accounts.get(accountId);
    if (!account) throw BinanceErrors.rejectedApiKey();
    return account;
  }
}

/** True when a signed order quantity only shrinks the position (never grows or flips it). */
export function reduces(position: Dec, signed: Dec): boolean {
  if (position.isZero()) return false;
  if (position.isNegative() === signed.isNegative()) return false;
  return signed.abs().lessThanOrEqualTo(position.abs());
}

/** The part of a signed order quantity that opens or grows a position (what needs initial margin). */
export function growingPart(position: Dec, signed: Dec): Dec {
  if (position.isZero() || position.isNegative() === signed.isNegative()) return signed.abs();
  return Dec.max(ZERO, signed.abs().minus(position.abs()));
}
