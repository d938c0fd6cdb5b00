import type { Market, PlaceOrderListRequest } from '../../../application/ports/exchange.js';
import { BinanceErrors } from './binance-errors.js';
import { CLIENT_ORDER_ID_RANGE, decimalParam, randomClientOrderId, type NewOrderRespType } from './order-params.js';
import type { RequestParams } from './request-params.js';
import type { SymbolTable } from './symbols.js';

/**
 * POST /api/v3/orderList/oco (issue 17): a take-profit LIMIT_MAKER leg and a STOP_LOSS or
 * STOP_LOSS_LIMIT leg for the same quantity and side. A SELL has the limit above (aboveType
 * LIMIT_MAKER) and the stop below; a BUY the stop above and the limit below. Binance's other
 * compositions (TAKE_PROFIT legs, two stops) are refused with -1014.
 */
export interface NewOrderList {
  readonly market: Market;
  readonly request: PlaceOrderListRequest;
  /** the legs' clientOrderIds as placed above and below the market */
  readonly aboveClientOrderId: string;
  readonly belowClientOrderId: string;
  readonly respType: NewOrderRespType;
}

const CLIENT_ORDER_ID = /^[a-zA-Z0-9_-]{1,36}$/;
/** Binance's leg types of an OCO; the sandbox takes LIMIT_MAKER against STOP_LOSS(_LIMIT). */
const LEG_TYPES = new Set(['LIMIT_MAKER', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);
/** Leg features Binance has and the sandbox does not simulate: refused rather than ignored. */
const UNSUPPORTED = ['aboveIcebergQty', 'belowIcebergQty', 'aboveTrailingDelta', 'belowTrailingDelta', 'aboveStrategyId', 'belowStrategyId'];

interface Leg {
  readonly clientOrderId: string;
  readonly type: 'LIMIT_MAKER' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT';
  readonly price?: string;
  readonly stopPrice?: string;
}

/** Validates the parameters; throws a BinanceError (-1102, -1106, -1100, -1013, -1014, -1115, -1116, -1117, -1121, -1020). */
export function parseNewOrderList(params: RequestParams, symbols: SymbolTable): NewOrderList {
  const symbolId = params.get('symbol');
  if (symbolId === undefined) throw BinanceErrors.mandatory('symbol');
  const market = symbols.market(symbolId);
  if (!market) throw BinanceErrors.invalidSymbol();
  const sideText = params.get('side');
  if (sideText === undefined) throw BinanceErrors.mandatory('side');
  if (sideText !== 'BUY' && sideText !== 'SELL') throw BinanceErrors.invalidSide();
  const quantity = decimalParam(params, 'quantity', BinanceErrors.invalidQuantity);
  if (quantity === undefined) throw BinanceErrors.mandatory('quantity');
  const listClientOrderId = clientOrderIdParam(params, 'listClientOrderId');
  const respTypeText = params.get('newOrderRespType') ?? 'FULL';
  if (respTypeText !== 'ACK' && respTypeText !== 'RESULT' && respTypeText !== 'FULL') throw BinanceErrors.illegalChars('newOrderRespType', 'ACK, RESULT, FULL');
  for (const name of UNSUPPORTED) if (params.has(name)) throw BinanceErrors.unsupportedOperation();

  const aboveType = legType(params, 'aboveType');
  const belowType = legType(params, 'belowType');
  const sell = sideText === 'SELL';
  const supported = sell ? aboveType === 'LIMIT_MAKER' && isStop(belowType) : isStop(aboveType) && belowType === 'LIMIT_MAKER';
  if (!supported) throw BinanceErrors.unsupportedOrderCombination();
  const above = leg(params, 'above', aboveType as Leg['type']);
  const below = leg(params, 'below', belowType as Leg['type']);
  const [limit, stop] = sell ? [above, below] : [below, above];
  const request: PlaceOrderListRequest = {
    listClientOrderId,
    symbol: market.symbol,
    side: sell ? 'sell' : 'buy',
    quantity,
    limitLeg: { clientOrderId: limit.clientOrderId, price: limit.price! },
    stopLeg: { clientOrderId: stop.clientOrderId, stopPrice: stop.stopPrice!, ...(stop.type === 'STOP_LOSS_LIMIT' ? { limitPrice: stop.price! } : {}) },
  };
  return { market, request, aboveClientOrderId: above.clientOrderId, belowClientOrderId: below.clientOrderId, respType: respTypeText };
}

function isStop(type: string): boolean {
  return type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
}

function legType(params: RequestParams, name: 'aboveType' | 'belowType'): string {
  const type = params.get(name);
  if (type === undefined) throw BinanceErrors.mandatory(name);
  if (!LEG_TYPES.has(type)) throw BinanceErrors.invalidOrderType();
  return type;
}

function clientOrderIdParam(params: RequestParams, name: string): string {
  const id = params.get(name) ?? randomClientOrderId();
  if (!CLIENT_ORDER_ID.test(id)) throw BinanceErrors.illegalChars(name, CLIENT_ORDER_ID_RANGE);
  return id;
}

/** One leg's parameters: LIMIT_MAKER takes a price only; STOP_LOSS a stopPrice only; STOP_LOSS_LIMIT both and timeInForce GTC. */
function leg(params: RequestParams, prefix: 'above' | 'below', type: Leg['type']): Leg {
  const clientOrderId = clientOrderIdParam(params, `${prefix}ClientOrderId`);
  const price = decimalParam(params, `${prefix}Price`, BinanceErrors.invalidPrice);
  const stopPrice = decimalParam(params, `${prefix}StopPrice`, BinanceErrors.invalidPrice);
  const timeInForce = params.get(`${prefix}TimeInForce`);
  const needs = { price: type !== 'STOP_LOSS', stopPrice: type !== 'LIMIT_MAKER', timeInForce: type === 'STOP_LOSS_LIMIT' };
  for (const [name, value, needed] of [
    [`${prefix}Price`, price, needs.price],
    [`${prefix}StopPrice`, stopPrice, needs.stopPrice],
    [`${prefix}TimeInForce`, timeInForce, needs.timeInForce],
  ] as const) {
    if (needed && value === undefined) throw BinanceErrors.mandatory(name);
    if (!needed && value !== undefined) throw BinanceErrors.notRequired(name);
  }
  if (timeInForce !== undefined && timeInForce !== 'GTC') throw BinanceErrors.invalidTimeInForce();
  return { clientOrderId, type, ...(price !== undefined ? { price } : {}), ...(stopPrice !== undefined ? { stopPrice } : {}) };
}
