/**
 * Orders an `invisible` fault hides from queries until a sandbox-clock time (Binance's
 * eventually consistent order queries right after placement).
 */
export class HiddenOrders {
  private readonly until = new Map<string, number>();

  hide(accountId: string, orderId: number, untilMs: number): void {
    this.until.set(key(accountId, orderId), untilMs);
  }

  isHidden(accountId: string, orderId: number, now: number): boolean {
    const k = key(accountId, orderId);
    const until = this.until.get(k);
    if (until === undefined) return false;
    if (now < until) return true;
    this.until.delete(k);
    return false;
  }
}

function key(accountId: string, orderId: number): string {
  return `${accountId}\u0000${orderId}`;
}
