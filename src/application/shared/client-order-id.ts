import { createHash } from 'node:crypto';

/**
 * The deterministic clientOrderId of one order leg: 32 lowercase hex chars (fits Binance,
 * Bybit, OKX and Coinbase). The same alert always yields the same id, so a replayed or
 * re-processed alert can never become a second order on the exchange.
 */
export function clientOrderIdFor(tenantId: string, signalId: string, accountId: string, leg: number): string {
  return createHash('sha256').update(`patriot/v1\n${tenantId}\n${signalId}\n${accountId}\n${leg}`).digest('hex').slice(0, 32);
}
