import type { PatriotEvent } from '../../domain/events.js';
import { streams } from '../../domain/events.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';
import type { KeyValueStore } from '../ports/key-value.js';

/** What the owner sees of an account's exchange connection now. */
export interface HealthReading {
  readonly exchange: string;
  readonly circuit: 'closed' | 'open' | 'half_open';
  /** while open: when a probe is let through (ISO-8601) */
  readonly circuitRetryAt?: string;
  /** the symbols the account trades whose latest price is older than the allowed age (or never came), with the oldest age */
  readonly staleSymbols: readonly string[];
  readonly oldestAgeMs?: number;
}

export interface AccountHealthDeps {
  readonly store: EventStore;
  /** where the node that last owned each account is kept (not a trading fact: only a takeover from it is recorded in the log) */
  readonly kv: Pick<KeyValueStore, 'get' | 'set'>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly nodeId: string;
  readonly tenantOf: (accountId: string) => string | undefined;
  readonly read: (accountId: string) => HealthReading | undefined;
  /** the accounts this node owns now */
  readonly owned: () => readonly string[];
}

interface Recorded {
  circuit: 'open' | 'closed';
  prices: 'stale' | 'fresh';
}

/**
 * The account's exchange connection as its owner sees it change, recorded in the log so it can be
 * told (issue 19): its host's circuit breaker opening and closing (`ExchangeCircuitChanged`), its
 * prices going stale and fresh (`AccountPricesChanged`), and a node taking the account over from
 * another (`AccountOwnerChanged`; the last owner is kept in the key-value store, so a first owner
 * and a restart of the same node record nothing). Each owner reads what the log says last (so a
 * restart or a new owner records a change only when it is one) and then compares on each
 * `check()`; a half-open breaker counts as open until a probe closes it. Nothing here touches trading.
 */
export class AccountHealth {
  private readonly last = new Map<string, Recorded>();
  /** the check under way (a slow store must not let two checks record one change twice) */
  private checking: Promise<void> | undefined;

  constructor(private readonly deps: AccountHealthDeps) {}

  /** This node took the account: records a takeover when another node had it last, and reads the last recorded health. */
  async accountTaken(accountId: string): Promise<void> {
    const tenantId = this.deps.tenantOf(accountId);
    if (!tenantId) return;
    const key = `account-owner/${accountId}`;
    const previous = await this.deps.kv.get(key);
    if (previous !== this.deps.nodeId) {
      if (previous !== undefined) {
        await this.append(streams.owner(accountId), tenantId, { type: 'AccountOwnerChanged', data: { accountId, nodeId: this.deps.nodeId, previousNodeId: previous } });
      }
      await this.deps.kv.set(key, this.deps.nodeId);
    }
    const recorded: Recorded = { circuit: 'closed', prices: 'fresh' };
    for (const e of await this.deps.store.readStream(streams.health(accountId))) {
      const data = e.data as { state?: string };
      if (e.type === 'ExchangeCircuitChanged') recorded.circuit = data.state === 'open' ? 'open' : 'closed';
      if (e.type === 'AccountPricesChanged') recorded.prices = data.state === 'stale' ? 'stale' : 'fresh';
    }
    this.last.set(accountId, recorded);
  }

  accountDropped(accountId: string): void {
    this.last.delete(accountId);
  }

  /** Compares each owned account's connection with what the log says last and records the changes (one check at a time). */
  check(): Promise<void> {
    this.checking ??= this.checkAll().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkAll(): Promise<void> {
    for (const accountId of this.deps.owned()) {
      const recorded = this.last.get(accountId);
      const reading = this.deps.read(accountId);
      const tenantId = this.deps.tenantOf(accountId);
      if (!recorded || !reading || !tenantId) continue;
      try {
        await this.compare(accountId, tenantId, recorded, reading);
      } catch (error) {
        this.deps.log.warn({ accountId, reason: error instanceof Error ? error.message : String(error) }, 'recording the account\'s connection health failed; tried again on the next check');
      }
    }
  }

  private async compare(accountId: string, tenantId: string, recorded: Recorded, reading: HealthReading): Promise<void> {
    const circuit = reading.circuit === 'closed' ? 'closed' : 'open';
    if (circuit !== recorded.circuit) {
      await this.append(streams.health(accountId), tenantId, {
        type: 'ExchangeCircuitChanged',
        data: { accountId, exchange: reading.exchange, state: circuit, ...(circuit === 'open' && reading.circuitRetryAt !== undefined ? { retryAt: reading.circuitRetryAt } : {}) },
      });
      recorded.circuit = circuit;
    }
    const prices = reading.staleSymbols.length > 0 ? 'stale' : 'fresh';
    if (prices !== recorded.prices) {
      await this.append(streams.health(accountId), tenantId, {
        type: 'AccountPricesChanged',
        data: { accountId, exchange: reading.exchange, state: prices, symbols: [...reading.staleSymbols], ...(reading.oldestAgeMs !== undefined ? { oldestAgeMs: reading.oldestAgeMs } : {}) },
      });
      recorded.prices = prices;
    }
  }

  private async append(streamId: string, tenantId: string, event: PatriotEvent): Promise<void> {
    await this.deps.store.append({ streamId, expectedVersion: 'any', events: [event], metadata: { tenantId, time: new Date(this.deps.clock.now()).toISOString(), causationId: `health:${this.deps.nodeId}` } });
  }
}
