import type { ExchangeOrder, Market } from '../../../application/ports/exchange.js';
import { BinanceErrors, type BinanceError } from './binance-errors.js';
import type { RequestParams } from './request-params.js';
import type { ApiCall, SpotApiDeps } from './routes.js';
import { timesOf, type OrderTimes } from './wire-format.js';

export interface FoundOrder {
  readonly market: Market;
  readonly order: ExchangeOrder;
  readonly times: OrderTimes;
}

/** The listed market named by the required `symbol` parameter (-1102 / -1121). */
export function requiredMarket(deps: SpotApiDeps, params: RequestParams): Market {
  const id = params.get('symbol');
  if (id === undefined) throw BinanceErrors.mandatory('symbol');
  const market = deps.symbols.market(id);
  if (!market) throw BinanceErrors.invalidSymbol();
  return market;
}

/** The optional `symbol` filter; undefined when not sent. */
export function optionalMarket(deps: SpotApiDeps, params: RequestParams): Market | undefined {
  return params.has('symbol') ? requiredMarket(deps, params) : undefined;
}

/** Parses an integer id parameter (-1100 when malformed). */
export function idParam(params: RequestParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === undefined) return undefined;
  if (!/^\d{1,18}$/.test(text)) throw BinanceErrors.illegalChars(name, '^[0-9]{1,20}$');
  return Number(text);
}

/**
 * The order named by `orderId` (takes precedence, as on Binance) or `origClientOrderId` on
 * `symbol`; `missing` is thrown when there is none, or when it is hidden by an `invisible` fault
 * and `respectHidden` is set.
 */
export async function findOrder(deps: SpotApiDeps, call: ApiCall, missing: () => BinanceError, respectHidden: boolean): Promise<FoundOrder> {
  const market = requiredMarket(deps, call.params);
  const orderId = idParam(call.params, 'orderId');
  const origClientOrderId = call.params.get('origClientOrderId');
  if (orderId === undefined && origClientOrderId === undefined) throw BinanceErrors.eitherParam('origClientOrderId', 'orderId');
  let clientOrderId = origClientOrderId;
  if (orderId !== undefined) {
    const indexed = deps.index.byOrderId(call.accountId, orderId);
    if (!indexed) throw missing();
    clientOrderId = indexed.clientOrderId;
  }
  const order = await deps.exchange.fetchOrder(call.accountId, clientOrderId!);
  if (!order || order.symbol !== market.symbol) throw missing();
  if (orderId !== undefined && Number(order.exchangeOrderId) !== orderId) throw missing();
  if (respectHidden && deps.hidden.isHidden(call.accountId, Number(order.exchangeOrderId), call.now)) throw missing();
  const indexed = deps.index.byOrderId(call.accountId, Number(order.exchangeOrderId));
  return { market, order, times: timesOf(order, indexed, call.now) };
}
