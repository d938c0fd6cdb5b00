import type { Logger } from '../../../application/ports/logger.js';
import { assertNever } from '../../../domain/shared/decider.js';
import type { AccountEntry } from './account-entry.js';
import type { CcxtClients } from './ccxt-clients.js';
import type { CcxtClient } from './ccxt-types.js';
import type { BreakerOutcome } from './circuit-breaker.js';
import { classifyCcxtError, type ErrorClassification } from './error-classification.js';
import { ExchangeCallError } from './exchange-call-error.js';
import type { CcxtGatewayOptions } from './gateway-options.js';
import { RateLimitWaitTooLong, type KeyedRateLimiter } from './rate-limiter.js';
import type { Scheduler } from './scheduler.js';
import { accountScope, hostScope, type VenueLoader } from './venue-loader.js';

export type CallResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ErrorClassification }
  /** nothing was sent: the limiter refused or the account could not be set up */
  | { readonly ok: false; readonly local: 'rate_limit_wait' | 'setup'; readonly reason: string };

/** What an outcome means for the host's circuit breaker: refusals are answers, clock and auth say nothing about the host. */
export function breakerOutcome(kind: ErrorClassification['kind'] | 'ok'): BreakerOutcome {
  switch (kind) {
    case 'ok':
    case 'rejected':
    case 'duplicate':
    case 'not_found':
      return 'success';
    case 'unknown':
    case 'rate_limited':
      return 'failure';
    case 'clock':
    case 'auth':
      return 'neutral';
    default:
      return assertNever(kind);
  }
}

export interface ExchangeCallDeps {
  readonly options: Pick<CcxtGatewayOptions, 'maxReadWaitMs' | 'defaultPenaltyMs'>;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly limiter: KeyedRateLimiter;
  readonly clients: CcxtClients;
  readonly venues: VenueLoader;
}

/**
 * Exchange calls of an account: through the rate limiter, classified when they fail, with the
 * side effects of the failure (penalty box, disabled account, clock resync and one retry).
 */
export class ExchangeCaller {
  private readonly disabledListeners = new Set<(accountId: string, reason: string) => void>();

  constructor(private readonly deps: ExchangeCallDeps) {}

  onAccountDisabled(listener: (accountId: string, reason: string) => void): () => void {
    this.disabledListeners.add(listener);
    return () => this.disabledListeners.delete(listener);
  }

  /** Classifies a thrown error of the account's exchange (reason scrubbed of its credentials). */
  classify(entry: AccountEntry, error: unknown, client?: CcxtClient): ErrorClassification {
    const headers = client?.last_response_headers;
    return classifyCcxtError(entry.config.exchangeId, error, {
      now: this.deps.scheduler.now(),
      ...(headers && typeof headers === 'object' ? { responseHeaders: headers as Record<string, unknown> } : {}),
      redact: (t) => this.deps.clients.redact(entry, t),
    });
  }

  async loadVenueOrThrow(entry: AccountEntry): Promise<void> {
    try {
      await this.deps.venues.load(entry.venue);
    } catch (error) {
      throw new ExchangeCallError(this.classify(entry, error));
    }
  }

  /**
   * One exchange call through the limiter, with the side effects of its failure: a rate limit
   * puts the host (or the account, for Binance -1015) in the penalty box; refused credentials
   * disable the account; clock skew resynchronises the clock and retries once.
   */
  async call<T>(entry: AccountEntry, maxWaitMs: number, op: (client: CcxtClient) => Promise<T>): Promise<CallResult<T>> {
    const { clients, limiter, log } = this.deps;
    let client: CcxtClient;
    try {
      client = await clients.rest(entry);
    } catch (error) {
      const reason = clients.redact(entry, error instanceof Error ? error.message : String(error));
      return { ok: false, local: 'setup', reason: `account ${entry.config.accountId} could not be set up, nothing sent: ${reason}` };
    }
    const scopes = [accountScope(entry.config.accountId), hostScope(entry.venue)];
    for (let attempt = 0; ; attempt++) {
      try {
        await limiter.acquire(scopes, { maxWaitMs });
      } catch (error) {
        if (error instanceof RateLimitWaitTooLong) return { ok: false, local: 'rate_limit_wait', reason: `rate limited locally, nothing sent: ${error.message}` };
        return { ok: false, local: 'setup', reason: String(error) };
      }
      try {
        return { ok: true, value: await op(client) };
      } catch (error) {
        const c = this.classify(entry, error, client);
        this.sideEffects(entry, c);
        if (c.kind === 'clock' && attempt === 0) {
          try {
            await client.loadTimeDifference();
            const td = client.options.timeDifference;
            if (typeof td === 'number') entry.venue.timeDifference = td;
            log.warn({ accountId: entry.config.accountId, timeDifferenceMs: td }, 'clock skew: resynchronised with the exchange, retrying');
            continue;
          } catch (resync) {
            log.warn({ accountId: entry.config.accountId, reason: clients.redact(entry, String(resync)) }, 'clock resynchronisation failed');
          }
        }
        return { ok: false, error: c };
      }
    }
  }

  /**
   * A read: neither gated by the breaker nor counted by it (the breaker guards the order path:
   * a host that answers reads while refusing orders must still stop new orders, and a slow read
   * must not refuse an order). Throws `ExchangeCallError` unless it succeeds (or is `not_found`, when allowed).
   */
  async read<T>(entry: AccountEntry, op: (client: CcxtClient) => Promise<T>, notFoundIsNull: true, maxWaitMs?: number): Promise<T | null>;
  async read<T>(entry: AccountEntry, op: (client: CcxtClient) => Promise<T>, notFoundIsNull: false, maxWaitMs?: number): Promise<T>;
  async read<T>(entry: AccountEntry, op: (client: CcxtClient) => Promise<T>, notFoundIsNull: boolean, maxWaitMs?: number): Promise<T | null> {
    if (entry.disabled !== undefined) throw new ExchangeCallError({ kind: 'auth', reason: `account ${entry.config.accountId} is disabled: ${entry.disabled}` });
    const result = await this.call(entry, maxWaitMs ?? this.deps.options.maxReadWaitMs ?? 60_000, op);
    if (result.ok) return result.value;
    if ('local' in result) throw new ExchangeCallError({ kind: 'local', reason: result.reason });
    if (result.error.kind === 'not_found' && notFoundIsNull) return null;
    throw new ExchangeCallError(result.error);
  }

  private sideEffects(entry: AccountEntry, c: ErrorClassification): void {
    switch (c.kind) {
      case 'rate_limited': {
        const penalty = c.retryAfterMs ?? (c.httpStatus === 418 ? 120_000 : (this.deps.options.defaultPenaltyMs ?? 1000));
        const scope = c.exchangeCode === '-1015' ? accountScope(entry.config.accountId) : hostScope(entry.venue);
        this.deps.limiter.penalize(scope, penalty);
        this.deps.log.warn({ accountId: entry.config.accountId, host: entry.venue.hostKey, scope, penaltyMs: penalty, reason: c.reason }, 'rate limited by the exchange');
        return;
      }
      case 'auth':
        if (entry.disabled === undefined) {
          entry.disabled = c.reason;
          this.deps.log.error({ accountId: entry.config.accountId, exchangeCode: c.exchangeCode, reason: c.reason }, 'exchange refused the credentials; account disabled');
          for (const listener of [...this.disabledListeners]) {
            try {
              listener(entry.config.accountId, c.reason);
            } catch {
              // listeners must not break the call
            }
          }
        }
        return;
      case 'rejected':
      case 'duplicate':
      case 'not_found':
      case 'unknown':
      case 'clock':
        return;
      default:
        assertNever(c);
    }
  }
}
