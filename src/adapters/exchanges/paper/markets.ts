import type { Market } from '../../../application/ports/exchange.js';

/**
 * Spot markets listed by the built-in paper exchange. Filters mirror Binance spot
 * (PRICE_FILTER tickSize, LOT_SIZE stepSize/minQty/maxQty, NOTIONAL minNotional).
 */
export const PAPER_MARKETS: readonly Market[] = Object.freeze([
  Object.freeze({
    symbol: 'BTC/USDT',
    base: 'BTC',
    quote: 'USDT',
    tickSize: '0.01',
    stepSize: '0.00001',
    minQty: '0.00001',
    maxQty: '9000',
    minNotional: '5',
  }),
  Object.freeze({
    symbol: 'ETH/USDT',
    base: 'ETH',
    quote: 'USDT',
    tickSize: '0.01',
    stepSize: '0.0001',
    minQty: '0.0001',
    maxQty: '9000',
    minNotional: '5',
  }),
  Object.freeze({
    symbol: 'SOL/USDT',
    base: 'SOL',
    quote: 'USDT',
    tickSize: '0.01',
    stepSize: '0.001',
    minQty: '0.001',
    maxQty: '90000',
    minNotional: '5',
  }),
]);

/** Realistic start prices for the synthetic feed (decimal strings). */
export const PAPER_START_PRICES: Readonly<Record<string, string>> = Object.freeze({
  'BTC/USDT': '97000',
  'ETH/USDT': '3400',
  'SOL/USDT': '190',
});

export function findMarket(markets: readonly Market[], symbol: string): Market | undefined {
  return markets.find((m) => m.symbol === symbol);
}
