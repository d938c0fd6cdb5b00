import type { Market, OrderSide, OrderType } from '../../../application/ports/exchange.js';
import type { ConditionalOrderType } from '../../../domain/events.js';
import { Dec, parseDec } from '../../../domain/shared/decimal.js';
import { BinanceErrors } from './binance-errors.js';
import { randomAlphanumeric } from './random-text.js';
import type { RequestParams } from './request-params.js';
import type { SymbolTable } from './symbols.js';

export type NewOrderRespType = 'ACK' | 'RESULT' | 'FULL';

export interface NewOrder {
  readonly market: Market;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** Base quantity; absent for a MARKET order sized by `quoteOrderQty`. */
  readonly quantity?: string;
  readonly quoteOrderQty?: string;
  readonly price?: string;
  /** STOP_LOSS(_LIMIT) / TAKE_PROFIT(_LIMIT): the trigger price (issue 17); absent for a trailing STOP_LOSS (from the price then) */
  readonly stopPrice?: string;
  /** a trailing STOP_LOSS: Binance's trailingDelta in basis points (issue 17) */
  readonly trailingDelta?: number;
  readonly respType: NewOrderRespType;
}

export const CLIENT_ORDER_ID_RANGE = '^[a-zA-Z0-9-_]{1,36}$';
const CLIENT_ORDER_ID = /^[a-zA-Z0-9_-]{1,36}$/;
const DECIMAL_RANGE = '^([0-9]{1,20})(\\.[0-9]{1,20})?$';
const DECIMAL = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;

/** A client order id like the ones Binance generates when none is sent (22 letters and digits). */
export function randomClientOrderId(): string {
  return randomAlphanumeric(22);
}

/** Parses a positive decimal parameter in Binance's format; throws -1100 / -1013. */
export function decimalParam(params: RequestParams, name: string, invalid: () => Error): string | undefined {
  const text = params.get(name);
  if (text === undefined) return undefined;
  if (!DECIMAL.test(text)) throw BinanceErrors.illegalChars(name, DECIMAL_RANGE);
  if (!new Dec(text).greaterThan(0)) throw invalid();
  return text;
}

/** Validates POST /api/v3/order parameters (spot LIMIT GTC and MARKET only). Throws a BinanceError. */
export function parseNewOrder(params: RequestParams, symbols: SymbolTable): NewOrder {
  const symbolId = params.get('symbol');
  if (symbolId === undefined) throw BinanceErrors.mandatory('symbol');
  const market = symbols.market(symbolId);
  if (!market) throw BinanceErrors.invalidSymbol();

  const sideText = params.get('side');
  if (sideText === undefined) throw BinanceErrors.mandatory('side');
  if (sideText !== 'BUY' && sideText !== 'SELL') throw BinanceErrors.invalidSide();
  const typeText = params.get('type');
  if (typeText === undefined) throw BinanceErrors.mandatory('type');
  if (typeText !== 'LIMIT' && typeText !== 'MARKET' && !(typeText in CONDITIONAL)) throw BinanceErrors.invalidOrderType();

  const clientOrderId = params.get('newClientOrderId') ?? randomClientOrderId();
  if (!CLIENT_ORDER_ID.test(clientOrderId)) throw BinanceErrors.illegalChars('newClientOrderId', CLIENT_ORDER_ID_RANGE);

  const respTypeText = params.get('newOrderRespType') ?? 'FULL';
  if (respTypeText !== 'ACK' && respTypeText !== 'RESULT' && respTypeText !== 'FULL') throw BinanceErrors.illegalChars('newOrderRespType', 'ACK, RESULT, FULL');

  const quantity = decimalParam(params, 'quantity', BinanceErrors.invalidQuantity);
  const base = { market, clientOrderId, side: sideText === 'BUY' ? 'buy' : 'sell', respType: respTypeText } as const;

  if (typeText in CONDITIONAL) return { ...base, ...parseConditional(params, CONDITIONAL[typeText]!, quantity) };

  if (typeText === 'LIMIT') {
    const timeInForce = params.get('timeInForce');
    if (timeInForce === undefined) throw BinanceErrors.mandatory('timeInForce');
    if (timeInForce !== 'GTC') throw BinanceErrors.invalidTimeInForce();
    if (params.has('quoteOrderQty')) throw BinanceErrors.notRequired('quoteOrderQty');
    if (quantity === undefined) throw BinanceErrors.mandatory('quantity');
    const price = decimalParam(params, 'price', BinanceErrors.invalidPrice);
    if (price === undefined) throw BinanceErrors.mandatory('price');
    return { ...base, type: 'limit', quantity, price };
  }

  if (params.has('timeInForce')) throw BinanceErrors.notRequired('timeInForce');
  if (params.has('price')) throw BinanceErrors.notRequired('price');
  const quoteOrderQty = decimalParam(params, 'quoteOrderQty', BinanceErrors.invalidQuantity);
  if (quantity !== undefined && quoteOrderQty !== undefined) throw BinanceErrors.badParamCombination();
  if (quantity === undefined && quoteOrderQty === undefined) throw BinanceErrors.eitherParam('quantity', 'quoteOrderQty');
  return quantity !== undefined ? { ...base, type: 'market', quantity } : { ...base, type: 'market', quoteOrderQty: quoteOrderQty! };
}

/**
 * The base quantity a MARKET order sized in quote spends at `price`: floored to the step size
 * (Binance fills quote-sized orders up to the amount, never over it before slippage).
 */
export function quantityForQuote(quoteOrderQty: string, price: string, stepSize: string): string {
  const step = new Dec(stepSize);
  const raw = new Dec(quoteOrderQty).dividedBy(parseDec(price) ?? new Dec(0));
  return raw.isFinite() ? raw.dividedToIntegerBy(step).times(step).toFixed() : '0';
}

// ---- stop and take-profit orders (issue 17): Binance spot's STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT

const CONDITIONAL: Readonly<Record<string, ConditionalOrderType>> = {
  STOP_LOSS: 'stop_market',
  STOP_LOSS_LIMIT: 'stop_limit',
  TAKE_PROFIT: 'take_profit',
  TAKE_PROFIT_LIMIT: 'take_profit_limit',
};

/** Binance's name of a conditional order type. */
export function binanceConditionalType(type: ConditionalOrderType): string {
  return Object.keys(CONDITIONAL).find((k) => CONDITIONAL[k] === type)!;
}

/** stopPrice is mandatory; the _LIMIT ones take price and timeInForce GTC, the others neither. */
function parseConditional(params: RequestParams, type: ConditionalOrderType, quantity: string | undefined): { type: ConditionalOrderType; quantity: string; stopPrice?: string; trailingDelta?: number; price?: string } {
  if (params.has('quoteOrderQty')) throw BinanceErrors.notRequired('quoteOrderQty');
  if (quantity === undefined) throw BinanceErrors.mandatory('quantity');
  const stopPrice = decimalParam(params, 'stopPrice', BinanceErrors.invalidPrice);
  const trailingText = params.get('trailingDelta');
  let trailingDelta: number | undefined;
  if (trailingText !== undefined) {
    // Binance's TRAILING_DELTA filter: 10..2000 basis points; this sandbox trails STOP_LOSS only
    if (!/^[0-9]{1,5}$/.test(trailingText) || Number(trailingText) < 10 || Number(trailingText) > 2000) throw BinanceErrors.filterFailure('TRAILING_DELTA');
    if (type !== 'stop_market') throw BinanceErrors.invalidOrderType();
    trailingDelta = Number(trailingText);
  }
  if (stopPrice === undefined && trailingDelta === undefined) throw BinanceErrors.mandatory('stopPrice');
  if (type === 'stop_market' || type === 'take_profit') {
    if (params.has('timeInForce')) throw BinanceErrors.notRequired('timeInForce');
    if (params.has('price')) throw BinanceErrors.notRequired('price');
    return { type, quantity, ...(stopPrice !== undefined ? { stopPrice } : {}), ...(trailingDelta !== undefined ? { trailingDelta } : {}) };
  }
  if (stopPrice === undefined) throw BinanceErrors.mandatory('stopPrice');
  const timeInForce = params.get('timeInForce');
  if (timeInForce === undefined) throw BinanceErrors.mandatory('timeInForce');
  if (timeInForce !== 'GTC') throw BinanceErrors.invalidTimeInForce();
  const price = decimalParam(params, 'price', BinanceErrors.invalidPrice);
  if (price === undefined) throw BinanceErrors.mandatory('price');
  return { type, quantity, stopPrice, price };
}
