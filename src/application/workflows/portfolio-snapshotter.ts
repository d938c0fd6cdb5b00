import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { DocQuery, ProjectionStore, ReadDoc } from '../ports/projection-store.js';
import type { PortfolioSnapshot, SnapshotStore } from '../ports/snapshot-store.js';
import { C, type AccountView, type BalanceView, type PositionView } from '../projections/read-models.js';
import { valuePortfolio } from '../../domain/portfolio/valuation.js';
import { Dec, decToString, parseDec } from '../../domain/shared/decimal.js';

export interface SnapshotAccount {
  readonly tenantId: string;
  readonly accountId: string;
  readonly quoteAsset: string;
}

/** What the snapshotter reads: the accounts to value, and each one's balances and positions (decimal strings). */
export interface PortfolioSource {
  listAccounts(): Promise<SnapshotAccount[]>;
  balancesOf(tenantId: string, accountId: string): Promise<{ asset: string; total: string }[]>;
  positionsOf(tenantId: string, accountId: string): Promise<{ symbol: string; quantity: string; averageEntryPrice: string }[]>;
}

/**
 * A PortfolioSource over the read models (accounts, balances and positions documents).
 * `tenants` names the tenants to snapshot (read models are only listed per tenant).
 */
export function projectionPortfolioSource(
  docs: ProjectionStore,
  tenants: () => readonly string[] | Promise<readonly string[]>,
  options: { pageSize?: number } = {},
): PortfolioSource {
  const pageSize = Math.min(Math.max(options.pageSize ?? 500, 1), 500);
  const all = async <T>(query: Omit<DocQuery, 'limit' | 'before'>): Promise<T[]> => {
    const found: T[] = [];
    let before: number | undefined;
    for (;;) {
      const page: ReadDoc[] = await docs.list({ ...query, limit: pageSize, ...(before !== undefined ? { before } : {}) });
      for (const d of page) found.push(d.data as T);
      const last = page[page.length - 1];
      if (page.length < pageSize || !last) return found;
      before = last.seq;
    }
  };
  return {
    async listAccounts() {
      const out: SnapshotAccount[] = [];
      for (const tenantId of await tenants()) {
        for (const a of await all<AccountView>({ collection: C.accounts, tenantId })) out.push({ tenantId, accountId: a.accountId, quoteAsset: a.quoteAsset });
      }
      return out;
    },
    async balancesOf(tenantId, accountId) {
      return (await all<BalanceView>({ collection: C.balances, tenantId, accountId })).map((b) => ({ asset: b.asset, total: b.total }));
    },
    async positionsOf(tenantId, accountId) {
      return (await all<PositionView>({ collection: C.positions, tenantId, accountId })).map((p) => ({ symbol: p.symbol, quantity: p.quantity, averageEntryPrice: p.averageEntryPrice }));
    },
  };
}

export interface PortfolioSnapshotterDeps {
  readonly source: PortfolioSource;
  /** the latest price of a symbol on the account's own exchange */
  readonly mark: (accountId: string, symbol: string) => string | undefined;
  readonly clock: Clock;
  readonly store: SnapshotStore;
  readonly logger: Logger;
  /** period of start() and the grid snapshot times are aligned to (default 60,000 ms) */
  readonly intervalMs?: number;
  /** after each round is written: the loss limits watch the equity (ADR-0019) */
  readonly onSnapshots?: (snapshots: readonly PortfolioSnapshot[]) => Promise<void>;
}

/**
 * Takes a portfolio snapshot of every account, periodically: equity and unrealised PnL in the
 * account's quote asset, valued at its own exchange's latest prices, plus its balances.
 *
 * Snapshot times are the clock's time rounded down to the interval grid (a 60 s interval gives
 * 10:01:00.000, 10:02:00.000, ...). Several nodes snapshotting the same accounts therefore write
 * the same keys, and the store keeps one snapshot per account and grid time (the last written).
 *
 * Nothing here crashes the process: an account that cannot be read is logged and skipped, a
 * failed write is logged by the timer (snapshotNow() itself rejects, for callers that want to
 * know), and a tick never overlaps a run still in progress.
 */
export class PortfolioSnapshotter {
  private readonly intervalMs: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<number> | undefined;
  /** last unpriced list logged per account, so a missing price is logged when it changes, not every tick */
  private readonly unpricedLogged = new Map<string, string>();

  constructor(private readonly deps: PortfolioSnapshotterDeps) {
    this.intervalMs = Math.max(1, Math.floor(deps.intervalMs ?? 60_000));
  }

  /** Snapshots every account now; resolves to the number of snapshots written. */
  snapshotNow(): Promise<number> {
    return this.snapshot(() => true);
  }

  /** Snapshots these accounts now (their balances changed); resolves to the number of snapshots written. */
  snapshotAccounts(accountIds: ReadonlySet<string>): Promise<number> {
    return this.snapshot((accountId) => accountIds.has(accountId));
  }

  private async snapshot(which: (accountId: string) => boolean): Promise<number> {
    const now = this.deps.clock.now();
    const time = new Date(now - (now % this.intervalMs)).toISOString();
    const accounts = (await this.deps.source.listAccounts()).filter((a) => which(a.accountId));
    if (accounts.length === 0) return 0;
    const snapshots: PortfolioSnapshot[] = [];
    for (const account of accounts) {
      try {
        snapshots.push(await this.snapshotOf(account, time));
      } catch (error) {
        this.deps.logger.error({ tenantId: account.tenantId, accountId: account.accountId, err: errorMessage(error) }, 'portfolio snapshot of an account failed');
      }
    }
    await this.deps.store.write(snapshots);
    await this.deps.onSnapshots?.(snapshots);
    return snapshots.length;
  }

  /** Takes a snapshot now and then every interval; the timer does not keep the process alive. */
  start(): void {
    if (this.timer) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private tick(): void {
    if (this.running) return;
    const run = this.snapshotNow();
    this.running = run;
    run.then(
      () => undefined,
      (error: unknown) => this.deps.logger.error({ err: errorMessage(error) }, 'portfolio snapshots failed'),
    ).finally(() => {
      if (this.running === run) this.running = undefined;
    });
  }

  private async snapshotOf(account: SnapshotAccount, time: string): Promise<PortfolioSnapshot> {
    const [balances, positions] = await Promise.all([
      this.deps.source.balancesOf(account.tenantId, account.accountId),
      this.deps.source.positionsOf(account.tenantId, account.accountId),
    ]);
    const valuation = valuePortfolio({
      quoteAsset: account.quoteAsset,
      balances: balances.map((b) => ({ asset: b.asset, total: new Dec(b.total) })),
      positions: positions.map((p) => ({ symbol: p.symbol, quantity: new Dec(p.quantity), averageEntryPrice: new Dec(p.averageEntryPrice) })),
      mark: (symbol) => parseDec(this.deps.mark(account.accountId, symbol)),
    });
    const key = `${account.tenantId}\u0000${account.accountId}`;
    const unpriced = valuation.unpriced.join(',');
    if ((this.unpricedLogged.get(key) ?? '') !== unpriced) {
      this.unpricedLogged.set(key, unpriced);
      if (unpriced) this.deps.logger.warn({ tenantId: account.tenantId, accountId: account.accountId, unpriced: valuation.unpriced }, 'portfolio snapshot leaves out what has no price');
    }
    return {
      time,
      tenantId: account.tenantId,
      accountId: account.accountId,
      equity: decToString(valuation.equity),
      unrealizedPnl: decToString(valuation.unrealizedPnl),
      balances: Object.fromEntries(balances.map((b) => [b.asset, decToString(new Dec(b.total))])),
    };
  }
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
