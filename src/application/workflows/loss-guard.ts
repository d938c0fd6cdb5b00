import type { Logger } from '../ports/logger.js';
import type { PortfolioSnapshot, SnapshotStore } from '../ports/snapshot-store.js';
import type { LossLimits } from '../../domain/risk/loss-limits.js';
import { lossBreach } from '../../domain/risk/loss-limits.js';
import { Dec, parseDec } from '../../domain/shared/decimal.js';

export interface LossGuardDeps {
  readonly snapshots: Pick<SnapshotStore, 'equityCurve'>;
  /** the account's loss limits and whether its kill switch is engaged now (undefined: unknown account) */
  readonly account: (accountId: string) => { readonly limits: LossLimits; readonly killSwitch: boolean } | undefined;
  /** engages the account's kill switch with the reason the user sees */
  readonly engage: (tenantId: string, accountId: string, reason: string) => Promise<void>;
  readonly logger: Logger;
  /** how far back the peak is looked for at first (default 30 days) */
  readonly peakWindowMs?: number;
}

const DAY = 86_400_000;

/**
 * Watches each account's equity as the portfolio snapshots value it (on the leader, after each
 * round of snapshots) and engages the account's kill switch by itself when the daily loss limit or
 * the maximum drawdown from peak equity is reached (ADR-0019). The day's start is the UTC day's
 * first snapshot; the peak is the highest snapshot of the last 30 days, then every snapshot after.
 * A breach engages once per account, limit and UTC day: a trader who releases the switch is not
 * overruled until the next day (or the next leader).
 */
export class LossGuard {
  private readonly peaks = new Map<string, Dec>();
  private readonly engaged = new Set<string>();

  constructor(private readonly deps: LossGuardDeps) {}

  async check(snapshots: readonly PortfolioSnapshot[]): Promise<void> {
    for (const snapshot of snapshots) {
      try {
        await this.checkOne(snapshot);
      } catch (error) {
        this.deps.logger.error({ accountId: snapshot.accountId, err: error instanceof Error ? error.message : String(error) }, 'checking the loss limits of an account failed');
      }
    }
  }

  private async checkOne(snapshot: PortfolioSnapshot): Promise<void> {
    const account = this.deps.account(snapshot.accountId);
    if (!account || (account.limits.dailyLossLimit === undefined && account.limits.maxDrawdownPercent === undefined)) return;
    const equity = parseDec(snapshot.equity);
    if (equity === undefined) return;
    const now = Date.parse(snapshot.time);
    const dayStart = new Date(now - (now % DAY)).toISOString();
    const query = { tenantId: snapshot.tenantId, accountId: snapshot.accountId };
    const [first] = account.limits.dailyLossLimit === undefined ? [] : await this.deps.snapshots.equityCurve({ ...query, from: dayStart, to: snapshot.time, limit: 1 });
    const peak = account.limits.maxDrawdownPercent === undefined ? undefined : await this.peakOf(snapshot, equity);
    const breach = lossBreach({ equity, ...(first ? { dayStartEquity: new Dec(first.equity) } : {}), ...(peak ? { peakEquity: peak } : {}) }, account.limits);
    if (!breach || account.killSwitch) return;
    const once = `${snapshot.accountId}\u0000${breach.code}\u0000${dayStart}`;
    if (this.engaged.has(once)) return;
    this.engaged.add(once);
    this.deps.logger.warn({ accountId: snapshot.accountId, code: breach.code }, breach.reason);
    await this.deps.engage(snapshot.tenantId, snapshot.accountId, breach.reason);
  }

  private async peakOf(snapshot: PortfolioSnapshot, equity: Dec): Promise<Dec> {
    let peak = this.peaks.get(snapshot.accountId);
    if (peak === undefined) {
      const from = new Date(Date.parse(snapshot.time) - (this.deps.peakWindowMs ?? 30 * DAY)).toISOString();
      const curve = await this.deps.snapshots.equityCurve({ tenantId: snapshot.tenantId, accountId: snapshot.accountId, from, to: snapshot.time, limit: 50_000 });
      peak = curve.reduce((max, p) => Dec.max(max, parseDec(p.equity) ?? max), equity);
    }
    peak = Dec.max(peak, equity);
    this.peaks.set(snapshot.accountId, peak);
    return peak;
  }
}
