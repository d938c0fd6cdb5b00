import type { CcxtClient, CcxtProClient } from './ccxt-types.js';
import type { ExchangeProfile } from './exchange-profiles.js';
import type { CcxtAccount } from './gateway-options.js';
import type { OrderMonitor } from './order-monitor.js';
import type { Venue } from './venue.js';

/** A registered account and what the gateway made for it (ccxt instances, monitor, disabled state). */
export interface AccountEntry {
  readonly config: CcxtAccount;
  readonly venue: Venue;
  readonly profile: ExchangeProfile;
  client: Promise<CcxtClient> | undefined;
  /** the REST instance once made (its keys are what reasons and logs are scrubbed of) */
  settled: CcxtClient | undefined;
  pro: CcxtProClient | undefined;
  monitor: OrderMonitor | undefined;
  /** set after the exchange refused the credentials; cleared by `forget`/re-registration */
  disabled: string | undefined;
  /** bumped by `forget`: instances made for an older generation are discarded */
  generation: number;
}
