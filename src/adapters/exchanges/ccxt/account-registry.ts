import ccxt from 'ccxt';
import type { Market } from '../../../application/ports/exchange.js';
import type { AccountEntry } from './account-entry.js';
import type { CcxtClients } from './ccxt-clients.js';
import { profileFor } from './exchange-profiles.js';
import { ExchangeCallError } from './exchange-call-error.js';
import type { CcxtAccount, CcxtGatewayOptions } from './gateway-options.js';
import type { KeyedRateLimiter } from './rate-limiter.js';
import { Venue, type VenueSpec } from './venue.js';
import { accountScope } from './venue-loader.js';

/**
 * The registered accounts and the venues they trade on (accounts with the same venue key share
 * one set of loaded markets). Registering contacts nothing; forgetting drops (and blanks) the
 * account's ccxt instances and stops its monitor.
 */
export class AccountRegistry {
  private readonly accounts = new Map<string, AccountEntry>();
  private readonly venues = new Map<string, Venue>();

  constructor(
    private readonly options: Pick<CcxtGatewayOptions, 'createExchange' | 'accountRateLimit'>,
    private readonly limiter: KeyedRateLimiter,
    private readonly clients: CcxtClients,
  ) {}

  /** Registers (or re-registers, which also re-enables) an account. Throws for an exchange ccxt does not have. */
  register(account: CcxtAccount): void {
    if (!this.options.createExchange && !(ccxt.exchanges as readonly string[]).includes(account.exchangeId)) {
      throw new Error(`ccxt has no exchange "${account.exchangeId}"`);
    }
    if (account.marketType !== 'spot' && account.marketType !== 'swap') throw new Error(`unsupported market type "${String(account.marketType)}"`);
    const existing = this.accounts.get(account.accountId);
    if (existing) this.forget(account.accountId);
    const spec: VenueSpec = {
      exchangeId: account.exchangeId,
      marketType: account.marketType,
      ...(account.urls ? { urls: account.urls } : {}),
      ...(account.options ? { options: account.options } : {}),
    };
    const probe = new Venue(spec, () => this.clients.marketLoader(spec));
    const venue = this.venues.get(probe.key) ?? probe;
    this.venues.set(venue.key, venue);
    if (this.options.accountRateLimit && !this.limiter.isConfigured(accountScope(account.accountId))) {
      this.limiter.configure(accountScope(account.accountId), this.options.accountRateLimit);
    }
    this.accounts.set(account.accountId, {
      config: account,
      venue,
      profile: profileFor(account.exchangeId),
      client: undefined,
      settled: undefined,
      pro: undefined,
      monitor: undefined,
      disabled: undefined,
      generation: (existing?.generation ?? 0) + 1,
    });
  }

  /** Drops the account's ccxt instances (blanking their keys) and monitor; the registration stays. */
  forget(accountId: string): void {
    const entry = this.accounts.get(accountId);
    if (!entry) return;
    entry.generation += 1;
    entry.disabled = undefined;
    const pending = entry.client;
    entry.client = undefined;
    entry.settled = undefined;
    if (pending) void pending.then((c) => this.clients.blank(c), () => undefined);
    const monitor = entry.monitor;
    entry.monitor = undefined;
    if (monitor) void monitor.stop();
    if (entry.pro) this.clients.blank(entry.pro);
    entry.pro = undefined;
  }

  /** Forgets the account and removes its registration. */
  unregister(accountId: string): void {
    this.forget(accountId);
    this.accounts.delete(accountId);
  }

  get(accountId: string): AccountEntry | undefined {
    return this.accounts.get(accountId);
  }

  /** The account's entry; throws `ExchangeCallError` when it is not registered. */
  entry(accountId: string): AccountEntry {
    const entry = this.accounts.get(accountId);
    if (!entry) throw new ExchangeCallError({ kind: 'local', reason: `account ${accountId} is not registered with the ccxt gateway` });
    return entry;
  }

  accountIds(): IterableIterator<string> {
    return this.accounts.keys();
  }

  /** The venues of the registered accounts, each once. */
  accountVenues(): Venue[] {
    return [...new Set([...this.accounts.values()].map((a) => a.venue))];
  }

  /** The loaded markets of every venue, first venue wins per symbol. */
  markets(): readonly Market[] {
    const bySymbol = new Map<string, Market>();
    for (const venue of this.venues.values()) for (const m of venue.portMarkets()) if (!bySymbol.has(m.symbol)) bySymbol.set(m.symbol, m);
    return [...bySymbol.values()];
  }
}
