import type { NativeTrigger, NativeTriggerSupport } from '../../../domain/orders/native-triggers.js';
import type { CcxtMarketLike } from './ccxt-types.js';
import type { ExchangeFamily } from './exchange-family.js';
import type { MarketType } from './exchange-profiles.js';

/** Binance's names of the conditional order types a symbol lists in exchangeInfo `orderTypes`. */
const BINANCE_TYPES: Readonly<Record<string, NativeTrigger>> = {
  STOP_LOSS: 'stop_market', STOP_LOSS_LIMIT: 'stop_limit', TAKE_PROFIT: 'take_profit', TAKE_PROFIT_LIMIT: 'take_profit_limit',
};

/** Binance spot trails by `trailingDelta` in basis points, 10 to 2000: 0.1 % to 20 %. */
const BINANCE_TRAILING = { min: '0.1', max: '20' } as const;

/** Stops and take-profits through ccxt's unified trigger params; no trailing (PATRIOT trails). */
const TRIGGERS_ONLY: readonly NativeTrigger[] = ['stop_market', 'stop_limit', 'take_profit', 'take_profit_limit'];

/**
 * What the exchange holds natively on this market (issue 17; ADR-0018 "native or managed"); the
 * rest PATRIOT holds on the exchange's price:
 * - Binance spot: the types the symbol lists in exchangeInfo `orderTypes`; trailing by percent
 *   where `allowTrailingStop` (0.1 to 20 %); never trailing by price distance.
 * - Binance futures: none. ccxt (4.5.84) places their conditional orders as algo orders
 *   (`/fapi/v1/algoOrder`), which the look-up by clientOrderId does not find without ccxt's
 *   `trigger` flag: an order that cannot be looked up must not be sent (ADR-0011), so PATRIOT holds
 *   them and sends reduce-only market orders.
 * - Bybit, OKX and other ccxt venues: stops and take-profits through ccxt's unified
 *   `stopLossPrice` / `takeProfitPrice`; trailing stops are PATRIOT's (their trailing orders differ
 *   per venue and product, and ccxt does not unify them).
 */
export function nativeTriggersOf(family: ExchangeFamily, marketType: MarketType, market: CcxtMarketLike): NativeTriggerSupport {
  if (family === 'binance' && marketType === 'swap') return { nativeTriggers: [] };
  if (family !== 'binance' || marketType !== 'spot') return { nativeTriggers: TRIGGERS_ONLY };
  const info = market.info !== null && typeof market.info === 'object' ? (market.info as { orderTypes?: unknown; allowTrailingStop?: unknown }) : {};
  const listed = Array.isArray(info.orderTypes) ? info.orderTypes.filter((t): t is string => typeof t === 'string') : undefined;
  if (!listed) return {}; // no list: the legacy assumption (every type, trailing by percent)
  const kinds = listed.flatMap((t) => (Object.hasOwn(BINANCE_TYPES, t) ? [BINANCE_TYPES[t]!] : []));
  const trailing = info.allowTrailingStop === true && listed.includes('STOP_LOSS');
  return { nativeTriggers: trailing ? [...kinds, 'trailing_percent'] : kinds, ...(trailing ? { trailingPercentRange: BINANCE_TRAILING } : {}) };
}
