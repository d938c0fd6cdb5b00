import type { KeyValueStore } from '../../application/ports/key-value.js';
import type { UserRole } from '../../domain/events.js';

/** What authentication checks every credential against: a user's current access. */
export interface UserRecord {
  readonly username: string;
  readonly tenantId: string;
  readonly role: UserRole;
  readonly disabled: boolean;
  /** moves on with a password reset and a disable: credentials issued before are refused */
  readonly generation: number;
}

const keyOf = (userId: string) => `auth/user/${userId}`;

/**
 * Users' access records in the settings store (`auth/user/<userId>`), read through a short cache
 * on the request path. Writes are compare-and-set (two admins at once both land) and forget the
 * cached copy, so a change made on this node applies to the next request.
 */
export class UserRecords {
  private readonly cache = new Map<string, { readonly record: UserRecord | undefined; readonly readAt: number }>();

  constructor(
    private readonly kv: KeyValueStore,
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  /** From the cache while fresh (the request path). */
  async cached(userId: string): Promise<UserRecord | undefined> {
    const hit = this.cache.get(userId);
    if (hit && this.now() - hit.readAt < this.ttlMs) return hit.record;
    return this.fresh(userId);
  }

  /** From the store (logins, refreshes, administration). */
  async fresh(userId: string): Promise<UserRecord | undefined> {
    const raw = await this.kv.get(keyOf(userId));
    const record = raw === undefined ? undefined : (JSON.parse(raw) as UserRecord);
    if (this.cache.size > 100_000) this.cache.clear(); // bounded: it is only a cache
    this.cache.set(userId, { record, readAt: this.now() });
    return record;
  }

  async all(): Promise<[string, UserRecord][]> {
    return (await this.kv.entries('auth/user/')).map(([key, raw]) => [key.slice('auth/user/'.length), JSON.parse(raw) as UserRecord]);
  }

  /** Replaces the record with `change(current)` (nothing when it answers undefined), retrying on concurrent writes. */
  async upsert(userId: string, change: (current: UserRecord | undefined) => UserRecord | undefined): Promise<void> {
    const key = keyOf(userId);
    for (let attempt = 0; attempt < 20; attempt++) {
      const raw = await this.kv.get(key);
      const next = change(raw === undefined ? undefined : (JSON.parse(raw) as UserRecord));
      this.forget(userId);
      if (next === undefined) return;
      const text = JSON.stringify(next);
      if (raw === text) return;
      if (raw === undefined ? (await this.kv.setIfAbsent(key, text)) === text : await this.kv.compareAndSet(key, raw, text)) return;
    }
    throw new Error(`the access record of user ${userId} kept changing; try again`);
  }

  forget(userId: string): void {
    this.cache.delete(userId);
  }
}
