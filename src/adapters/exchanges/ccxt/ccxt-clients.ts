import ccxt from 'ccxt';
import type { AccountEntry } from './account-entry.js';
import type { CcxtClient, CcxtConfig, CcxtProClient } from './ccxt-types.js';
import type { CcxtGatewayOptions } from './gateway-options.js';
import { redactSecrets } from './redact.js';
import { observeFutures } from './observed-futures.js';
import { ccxtConfigFor, type Venue, type VenueSpec } from './venue.js';
import type { VenueLoader } from './venue-loader.js';

export function defaultCreateExchange(exchangeId: string, config: CcxtConfig): CcxtClient {
  const Ctor = (ccxt as unknown as Record<string, unknown>)[exchangeId];
  if (typeof Ctor !== 'function' || !(ccxt.exchanges as readonly string[]).includes(exchangeId)) throw new Error(`ccxt has no exchange "${exchangeId}"`);
  return new (Ctor as new (c: CcxtConfig) => CcxtClient)(config);
}

export function defaultCreateProExchange(exchangeId: string, config: CcxtConfig): CcxtProClient {
  const Ctor = (ccxt.pro as unknown as Record<string, unknown>)[exchangeId];
  if (typeof Ctor !== 'function') throw new Error(`ccxt pro has no exchange "${exchangeId}"`);
  return new (Ctor as new (c: CcxtConfig) => CcxtProClient)(config);
}

/**
 * The lifecycle of an account's ccxt instances and its credentials: keys are fetched from the
 * credential source when an instance is first needed, live only in that instance, and are
 * blanked when it is dropped; `redact` scrubs them from any text.
 */
export class CcxtClients {
  private readonly createExchange: (exchangeId: string, config: CcxtConfig) => CcxtClient;
  private readonly createProExchange: (exchangeId: string, config: CcxtConfig) => CcxtProClient;

  constructor(
    private readonly options: Pick<CcxtGatewayOptions, 'credentials' | 'createExchange' | 'createProExchange'>,
    private readonly venues: VenueLoader,
  ) {
    this.createExchange = options.createExchange ?? defaultCreateExchange;
    this.createProExchange = options.createProExchange ?? defaultCreateProExchange;
  }

  /** A credential-free instance that loads a venue's markets. */
  marketLoader(spec: VenueSpec): CcxtClient {
    return this.createExchange(spec.exchangeId, ccxtConfigFor(spec));
  }

  /** The account's REST instance, made once per generation (a failed attempt is retried by the next call). */
  rest(entry: AccountEntry): Promise<CcxtClient> {
    if (!entry.client) {
      const generation = entry.generation;
      const creating = (async () => {
        await this.venues.load(entry.venue);
        const credentials = await this.options.credentials(entry.config.accountId);
        const client = this.createExchange(entry.config.exchangeId, ccxtConfigFor(entry.venue.spec, credentials));
        if (entry.generation !== generation) {
          this.blank(client);
          throw new Error('account forgotten while its ccxt instance was being made');
        }
        this.prepare(client, entry.venue);
        entry.settled = client;
        return client;
      })();
      entry.client = creating;
      creating.catch(() => {
        if (entry.client === creating) entry.client = undefined;
      });
    }
    return entry.client;
  }

  /** The account's websocket (pro) instance for `generation`; `loadVenue` runs before the credentials are fetched. */
  async pro(entry: AccountEntry, generation: number, loadVenue: () => Promise<void>): Promise<CcxtProClient> {
    if (entry.pro && entry.generation === generation) return entry.pro;
    await loadVenue();
    const credentials = await this.options.credentials(entry.config.accountId);
    if (entry.generation !== generation) throw new Error('account forgotten');
    const pro = this.createProExchange(entry.config.exchangeId, ccxtConfigFor(entry.venue.spec, credentials));
    observeFutures(pro);
    this.prepare(pro, entry.venue);
    entry.pro = pro;
    return pro;
  }

  /** Blanks the instance's keys and closes it. */
  blank(client: CcxtClient): void {
    client.apiKey = '';
    client.secret = '';
    if (client.password !== undefined) client.password = '';
    void client.close?.().catch(() => undefined);
  }

  /** `text` without the account's key, secret and passphrase. */
  redact(entry: AccountEntry, text: string): string {
    return redactSecrets(text, secretsOf(entry));
  }

  private prepare(client: CcxtClient, venue: Venue): void {
    if (venue.markets) client.setMarkets(venue.markets, venue.currencies);
    if (venue.timeDifference !== undefined) client.options.timeDifference = venue.timeDifference;
  }
}

function secretsOf(entry: AccountEntry): string[] {
  const out: string[] = [];
  const collect = (c: CcxtClient | undefined) => {
    if (!c) return;
    for (const s of [c.apiKey, c.secret, c.password]) if (typeof s === 'string' && s.length > 0) out.push(s);
  };
  collect(entry.pro);
  collect(entry.settled);
  return out;
}
