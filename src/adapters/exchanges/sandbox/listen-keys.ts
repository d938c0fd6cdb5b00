import type { Clock } from '../../../application/ports/clock.js';
import { randomAlphanumeric } from './random-text.js';

/** A listenKey stays valid this long after its creation or last keep-alive (Binance: 60 minutes). */
export const LISTEN_KEY_TTL_MS = 60 * 60 * 1000;

interface ListenKey {
  readonly apiKey: string;
  readonly accountId: string;
  expiresAt: number;
}

/**
 * Legacy user-data stream keys (POST/PUT/DELETE /api/v3/userDataStream, stream at /ws/<listenKey>).
 * Like Binance, creating a key while the API key has a valid one returns that one (extended).
 */
export class ListenKeys {
  private readonly keys = new Map<string, ListenKey>();

  constructor(private readonly clock: Clock) {}

  create(apiKey: string, accountId: string): string {
    const now = this.clock.now();
    for (const [key, entry] of this.keys) {
      if (entry.apiKey === apiKey && entry.expiresAt > now) {
        entry.expiresAt = now + LISTEN_KEY_TTL_MS;
        return key;
      }
    }
    const key = randomAlphanumeric(60);
    this.keys.set(key, { apiKey, accountId, expiresAt: now + LISTEN_KEY_TTL_MS });
    return key;
  }

  /** Extends a key of this API key; false when it does not exist (or expired). */
  keepAlive(apiKey: string, listenKey: string): boolean {
    const entry = this.valid(listenKey);
    if (!entry || entry.apiKey !== apiKey) return false;
    entry.expiresAt = this.clock.now() + LISTEN_KEY_TTL_MS;
    return true;
  }

  /** Closes a key of this API key; false when it does not exist. */
  remove(apiKey: string, listenKey: string): boolean {
    const entry = this.valid(listenKey);
    if (!entry || entry.apiKey !== apiKey) return false;
    this.keys.delete(listenKey);
    return true;
  }

  /** The account a valid key streams, if any. */
  accountOf(listenKey: string): string | undefined {
    return this.valid(listenKey)?.accountId;
  }

  private valid(listenKey: string): ListenKey | undefined {
    const entry = this.keys.get(listenKey);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.keys.delete(listenKey);
      return undefined;
    }
    return entry;
  }
}
