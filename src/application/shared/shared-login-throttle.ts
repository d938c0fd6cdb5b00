import type { BackoffRule, LoginFailureLedger, LoginThrottle } from '../ports/budgets.js';
import type { Logger } from '../ports/logger.js';
import { LoginBackoff } from './login-backoff.js';

/** The back-off of LoginBackoff's defaults: 1 s doubling, at most 15 min, forgotten 15 min after the last failure. */
export const defaultBackoffRule = (allowed: number): BackoffRule => ({ allowed, baseMs: 1000, maxMs: 15 * 60_000, forgetMs: 15 * 60_000 });

export interface SharedLoginThrottleOptions {
  readonly ledger: LoginFailureLedger;
  /** what is counted (e.g. 'user', 'address'): keys of different scopes never mix */
  readonly scope: string;
  readonly rule: BackoffRule;
  readonly log: Logger;
  readonly now?: () => number;
  /** a ledger call that takes longer has failed (default 1000 ms) */
  readonly timeoutMs?: number;
}

/**
 * Failed logins counted for every node (a password guesser gains nothing by spreading over
 * nodes). Logins are rare and slow on purpose, so each one asks the ledger. This node also counts
 * its own failures in memory: while the ledger does not answer, that count decides (logged once).
 */
export class SharedLoginThrottle implements LoginThrottle {
  private readonly local: LoginBackoff;
  private alone = false;

  constructor(private readonly options: SharedLoginThrottleOptions) {
    this.local = new LoginBackoff(options.rule.allowed, options.now, options.rule.baseMs, options.rule.maxMs, options.rule.forgetMs);
  }

  async waitMs(key: string): Promise<number | undefined> {
    const here = this.local.waitMs(key);
    const shared = await this.ask(() => this.options.ledger.waitMs(this.options.scope, key));
    return shared === 'failed' ? here : shared;
  }

  async failed(key: string): Promise<void> {
    this.local.failed(key);
    await this.ask(() => this.options.ledger.failed(this.options.scope, key, this.options.rule));
  }

  async succeeded(key: string): Promise<void> {
    this.local.succeeded(key);
    await this.ask(() => this.options.ledger.succeeded(this.options.scope, key));
  }

  /** Forgets keys whose last failure is long past (every node may do it). */
  async sweep(): Promise<void> {
    await this.ask(() => this.options.ledger.sweepFailures(this.options.rule.forgetMs));
  }

  private async ask<T>(call: () => Promise<T>): Promise<T | 'failed'> {
    const ms = this.options.timeoutMs ?? 1000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the login ledger did not answer within ${ms} ms`)), ms);
          timer.unref();
        }),
      ]);
      if (this.alone) {
        this.alone = false;
        this.options.log.info({ scope: this.options.scope }, 'failed logins are counted across nodes again');
      }
      return answer;
    } catch (error) {
      if (!this.alone) {
        this.alone = true;
        this.options.log.warn({ scope: this.options.scope, reason: error instanceof Error ? error.message : String(error) }, 'failed logins cannot be counted across nodes: this node counts its own until PostgreSQL answers again');
      }
      return 'failed';
    } finally {
      clearTimeout(timer);
    }
  }
}
