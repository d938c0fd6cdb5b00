import type { KeyValueStore } from '../ports/key-value.js';

/** Where each endpoint's deliveries are recorded (one entry per event, updated at every try). */
export const OUTBOUND_DELIVERY_PREFIX = 'outbound-delivery/';
/** entries kept per endpoint (the oldest go first) */
export const DELIVERIES_KEPT = 500;

export type DeliveryStatus = 'delivered' | 'pending' | 'failed';

export interface Delivery {
  readonly eventId: string;
  readonly type: string;
  readonly kind: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** why the last try failed (never the URL nor a secret) */
  readonly lastError?: string;
  /** the HTTP status of the last answer */
  readonly lastStatusCode?: number;
  readonly firstAttemptAt: string;
  readonly lastAttemptAt: string;
  readonly nextAttemptAt?: string;
  readonly deliveredAt?: string;
}

const keyOf = (endpointId: string, eventId: string) => `${OUTBOUND_DELIVERY_PREFIX}${endpointId}/${eventId}`;

function parseDelivery(raw: string): Delivery | undefined {
  try {
    const d = JSON.parse(raw) as Partial<Delivery>;
    return typeof d.eventId === 'string' && typeof d.status === 'string' && typeof d.attempts === 'number' && typeof d.firstAttemptAt === 'string' ? (d as Delivery) : undefined;
  } catch {
    return undefined;
  }
}

/** The delivery log of outbound endpoints, in the settings store (shared by every node, so the API answers from any). */
export class DeliveryLog {
  private writes = 0;

  constructor(private readonly kv: KeyValueStore) {}

  async get(endpointId: string, eventId: string): Promise<Delivery | undefined> {
    const raw = await this.kv.get(keyOf(endpointId, eventId));
    return raw === undefined ? undefined : parseDelivery(raw);
  }

  async put(endpointId: string, delivery: Delivery): Promise<void> {
    await this.kv.set(keyOf(endpointId, delivery.eventId), JSON.stringify(delivery));
    if (++this.writes % 50 === 0) await this.prune(endpointId);
  }

  /** the newest first (by first try), at most `limit` */
  async recent(endpointId: string, limit: number): Promise<Delivery[]> {
    return (await this.all(endpointId)).slice(0, limit);
  }

  async removeAll(endpointId: string): Promise<void> {
    for (const [key] of await this.kv.entries(`${OUTBOUND_DELIVERY_PREFIX}${endpointId}/`)) await this.kv.delete(key);
  }

  private async all(endpointId: string): Promise<Delivery[]> {
    const items = (await this.kv.entries(`${OUTBOUND_DELIVERY_PREFIX}${endpointId}/`)).map(([, raw]) => parseDelivery(raw)).filter((d): d is Delivery => d !== undefined);
    return items.sort((a, b) => b.firstAttemptAt.localeCompare(a.firstAttemptAt) || b.eventId.localeCompare(a.eventId, undefined, { numeric: true }));
  }

  private async prune(endpointId: string): Promise<void> {
    const items = await this.all(endpointId);
    for (const old of items.slice(DELIVERIES_KEPT)) await this.kv.delete(keyOf(endpointId, old.eventId));
  }
}
