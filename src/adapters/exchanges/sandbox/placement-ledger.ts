/**
 * Per clientOrderId, what the sandbox's order endpoint did with each placement request that
 * reached it (past the HTTP faults): accepted (an order exists), refused, and how many arrived
 * after one had been accepted — on Binance such a re-send is a second real order once the first
 * is filled, so a client must never make one. Tests read it with `placementLedger(sandbox.exchange)`.
 *
 * (A minimal counter kept beside the paper exchange, without touching the sandbox's wiring; the
 * sandbox's own per-clientOrderId counters may replace it.)
 */
export interface PlacementCount {
  /** requests that reached the order endpoint */
  readonly requests: number;
  /** of them, placed (an order exists) */
  readonly accepted: number;
  /** of them, refused (nothing placed) */
  readonly refused: number;
  /** requests that arrived after an earlier one had been accepted */
  readonly afterAccepted: number;
}

const NONE: PlacementCount = { requests: 0, accepted: 0, refused: 0, afterAccepted: 0 };

export class PlacementLedger {
  private readonly counts = new Map<string, PlacementCount>();

  received(accountId: string, clientOrderId: string): void {
    const c = this.count(accountId, clientOrderId);
    this.set(accountId, clientOrderId, { ...c, requests: c.requests + 1, afterAccepted: c.afterAccepted + (c.accepted > 0 ? 1 : 0) });
  }

  accepted(accountId: string, clientOrderId: string): void {
    const c = this.count(accountId, clientOrderId);
    this.set(accountId, clientOrderId, { ...c, accepted: c.accepted + 1 });
  }

  refused(accountId: string, clientOrderId: string): void {
    const c = this.count(accountId, clientOrderId);
    this.set(accountId, clientOrderId, { ...c, refused: c.refused + 1 });
  }

  count(accountId: string, clientOrderId: string): PlacementCount {
    return this.counts.get(`${accountId}\u0000${clientOrderId}`) ?? NONE;
  }

  private set(accountId: string, clientOrderId: string, count: PlacementCount): void {
    this.counts.set(`${accountId}\u0000${clientOrderId}`, count);
  }
}

const ledgers = new WeakMap<object, PlacementLedger>();

/** The ledger of a sandbox, keyed by its paper exchange (`sandbox.exchange`). */
export function placementLedger(exchange: object): PlacementLedger {
  let ledger = ledgers.get(exchange);
  if (!ledger) ledgers.set(exchange, (ledger = new PlacementLedger()));
  return ledger;
}
