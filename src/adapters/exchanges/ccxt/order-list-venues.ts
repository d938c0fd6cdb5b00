/**
 * Binance spot holds one-cancels-other lists natively (`POST /api/v3/orderList/oco`, issue 17);
 * every other venue gets PATRIOT-managed brackets. No imports: the lazy ccxt gateway asks before
 * ccxt is loaded.
 */
export function holdsOrderLists(exchangeId: string, marketType: string): boolean {
  return exchangeId === 'binance' && marketType === 'spot';
}
