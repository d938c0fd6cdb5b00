/**
 * Ports: request budgets (alerts per strategy, logins per address, API calls per user…) and
 * failed-login back-off, counted for every node sharing one database. On a single node (SQLite)
 * they are plain in-memory counters; with several nodes (PostgreSQL) a node spends local shares of
 * a key's budget that the database grants (ADR 0016).
 */

/** One unit of a key's budget spent, or refused with the ms until its window ends. */
export type Taken = { readonly ok: true; readonly remaining: number; readonly resetMs: number } | { readonly ok: false; readonly retryAfterMs: number };

/** What the HTTP layer spends budgets through (synchronous while a node holds a share of the key). */
export interface Budgets {
  /** Spends one unit of `key`'s budget of `max` per `windowMs`. */
  take(key: string, max: number, windowMs: number): Taken | Promise<Taken>;
}

/** A share of one key's budget of one window, as the ledger granted it. */
export interface Grant {
  /** units granted now (0: the window's budget is spent, as far as the ledger knows) */
  readonly granted: number;
  /** units of the window granted so far to every node, these included */
  readonly used: number;
  /** the ledger's id of the window (its start, ms since the epoch, on the ledger's clock) */
  readonly window: number;
  /** ms until the window ends, on the ledger's clock */
  readonly endsInMs: number;
}

/**
 * Port: the budgets of every node, kept where all of them see it (a PostgreSQL table). Windows are
 * fixed and aligned on the ledger's own clock, so nodes' clocks never disagree about them.
 */
export interface BudgetLedger {
  /** Grants up to `want` units of `key`'s budget of `max` in the window now current (one atomic statement). */
  claim(key: string, max: number, windowMs: number, want: number): Promise<Grant>;
  /** Gives back units of a window that were granted and not spent. */
  giveBack(key: string, window: number, units: number): Promise<void>;
  /** Forgets windows that ended a while ago. */
  sweep(): Promise<void>;
}

/** Failed logins per key (a username, an address) and the back-off they earn. */
export interface LoginThrottle {
  /** undefined: may try now; else the ms to wait */
  waitMs(key: string): Promise<number | undefined>;
  failed(key: string): Promise<void>;
  succeeded(key: string): Promise<void>;
}

/** The back-off rule of a LoginThrottle: after `allowed` failures, each further attempt waits base × 2^(failures − allowed), at most maxMs; a key is forgotten forgetMs after its last failure. */
export interface BackoffRule {
  readonly allowed: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly forgetMs: number;
}

/** Port: failed logins of every node, kept where all of them see it. */
export interface LoginFailureLedger {
  /** ms until `key` may try again (undefined: now), on the ledger's clock */
  waitMs(scope: string, key: string): Promise<number | undefined>;
  /** one more failure of `key`, under `rule` (one atomic statement) */
  failed(scope: string, key: string, rule: BackoffRule): Promise<void>;
  succeeded(scope: string, key: string): Promise<void>;
  /** forgets keys whose last failure is older than forgetMs and whose back-off is over */
  sweepFailures(forgetMs: number): Promise<void>;
}
