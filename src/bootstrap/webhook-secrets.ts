import type { KeyValueStore } from '../application/ports/key-value.js';
import { webhookSecretKey } from '../application/commands/strategies.js';

/**
 * The webhook secrets this node checks alerts against: read from the key-value store, kept for a
 * short while. A secret rotated on another node (they share the store, not the cache) is refused
 * here too within `ttlMs`; a rotation on this node takes effect at once (`remember`), and a new
 * secret rotated on another node is read again as soon as an alert carries it (`reload`).
 */
export class WebhookSecrets {
  private readonly cache = new Map<string, { readonly secret: string; readonly readAt: number }>();
  private readonly reading = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly kv: Pick<KeyValueStore, 'get'>,
    private readonly now: () => number,
    private readonly ttlMs = 2_000,
  ) {}

  /** The strategy's secret: from the cache while fresh (no I/O on the alert path), else from the store. */
  lookup(strategyId: string): string | undefined | Promise<string | undefined> {
    const hit = this.cache.get(strategyId);
    if (hit !== undefined && this.now() - hit.readAt < this.ttlMs) return hit.secret;
    return this.kv.get(webhookSecretKey(strategyId)).then((secret) => {
      if (secret === undefined) this.cache.delete(strategyId);
      else this.cache.set(strategyId, { secret, readAt: this.now() });
      return secret;
    });
  }

  /**
   * The secret as the store holds it now, whatever the cache says: asked when an alert's secret
   * does not match the cached one (rotated a moment ago on another node). Concurrent asks for one
   * strategy share one read.
   */
  reload(strategyId: string): Promise<string | undefined> {
    let reading = this.reading.get(strategyId);
    if (!reading) {
      reading = this.kv.get(webhookSecretKey(strategyId)).then((secret) => {
        if (secret === undefined) this.cache.delete(strategyId);
        else this.cache.set(strategyId, { secret, readAt: this.now() });
        return secret;
      }).finally(() => this.reading.delete(strategyId));
      this.reading.set(strategyId, reading);
    }
    return reading;
  }

  /** A secret this node just wrote. */
  remember(strategyId: string, secret: string): void {
    this.cache.set(strategyId, { secret, readAt: this.now() });
  }
}
