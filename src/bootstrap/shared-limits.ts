import type { BudgetLedger, Budgets, LoginFailureLedger, LoginThrottle } from '../application/ports/budgets.js';
import type { Logger } from '../application/ports/logger.js';
import { LeasedBudgets } from '../application/shared/leased-budgets.js';
import { LocalBudgets } from '../application/shared/local-budgets.js';
import { LoginBackoff, localLoginThrottle } from '../application/shared/login-backoff.js';
import { SharedLoginThrottle, defaultBackoffRule } from '../application/shared/shared-login-throttle.js';

/** Request budgets and failed-login counts, as the HTTP layer spends them (ADR 0016). */
export interface SharedLimits {
  readonly budgets: Budgets;
  loginThrottle(scope: 'user' | 'address', allowed: number): LoginThrottle;
  /** gives the units this node holds back to the ledger, stops the timers */
  close(): Promise<void>;
}

/**
 * With a ledger (PostgreSQL: several nodes may share it), budgets and failed logins hold across
 * every node; without one (SQLite: one node), they are counted in memory as before.
 */
export function sharedLimits(ledger: (BudgetLedger & LoginFailureLedger) | undefined, log: Logger, now: () => number = Date.now): SharedLimits {
  if (!ledger) {
    return {
      budgets: new LocalBudgets(now),
      loginThrottle: (_scope, allowed) => localLoginThrottle(new LoginBackoff(allowed, now)),
      close: async () => undefined,
    };
  }
  const budgets = new LeasedBudgets({ ledger, log, now });
  const throttles: SharedLoginThrottle[] = [];
  const sweep = setInterval(() => void Promise.all(throttles.map((t) => t.sweep())), 10 * 60_000);
  sweep.unref();
  return {
    budgets,
    loginThrottle: (scope, allowed) => {
      const throttle = new SharedLoginThrottle({ ledger, scope, rule: defaultBackoffRule(allowed), log, now });
      throttles.push(throttle);
      return throttle;
    },
    close: async () => {
      clearInterval(sweep);
      await budgets.close();
    },
  };
}
