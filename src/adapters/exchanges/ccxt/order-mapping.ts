import type { Balance, ExchangeFill, ExchangeOrder, ExchangeOrderStatus, Market, OrderSide, OrderType } from '../../../application/ports/exchange.js';
import { Dec, ZERO, decToString, parseDec } from '../../../domain/shared/decimal.js';
import type { CcxtBalancesLike, CcxtMarketLike, CcxtOrderLike, CcxtTradeLike, NumLike } from './ccxt-types.js';
import { PrecisionMode, incrementAt } from './order-validation.js';
import { hasLimitPrice, isConditional } from '../../../domain/orders/order-types.js';
import type { ConditionalOrderType } from '../../../domain/events.js';

/**
 * ccxt → port structures. ccxt hands out numbers parsed from the exchange's decimal text; the
 * shortest representation of such a double (`String(n)`) is that decimal again for up to 15
 * significant digits, so every number is turned into a `Dec` via its string form at once and
 * never used in arithmetic as a float.
 */

export class OrderMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderMappingError';
  }
}

export function toDec(value: NumLike): Dec | undefined {
  if (value === null || value === undefined) return undefined;
  return parseDec(value);
}

/** The symbol the rest of PATRIOT uses: "BTC/USDT" for spot and for a linear swap "BTC/USDT:USDT". */
export function portSymbolOf(market: CcxtMarketLike): string {
  if (market.contract === true && market.swap === true && market.linear === true) return `${market.base}/${market.quote}`;
  return market.symbol;
}

/** Base units per unit of ccxt amount (contract size for derivatives, 1 otherwise). */
export function contractSizeOf(market: CcxtMarketLike | undefined): Dec {
  if (!market || market.contract !== true) return new Dec(1);
  const size = toDec(market.contractSize);
  return size && size.greaterThan(0) ? size : new Dec(1);
}

/** What the caller asked for, to fill in what a sparse ccxt answer lacks (Bybit/OKX create answers carry only ids). */
export interface OrderFallback {
  readonly clientOrderId?: string;
  readonly side?: OrderSide;
  readonly type?: OrderType;
  /** base quantity */
  readonly quantity?: string;
  readonly limitPrice?: string;
}

export interface MappingContext {
  readonly market?: CcxtMarketLike;
  /** the symbol to report */
  readonly symbol: string;
  readonly fallback?: OrderFallback;
  /** time of a fill that carries none */
  readonly now: () => number;
}

function side(value: unknown): OrderSide | undefined {
  return value === 'buy' || value === 'sell' ? value : undefined;
}

function orderType(value: unknown): OrderType | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.toLowerCase();
  if (t === 'market' || t === 'limit') return t;
  if (t.includes('market')) return 'market';
  if (t.includes('limit')) return 'limit';
  return undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function isoTime(trade: CcxtTradeLike, now: () => number): string {
  if (typeof trade.datetime === 'string' && trade.datetime.length > 0) return trade.datetime;
  if (typeof trade.timestamp === 'number' && Number.isFinite(trade.timestamp)) return new Date(trade.timestamp).toISOString();
  return new Date(now()).toISOString();
}

function feeOf(trade: CcxtTradeLike, defaultCurrency: string): { fee: Dec; currency: string } {
  const fees = trade.fees && trade.fees.length > 0 ? trade.fees : trade.fee ? [trade.fee] : [];
  const first = fees.find((f) => toDec(f.cost) !== undefined);
  if (!first) return { fee: ZERO, currency: defaultCurrency };
  const currency = nonEmpty(first.currency) ?? defaultCurrency;
  // the port has one fee per fill: sum the fees in the first fee's currency
  const total = fees.filter((f) => (nonEmpty(f.currency) ?? defaultCurrency) === currency).reduce((sum, f) => sum.plus(toDec(f.cost) ?? ZERO), ZERO);
  return { fee: total, currency };
}

/**
 * A ccxt trade as a fill of `order`. `undefined` when it cannot be recorded idempotently or is
 * not a fill (no trade id, no positive amount or price).
 */
export function mapTrade(trade: CcxtTradeLike, order: { clientOrderId: string; exchangeOrderId: string; side: OrderSide }, ctx: MappingContext): ExchangeFill | undefined {
  const tradeId = nonEmpty(trade.id);
  const amount = toDec(trade.amount);
  const price = toDec(trade.price);
  if (tradeId === undefined || !amount || !amount.greaterThan(0) || !price || !price.greaterThan(0)) return undefined;
  const { fee, currency } = feeOf(trade, ctx.market?.quote ?? '');
  return {
    tradeId,
    clientOrderId: order.clientOrderId,
    exchangeOrderId: nonEmpty(trade.order) ?? order.exchangeOrderId,
    symbol: ctx.symbol,
    side: side(trade.side) ?? order.side,
    quantity: decToString(amount.times(contractSizeOf(ctx.market))),
    price: decToString(price),
    fee: decToString(fee),
    feeCurrency: currency,
    liquidity: trade.takerOrMaker === 'maker' ? 'maker' : 'taker',
    time: isoTime(trade, ctx.now),
  };
}

function statusOf(ccxtStatus: unknown, filled: Dec, quantity: Dec | undefined): ExchangeOrderStatus {
  switch (ccxtStatus) {
    case 'closed':
      return 'filled';
    case 'canceled':
    case 'cancelled':
      return 'cancelled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    case 'open':
      return filled.greaterThan(0) ? 'partially_filled' : 'open';
    default:
      // no status (e.g. Bybit's create answer): judge by the fill
      if (quantity && quantity.greaterThan(0) && filled.greaterThanOrEqualTo(quantity)) return 'filled';
      return filled.greaterThan(0) ? 'partially_filled' : 'open';
  }
}

/** A ccxt order as the port's `ExchangeOrder`; throws `OrderMappingError` when it lacks what cannot be guessed. */
export function mapOrder(order: CcxtOrderLike, ctx: MappingContext): ExchangeOrder {
  const fb = ctx.fallback ?? {};
  const size = contractSizeOf(ctx.market);
  const exchangeOrderId = nonEmpty(order.id);
  if (exchangeOrderId === undefined) throw new OrderMappingError(`order of ${ctx.symbol} without an exchange id`);
  const clientOrderId = nonEmpty(order.clientOrderId) ?? fb.clientOrderId;
  if (clientOrderId === undefined) throw new OrderMappingError(`order ${exchangeOrderId} without a clientOrderId`);
  const orderSide = side(order.side) ?? fb.side;
  if (orderSide === undefined) throw new OrderMappingError(`order ${exchangeOrderId} without a side`);
  const trigger = toDec(order.triggerPrice);
  const type = conditionalTypeOf(order, trigger, fb.type) ?? orderType(order.type) ?? fb.type ?? (toDec(order.price) ? 'limit' : 'market');

  const amount = toDec(order.amount);
  const quantity = amount && amount.greaterThan(0) ? amount.times(size) : (fb.quantity !== undefined ? parseDec(fb.quantity) : undefined);

  const ids = { clientOrderId, exchangeOrderId, side: orderSide };
  const seen = new Set<string>();
  const fills: ExchangeFill[] = [];
  for (const trade of order.trades ?? []) {
    const fill = mapTrade(trade, ids, ctx);
    if (fill && !seen.has(fill.tradeId)) {
      seen.add(fill.tradeId);
      fills.push(fill);
    }
  }
  const filledFromTrades = fills.reduce((sum, f) => sum.plus(f.quantity), ZERO);
  const filledReported = toDec(order.filled);
  const filled = filledReported ? filledReported.times(size) : filledFromTrades;

  const limitPrice = hasLimitPrice(type) ? (toDec(order.price) ?? (fb.limitPrice !== undefined ? parseDec(fb.limitPrice) : undefined)) : undefined;
  return {
    clientOrderId,
    exchangeOrderId,
    symbol: ctx.symbol,
    side: orderSide,
    type,
    quantity: decToString(quantity ?? ZERO),
    ...(limitPrice && limitPrice.greaterThan(0) ? { limitPrice: decToString(limitPrice) } : {}),
    ...(isConditional(type) && trigger && trigger.greaterThan(0) ? { stopPrice: decToString(trigger) } : {}),
    filledQuantity: decToString(filled),
    status: statusOf(order.status, filled, quantity),
    fills,
    ...orderListOf(order.info),
  };
}

/** The one-cancels-other list an order is a leg of (Binance's `orderListId`; -1 for none). */
function orderListOf(info: unknown): { orderListId?: string } {
  const id = info !== null && typeof info === 'object' ? (info as { orderListId?: unknown }).orderListId : undefined;
  const text = typeof id === 'number' || typeof id === 'string' ? String(id) : '';
  return /^\d+$/.test(text) ? { orderListId: text } : {};
}

/** Sum of the fills' quantities. */
export function filledByFills(order: ExchangeOrder): Dec {
  return order.fills.reduce((sum, f) => sum.plus(f.quantity), ZERO);
}

const BALANCE_META = new Set(['info', 'timestamp', 'datetime', 'free', 'used', 'total', 'debt']);

/** ccxt's balance structure as the port's balances; assets with nothing at all are left out. */
export function mapBalances(balances: CcxtBalancesLike): Balance[] {
  const out: Balance[] = [];
  for (const [asset, entry] of Object.entries(balances)) {
    if (BALANCE_META.has(asset) || entry === null || typeof entry !== 'object') continue;
    const e = entry as { free?: NumLike; used?: NumLike; total?: NumLike };
    const free = toDec(e.free);
    const used = toDec(e.used);
    const total = toDec(e.total) ?? (free || used ? (free ?? ZERO).plus(used ?? ZERO) : undefined);
    const available = free ?? (total ? total.minus(used ?? ZERO) : undefined);
    if (!total && !available) continue;
    if ((total ?? ZERO).isZero() && (available ?? ZERO).isZero()) continue;
    out.push({ asset, total: decToString(total ?? available ?? ZERO), available: decToString(available ?? ZERO) });
  }
  return out.sort((a, b) => a.asset.localeCompare(b.asset));
}

/** A ccxt market as the port's `Market` (quantities in base units; "0" = no limit / no increment). */
export function toPortMarket(market: CcxtMarketLike, precisionMode: number): Market {
  const size = contractSizeOf(market);
  const one = new Dec(1);
  const tick = precisionMode === PrecisionMode.SIGNIFICANT_DIGITS ? undefined : incrementAt(market.precision.price, precisionMode, one);
  const step = precisionMode === PrecisionMode.SIGNIFICANT_DIGITS ? undefined : incrementAt(market.precision.amount, precisionMode, one);
  const positive = (v: NumLike) => {
    const d = toDec(v);
    return d && d.greaterThan(0) ? d : undefined;
  };
  const minQty = positive(market.limits.amount?.min) ?? step;
  const maxQty = positive(market.limits.amount?.max);
  return {
    symbol: portSymbolOf(market),
    base: market.base,
    quote: market.quote,
    tickSize: decToString(tick ?? ZERO),
    stepSize: decToString(step ? step.times(size) : ZERO),
    minQty: decToString(minQty ? minQty.times(size) : ZERO),
    maxQty: decToString(maxQty ? maxQty.times(size) : ZERO),
    minNotional: decToString(positive(market.limits.cost?.min) ?? ZERO),
  };
}

/** Binance's (and Binance-compatible venues') names of the conditional order types (issue 17). */
const NATIVE_CONDITIONAL: Readonly<Record<string, ConditionalOrderType>> = {
  STOP_LOSS: 'stop_market', STOP_LOSS_LIMIT: 'stop_limit', TAKE_PROFIT: 'take_profit', TAKE_PROFIT_LIMIT: 'take_profit_limit',
};

/**
 * A stop / take-profit: ccxt's unified type says only market or limit, so the venue's own type
 * names it (Binance's info.type), else the type it was sent as when the order carries a trigger.
 */
function conditionalTypeOf(order: CcxtOrderLike, trigger: Dec | undefined, sent: OrderType | undefined): ConditionalOrderType | undefined {
  const info = order.info;
  const native = info !== null && typeof info === 'object' ? (info as { type?: unknown }).type : undefined;
  if (typeof native === 'string' && Object.hasOwn(NATIVE_CONDITIONAL, native)) return NATIVE_CONDITIONAL[native];
  if (trigger && trigger.greaterThan(0) && sent !== undefined && isConditional(sent)) return sent;
  return undefined;
}
