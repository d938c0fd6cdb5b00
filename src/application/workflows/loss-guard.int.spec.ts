import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LossGuard } from './loss-guard.js';
import type { Logger } from '../ports/logger.js';
import type { PortfolioSnapshot } from '../ports/snapshot-store.js';
import type { LossLimits } from '../../domain/risk/loss-limits.js';
import { SqliteSnapshotStore } from '../../adapters/snapshots/sqlite-snapshot-store.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const snap = (time: string, equity: string): PortfolioSnapshot => ({ time, tenantId: 't1', accountId: 'acc1', equity, unrealizedPnl: '0', balances: {} });

async function rig(limits: LossLimits) {
  const dir = await mkdtemp(join(tmpdir(), 'patriot-loss-guard-'));
  dirs.push(dir);
  const store = new SqliteSnapshotStore(join(dir, 'snapshots.db'));
  const engaged: string[] = [];
  const state = { killSwitch: false };
  const guard = new LossGuard({
    snapshots: store, logger: quiet,
    account: (id) => (id === 'acc1' ? { limits, killSwitch: state.killSwitch } : undefined),
    engage: async (_tenant, _account, reason) => {
      engaged.push(reason);
      state.killSwitch = true;
    },
  });
  // the snapshotter writes, then the guard checks
  const round = async (s: PortfolioSnapshot) => {
    await store.write([s]);
    await guard.check([s]);
  };
  return { store, engaged, state, round };
}

describe('LossGuard (real SQLite snapshot store)', () => {
  it("engages the kill switch once the equity is the daily limit below the day's first snapshot; released, not again that day; again the next day", async () => {
    const r = await rig({ dailyLossLimit: '3000' });
    await r.round(snap('2026-03-01T23:59:00.000Z', '120000')); // yesterday: not the day's start
    await r.round(snap('2026-03-02T00:00:00.000Z', '100000'));
    await r.round(snap('2026-03-02T09:00:00.000Z', '97500'));
    expect(r.engaged).toEqual([]);
    await r.round(snap('2026-03-02T10:00:00.000Z', '96999'));
    expect(r.engaged).toEqual([expect.stringContaining("3001 below the day's start 100000 (limit 3000)")]);
    r.state.killSwitch = false; // the trader released it
    await r.round(snap('2026-03-02T11:00:00.000Z', '95000'));
    expect(r.engaged).toHaveLength(1);
    await r.round(snap('2026-03-03T00:00:00.000Z', '95000'));
    await r.round(snap('2026-03-03T01:00:00.000Z', '91000'));
    expect(r.engaged).toHaveLength(2);
    await r.store.close();
  });

  it('engages on the drawdown from the peak found in the stored history', async () => {
    const r = await rig({ maxDrawdownPercent: '10' });
    await r.store.write([snap('2026-03-01T00:00:00.000Z', '150000')]); // before this guard ran (another leader)
    await r.round(snap('2026-03-05T00:00:00.000Z', '140000'));
    expect(r.engaged).toEqual([]);
    await r.round(snap('2026-03-05T01:00:00.000Z', '135000'));
    expect(r.engaged).toEqual([expect.stringContaining('10 % below its peak 150000')]);
    await r.store.close();
  });

  it('an account without loss limits, or with its switch engaged, is left alone', async () => {
    const r = await rig({});
    await r.round(snap('2026-03-02T00:00:00.000Z', '100000'));
    await r.round(snap('2026-03-02T01:00:00.000Z', '1'));
    expect(r.engaged).toEqual([]);
    await r.store.close();
  });
});
