import { ExchangeCallError } from './exchange-call-error.js';
import type { CcxtGatewayOptions } from './gateway-options.js';
import type { Scheduler } from './scheduler.js';

const MAX_KNOWN_ORDERS = 10_000;

/**
 * clientOrderId → where it was sent and when (for look-ups without a symbol, and the not-found
 * grace): the most recent `MAX_KNOWN_ORDERS`, oldest dropped first.
 */
export class KnownOrders {
  private readonly orders = new Map<string, { accountId: string; symbol: string; sentAt: number; exchangeOrderId?: string; refused?: boolean }>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly options: Pick<CcxtGatewayOptions, 'notFoundGraceMs'>,
  ) {}

  symbolOf(clientOrderId: string): string | undefined {
    return this.orders.get(clientOrderId)?.symbol;
  }

  /** `sent`: this gateway is sending it now (starts the not-found grace); otherwise the last send time is kept. */
  remember(clientOrderId: string, accountId: string, symbol: string, sent: boolean, exchangeOrderId?: string): void {
    const previous = this.orders.get(clientOrderId);
    this.orders.delete(clientOrderId);
    const id = exchangeOrderId ?? previous?.exchangeOrderId;
    this.orders.set(clientOrderId, { accountId, symbol, sentAt: sent ? this.scheduler.now() : (previous?.sentAt ?? 0), ...(id !== undefined ? { exchangeOrderId: id } : {}) });
    if (this.orders.size > MAX_KNOWN_ORDERS) {
      const oldest = this.orders.keys().next().value;
      if (oldest !== undefined) this.orders.delete(oldest);
    }
  }

  /** The exchange ids of the account's orders this gateway has seen, other than `clientOrderId`'s (their trades are not that order's). */
  exchangeIdsOfOthers(accountId: string, clientOrderId: string): Set<string> {
    const ids = new Set<string>();
    for (const [id, known] of this.orders) if (id !== clientOrderId && known.accountId === accountId && known.exchangeOrderId !== undefined) ids.add(known.exchangeOrderId);
    return ids;
  }

  /** The exchange answered that it placed nothing for this clientOrderId (a refusal, a rate limit). */
  refused(clientOrderId: string): void {
    const known = this.orders.get(clientOrderId);
    if (known) known.refused = true;
  }

  /**
   * Other orders of the account on `symbol` this gateway sent since `since` whose exchange id it
   * never learnt (their answers were lost too, or they were never placed): a fill no source names
   * could be theirs as well as the one looked for.
   */
  unresolvedSince(accountId: string, symbol: string, since: number, except: string): string[] {
    const out: string[] = [];
    for (const [id, known] of this.orders) {
      if (id !== except && known.accountId === accountId && known.symbol === symbol && known.sentAt >= since && known.exchangeOrderId === undefined && known.refused !== true) out.push(id);
    }
    return out;
  }

  /** clientOrderIds of the account this gateway sent since `since` (scheduler ms) and the exchange did not refuse, with their symbols. */
  sentSince(accountId: string, since: number): { clientOrderId: string; symbol: string }[] {
    const out: { clientOrderId: string; symbol: string }[] = [];
    for (const [clientOrderId, known] of this.orders) {
      if (known.accountId === accountId && known.sentAt >= since && known.sentAt > 0 && known.refused !== true) out.push({ clientOrderId, symbol: known.symbol });
    }
    return out;
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
