import type { FuturesSettingsSource } from './futures-setup.js';
import type { Logger } from '../../../application/ports/logger.js';
import type { CcxtClient, CcxtConfig, CcxtProClient } from './ccxt-types.js';
import type { MarketType } from './exchange-profiles.js';
import type { OrderMonitorOptions } from './order-monitor.js';
import type { BucketConfig } from './rate-limiter.js';
import type { Scheduler } from './scheduler.js';
import type { Credentials } from './venue.js';

/** An exchange account traded through ccxt. */
export interface CcxtAccount {
  readonly accountId: string;
  /** 'binance' | 'bybit' | 'okx' | any ccxt exchange id */
  readonly exchangeId: string;
  readonly marketType: MarketType;
  /** merged into ccxt's `urls.api` (point the account at a sandbox) */
  readonly urls?: Readonly<Record<string, unknown>>;
  /** extra ccxt options, applied over the adapter's own */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** Where the keys come from (decrypted on demand); they are handed to the ccxt instance and kept nowhere else. */
export type CredentialSource = (accountId: string) => Promise<Credentials>;

export interface CcxtGatewayOptions {
  readonly credentials: CredentialSource;
  readonly log?: Logger;
  readonly scheduler?: Scheduler;
  /** makes a REST instance; default `new ccxt[exchangeId](config)` */
  readonly createExchange?: (exchangeId: string, config: CcxtConfig) => CcxtClient;
  /** makes a websocket (pro) instance for monitoring; default `new ccxt.pro[exchangeId](config)` */
  readonly createProExchange?: (exchangeId: string, config: CcxtConfig) => CcxtProClient;
  /** circuit breaker per exchange host (defaults: 5 failures, 30 s) */
  readonly breaker?: { readonly failureThreshold?: number; readonly coolDownMs?: number };
  /** IP budget per exchange host; default from ccxt's `rateLimit` of the exchange */
  readonly hostRateLimit?: (hostKey: string, ccxtRateLimitMs: number) => BucketConfig | undefined;
  /** budget per account; default none (only the host's budget and penalties apply) */
  readonly accountRateLimit?: BucketConfig;
  /** a new order never waits longer than this for a permit; it is refused with RATE_LIMITED (default 10 s) */
  readonly maxOrderWaitMs?: number;
  /** look-ups, cancels, balances wait at most this long, then throw (default 60 s) */
  readonly maxReadWaitMs?: number;
  /** penalty after a 429 without Retry-After (default 1 s); a 418 ban without one: 2 min */
  readonly defaultPenaltyMs?: number;
  /**
   * "Not found" right after this gateway sent an order is not proof (Binance answers -2013 for
   * up to a minute while its database catches up): within this window after the last send,
   * `fetchOrder` throws instead of returning `null`. Default 60 s; 0 turns it off.
   */
  readonly notFoundGraceMs?: number;
  /** reference price for a market order's minimum-notional pre-check: the account's own exchange's price */
  readonly referencePrice?: (symbol: string, accountId: string) => string | undefined;
  /** a limit price off the tick: rounded toward the passive side (default) or refused */
  readonly limitPriceRounding?: 'passive' | 'reject';
  readonly monitor?: OrderMonitorOptions;
  /** a swap account's wanted leverage and margin mode per symbol, set on the exchange before an order (issue 17) */
  readonly futuresSettings?: FuturesSettingsSource;
}
