import type { CcxtGatewayOptions } from './gateway-options.js';
import { bucketFromCcxtRateLimit, type KeyedRateLimiter } from './rate-limiter.js';
import type { Venue } from './venue.js';

/** The rate-limiter scope of an account's own budget. */
export function accountScope(accountId: string): string {
  return `account:${accountId}`;
}

/** The rate-limiter scope of an exchange host's shared (IP) budget. */
export function hostScope(venue: Venue): string {
  return `host:${venue.hostKey}`;
}

/**
 * Loads a venue's markets under its host's budget; once loaded (ccxt's `rateLimit` is then
 * known), configures the host budget unless it already is.
 */
export class VenueLoader {
  constructor(
    private readonly limiter: KeyedRateLimiter,
    private readonly options: Pick<CcxtGatewayOptions, 'maxReadWaitMs' | 'hostRateLimit'>,
  ) {}

  load(venue: Venue): Promise<void> {
    return venue.load(async () => {
      await this.limiter.acquire([hostScope(venue)], { maxWaitMs: this.options.maxReadWaitMs ?? 60_000 });
    }).then(() => {
      const host = hostScope(venue);
      if (!this.limiter.isConfigured(host)) {
        this.limiter.configure(host, this.options.hostRateLimit?.(venue.hostKey, venue.rateLimit) ?? bucketFromCcxtRateLimit(venue.rateLimit));
      }
    });
  }
}
