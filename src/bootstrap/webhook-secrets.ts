import type { KeyValueStore } from '../application/ports/key-value.js';
import { webhookSecretKey } from '../application/commands/strategies.js';

/**
 * Per-strategy settings this node checks alerts against (the webhook secrets; with `keyOf`, the
 * signing keys): read from the key-value store, kept for a short while. A value changed on another
 * node (they share the store, not the cache) is followed here within `ttlMs`; a change on this
 * node takes effect at once (`remember`, `forget`), and a value changed a moment ago on another
 * node is read again as soon as an alert would be refused on the cached one (`reload`). With
 * `cacheAbsence`, "none" is cached too (a strategy without a signing key costs no read per alert).
 */
export class WebhookSecrets {
  private readonly cache = new Map<string, { readonly secret: string | undefined; readonly readAt: number }>();
  private readonly reading = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly kv: Pick<KeyValueStore, 'get'>,
    private readonly now: () => number,
    private readonly ttlMs = 2_000,
    private readonly keyOf: (strategyId: string) => string = webhookSecretKey,
    private readonly cacheAbsence = false,
  ) {}

  /** The strategy's value: from the cache while fresh (no I/O on the alert path), else from the store. */
  lookup(strategyId: string): string | undefined | Promise<string | undefined> {
    const hit = this.cache.get(strategyId);
    if (hit !== undefined && this.now() - hit.readAt < this.ttlMs) return hit.secret;
    return this.reload(strategyId);
  }

  /**
   * The value as the store holds it now, whatever the cache says: asked when an alert would be
   * refused on the cached value (changed a moment ago on another node). Concurrent asks for one
   * strategy share one read.
   */
  reload(strategyId: string): Promise<string | undefined> {
    let reading = this.reading.get(strategyId);
    if (!reading) {
      reading = this.kv.get(this.keyOf(strategyId)).then((secret) => {
        if (secret === undefined && !this.cacheAbsence) this.cache.delete(strategyId);
        else {
          if (this.cache.size > 100_000) this.cache.clear(); // bounded: it is only a cache
          this.cache.set(strategyId, { secret, readAt: this.now() });
        }
        return secret;
      }).finally(() => this.reading.delete(strategyId));
      this.reading.set(strategyId, reading);
    }
    return reading;
  }

  /** A value this node just wrote. */
  remember(strategyId: string, secret: string): void {
    this.cache.set(strategyId, { secret, readAt: this.now() });
  }

  /** A value this node just removed. */
  forget(strategyId: string): void {
    this.cache.delete(strategyId);
  }
}
