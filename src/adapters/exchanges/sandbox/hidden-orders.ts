/**
 * Orders an `invisible` fault hides from queries until a sandbox-clock time (Binance's
 * eventually consistent order queries right after placement): from GET order, openOrders and
 * allOrders always, and from myTrades only when hidden `everywhere` (Binance reads trades from
 * the matching engine's memory first, orders from a database that can lag).
 */
export class HiddenOrders {
  private readonly until = new Map<string, { untilMs: number; everywhere: boolean }>();

  hide(accountId: string, orderId: number, untilMs: number, everywhere = false): void {
    this.until.set(key(accountId, orderId), { untilMs, everywhere });
  }

  /** Hidden from the order queries (GET order, openOrders, allOrders). */
  isHidden(accountId: string, orderId: number, now: number): boolean {
    return this.hiding(accountId, orderId, now) !== undefined;
  }

  /** Its trades hidden from myTrades too. */
  tradesHidden(accountId: string, orderId: number, now: number): boolean {
    return this.hiding(accountId, orderId, now)?.everywhere === true;
  }

  private hiding(accountId: string, orderId: number, now: number): { untilMs: number; everywhere: boolean } | undefined {
    const k = key(accountId, orderId);
    const hidden = this.until.get(k);
    if (hidden === undefined) return undefined;
    if (now < hidden.untilMs) return hidden;
    this.until.delete(k);
    return undefined;
  }
}

function key(accountId: string, orderId: number): string {
  return `${accountId}\u0000${orderId}`;
}
