import { ExchangeCallError } from './exchange-call-error.js';
import type { CcxtGatewayOptions } from './gateway-options.js';
import type { Scheduler } from './scheduler.js';

const MAX_KNOWN_ORDERS = 10_000;

/**
 * clientOrderId → where it was sent and when (for look-ups without a symbol, and the not-found
 * grace): the most recent `MAX_KNOWN_ORDERS`, oldest dropped first.
 */
export class KnownOrders {
  private readonly orders = new Map<string, { accountId: string; symbol: string; sentAt: number }>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly options: Pick<CcxtGatewayOptions, 'notFoundGraceMs'>,
  ) {}

  symbolOf(clientOrderId: string): string | undefined {
    return this.orders.get(clientOrderId)?.symbol;
  }

  /** `sent`: this gateway is sending it now (starts the not-found grace); otherwise the last send time is kept. */
  remember(clientOrderId: string, accountId: string, symbol: string, sent: boolean): void {
    const previous = this.orders.get(clientOrderId);
    this.orders.delete(clientOrderId);
    this.orders.set(clientOrderId, { accountId, symbol, sentAt: sent ? this.scheduler.now() : (previous?.sentAt ?? 0) });
    if (this.orders.size > MAX_KNOWN_ORDERS) {
      const oldest = this.orders.keys().next().value;
      if (oldest !== undefined) this.orders.delete(oldest);
    }
  }

  /** Throws `ExchangeCallError` (not_found) when the order was sent too recently for "not found" to be conclusive. */
  assertAbsenceIsDefinitive(clientOrderId: string): void {
    const grace = this.options.notFoundGraceMs ?? 60_000;
    const sentAt = this.orders.get(clientOrderId)?.sentAt;
    if (grace <= 0 || sentAt === undefined || sentAt === 0) return;
    const age = this.scheduler.now() - sentAt;
    if (age < grace) {
      throw new ExchangeCallError({
        kind: 'not_found',
        reason: `order ${clientOrderId} not found ${age} ms after it was sent; not conclusive before ${grace} ms (exchanges may take that long to show a new order)`,
      });
    }
  }
}
