/** What happened to the placements carrying one clientOrderId. */
export interface PlacementStats {
  /** POST /api/v3/order requests that arrived with it (whatever became of them) */
  readonly received: number;
  /** of those, the ones that created an order */
  readonly accepted: number;
  /** of those, the ones answered with an error that created no order (Binance code, or HTTP status for 5xx / 429 / 418) */
  readonly refused: number;
  /** the last refusal: Binance code and message */
  readonly lastRefusal?: { readonly code: number; readonly msg: string };
}

interface Counts {
  received: number;
  accepted: number;
  refused: number;
  lastRefusal?: { code: number; msg: string };
}

/** One placement request on its way through the sandbox. */
export interface PlacementTicket {
  /** The order was created (under `clientOrderId`: the sent one, or the one the sandbox generated). */
  accepted(clientOrderId: string): void;
  /** The request ended: a refusal unless an order was created. */
  finished(refusal: { code: number; msg: string } | undefined): void;
}

/**
 * Placement attempts per clientOrderId, counted at the sandbox's API (so requests turned away
 * before the exchange, by faults, bans or validation, count too): received = accepted + refused
 * once every request has been answered (a request whose order was created counts as accepted
 * even when its answer was an error or never came). In memory, since the sandbox started.
 */
export class PlacementLog {
  private readonly byId = new Map<string, Counts>();

  /** `capacity`: clientOrderIds kept (the oldest are forgotten beyond it). */
  constructor(private readonly capacity = 200_000) {}

  /** A placement request arrived; `clientOrderId` as sent (undefined when the sandbox generates one). */
  begin(clientOrderId: string | undefined): PlacementTicket {
    let id = clientOrderId;
    let created = false;
    let done = false;
    if (id !== undefined) this.counts(id).received += 1;
    return {
      accepted: (actual) => {
        if (created) return;
        created = true;
        if (id === undefined) {
          id = actual;
          this.counts(id).received += 1;
        }
        this.counts(id).accepted += 1;
      },
      finished: (refusal) => {
        if (done || created || id === undefined) return;
        done = true;
        const counts = this.counts(id);
        counts.refused += 1;
        counts.lastRefusal = refusal ?? { code: 0, msg: 'no answer' };
      },
    };
  }

  stats(clientOrderId: string): PlacementStats {
    const counts = this.byId.get(clientOrderId);
    return counts ? { ...counts } : { received: 0, accepted: 0, refused: 0 };
  }

  all(): Record<string, PlacementStats> {
    return Object.fromEntries([...this.byId].map(([id, counts]) => [id, { ...counts }]));
  }

  private counts(id: string): Counts {
    let counts = this.byId.get(id);
    if (!counts) {
      this.byId.set(id, (counts = { received: 0, accepted: 0, refused: 0 }));
      if (this.byId.size > this.capacity) this.byId.delete(this.byId.keys().next().value!);
    }
    return counts;
  }
}
