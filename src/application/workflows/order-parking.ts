import type { OrderIntent } from '../../domain/events.js';
import type { Dec } from '../../domain/shared/decimal.js';
import { parseDec } from '../../domain/shared/decimal.js';

/**
 * What one node knows of its accounts' open orders on the exchange, and the limit orders it
 * holds back because an account is at the exchange's open-order cap ("parked"). Parked orders
 * are released nearest-to-market first: the one whose limit price is closest (relatively) to
 * the mark price is the likeliest to trade, so it gets the room.
 */
export class ParkingLot {
  private readonly open = new Map<string, Set<string>>();
  private readonly parked = new Map<string, Map<string, OrderIntent>>();

  openCount(accountId: string): number {
    return this.open.get(accountId)?.size ?? 0;
  }

  parkedCount(accountId: string): number {
    return this.parked.get(accountId)?.size ?? 0;
  }

  markOpen(accountId: string, clientOrderId: string): void {
    let set = this.open.get(accountId);
    if (!set) this.open.set(accountId, (set = new Set()));
    set.add(clientOrderId);
  }

  /** The order is no longer open on the exchange; true if that freed a place. */
  markClosed(accountId: string, clientOrderId: string): boolean {
    return this.open.get(accountId)?.delete(clientOrderId) ?? false;
  }

  park(intent: OrderIntent): void {
    let lot = this.parked.get(intent.accountId);
    if (!lot) this.parked.set(intent.accountId, (lot = new Map()));
    lot.set(intent.clientOrderId, intent);
  }

  isParked(accountId: string, clientOrderId: string): boolean {
    return this.parked.get(accountId)?.has(clientOrderId) ?? false;
  }

  unpark(accountId: string, clientOrderId: string): void {
    this.parked.get(accountId)?.delete(clientOrderId);
  }

  /** The parked order to send next: nearest to the market; without a mark price, the oldest. */
  nextToRelease(accountId: string, markPrice: (symbol: string) => Dec | undefined): OrderIntent | undefined {
    const lot = this.parked.get(accountId);
    if (!lot || lot.size === 0) return undefined;
    let best: { intent: OrderIntent; distance: Dec } | undefined;
    for (const intent of lot.values()) {
      const mark = markPrice(intent.symbol);
      const limit = intent.limitPrice === undefined ? undefined : parseDec(intent.limitPrice);
      if (mark === undefined || limit === undefined || mark.isZero()) continue;
      const distance = limit.minus(mark).abs().dividedBy(mark);
      if (!best || distance.lessThan(best.distance)) best = { intent, distance };
    }
    return best?.intent ?? lot.values().next().value;
  }

  /** Forgets everything about the account (this node no longer owns it). */
  forget(accountId: string): void {
    this.open.delete(accountId);
    this.parked.delete(accountId);
  }
}
