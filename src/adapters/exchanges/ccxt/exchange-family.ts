/**
 * Which family of exchange an id belongs to (the shapes of its errors and order look-ups). Kept
 * apart from error-classification.ts, which imports ccxt: what a server with only paper accounts
 * loads at start-up (venue.ts → exchange-profiles.ts) must not pull in ccxt (~0.8 s).
 */
export type ExchangeFamily = 'binance' | 'bybit' | 'okx' | 'other';

export function exchangeFamily(exchangeId: string): ExchangeFamily {
  if (exchangeId.startsWith('binance')) return 'binance';
  if (exchangeId.startsWith('bybit')) return 'bybit';
  if (exchangeId === 'okx' || exchangeId === 'okxus' || exchangeId === 'myokx') return 'okx';
  return 'other';
}
