import { afterEach, describe, expect, it, vi } from 'vitest';
import { PortfolioSnapshotter, projectionPortfolioSource, type PortfolioSource } from './portfolio-snapshotter.js';
import type { Logger } from '../ports/logger.js';
import type { PriceFeed, PriceTick } from '../ports/price-feed.js';
import type { ReadDoc } from '../ports/projection-store.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import { C } from '../projections/read-models.js';
import { SqliteProjectionStore } from '../../adapters/readmodels/sqlite-projection-store.js';
import { SqliteSnapshotStore } from '../../adapters/snapshots/sqlite-snapshot-store.js';

const T0 = Date.parse('2026-01-15T10:00:30.000Z');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

class FakeFeed implements PriceFeed {
  readonly prices = new Map<string, string>();
  symbols() {
    return [...this.prices.keys()];
  }
  latest(symbol: string): PriceTick | undefined {
    const price = this.prices.get(symbol);
    return price === undefined ? undefined : { symbol, price, time: new Date(T0).toISOString() };
  }
  subscribe() {
    return () => undefined;
  }
}

function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const logger: Logger = {
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
  };
  return { logger, lines };
}

let seq = 0;
const doc = (collection: string, tenantId: string, id: string, data: Record<string, unknown>, accountId?: string): ReadDoc => ({
  collection, tenantId, id, seq: ++seq, data, ...(accountId !== undefined ? { accountId } : {}),
});
const account = (tenantId: string, accountId: string, quoteAsset = 'USDT') =>
  doc(C.accounts, tenantId, accountId, { accountId, name: accountId, exchange: 'paper', quoteAsset, killSwitch: { engaged: false }, openedAt: '2026-01-01T00:00:00.000Z' }, accountId);
const balance = (tenantId: string, accountId: string, asset: string, total: string) =>
  doc(C.balances, tenantId, `${accountId}:${asset}`, { accountId, asset, total, updatedAt: '2026-01-01T00:00:00.000Z' }, accountId);
const position = (tenantId: string, accountId: string, symbol: string, quantity: string, averageEntryPrice: string) =>
  doc(C.positions, tenantId, `${accountId}:${symbol}`, { accountId, symbol, quantity, averageEntryPrice, realizedPnl: '0', feesPaid: '0', updatedAt: '2026-01-01T00:00:00.000Z' }, accountId);

async function setup(options: { intervalMs?: number; store?: SnapshotStore; source?: (s: PortfolioSource) => PortfolioSource; tenants?: string[] } = {}) {
  const docs = new SqliteProjectionStore(':memory:');
  const snapshots = new SqliteSnapshotStore(':memory:');
  closers.push(() => docs.close(), () => snapshots.close());
  await docs.commit([
    account('t1', 'acc1'), balance('t1', 'acc1', 'USDT', '1000.5'), balance('t1', 'acc1', 'BTC', '0.25'), balance('t1', 'acc1', 'DOGE', '10'),
    position('t1', 'acc1', 'BTC/USDT', '0.25', '90000'),
    account('t1', 'acc2'), balance('t1', 'acc2', 'USDT', '50'), position('t1', 'acc2', 'ETH/USDT:USDT', '-2', '3000.5'),
    account('t2', 'acc1', 'USDC'), balance('t2', 'acc1', 'USDC', '7'),
  ], 10);
  const feed = new FakeFeed();
  feed.prices.set('BTC/USDT', '97000.1');
  feed.prices.set('ETH/USDT:USDT', '3100.25');
  const clock = { now: () => T0 };
  const { logger, lines } = recordingLogger();
  const base = projectionPortfolioSource(docs, () => options.tenants ?? ['t1', 't2']);
  const snapshotter = new PortfolioSnapshotter({
    source: options.source ? options.source(base) : base, mark: (_accountId, symbol) => feed.latest(symbol)?.price, clock, store: options.store ?? snapshots, logger,
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
  });
  closers.push(() => snapshotter.stop());
  const curve = (tenantId: string, accountId: string) => snapshots.equityCurve({ tenantId, accountId, from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' });
  return { docs, snapshots, feed, clock, lines, snapshotter, curve };
}

const waitFor = async (check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('PortfolioSnapshotter', () => {
  it('writes one snapshot per account of every tenant, valued exactly at the latest prices', async () => {
    const { snapshotter, curve } = await setup();
    expect(await snapshotter.snapshotNow()).toBe(3);
    // acc1: 1000.5 + 0.25 × 97000.1 = 25250.525 (DOGE has no price); PnL (97000.1 − 90000) × 0.25 = 1750.025
    expect(await curve('t1', 'acc1')).toEqual([{
      time: '2026-01-15T10:00:00.000Z', tenantId: 't1', accountId: 'acc1', equity: '25250.525', unrealizedPnl: '1750.025',
      balances: { USDT: '1000.5', BTC: '0.25', DOGE: '10' },
    }]);
    // acc2: short 2 ETH perp from 3000.5, mark 3100.25 -> −199.5
    expect(await curve('t1', 'acc2')).toMatchObject([{ equity: '50', unrealizedPnl: '-199.5', balances: { USDT: '50' } }]);
    expect(await curve('t2', 'acc1')).toMatchObject([{ tenantId: 't2', equity: '7', unrealizedPnl: '0', balances: { USDC: '7' } }]);
  });

  it('aligns snapshot times to the interval grid, so a repeat within one interval replaces the point', async () => {
    const { snapshotter, curve, feed, clock } = await setup({ intervalMs: 60_000 });
    await snapshotter.snapshotNow();
    feed.prices.set('BTC/USDT', '100000');
    await snapshotter.snapshotNow();
    expect((await curve('t1', 'acc1')).map((s) => [s.time, s.equity])).toEqual([['2026-01-15T10:00:00.000Z', '26000.5']]);
    clock.now = () => T0 + 60_000;
    await snapshotter.snapshotNow();
    expect((await curve('t1', 'acc1')).map((s) => s.time)).toEqual(['2026-01-15T10:00:00.000Z', '2026-01-15T10:01:00.000Z']);
  });

  it('logs what has no price when it changes, not on every snapshot', async () => {
    const { snapshotter, lines, feed } = await setup();
    await snapshotter.snapshotNow();
    await snapshotter.snapshotNow();
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.fields.unpriced)).toEqual([['DOGE']]);
    feed.prices.delete('BTC/USDT');
    await snapshotter.snapshotNow();
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.fields.unpriced)).toEqual([['DOGE'], ['BTC', 'BTC/USDT', 'DOGE']]);
  });

  it('an account that cannot be read is logged and skipped; the others are written', async () => {
    const { snapshotter, lines, curve } = await setup({
      source: (s) => ({ ...s, balancesOf: (tenantId, accountId) => (accountId === 'acc2' ? Promise.reject(new Error('boom')) : s.balancesOf(tenantId, accountId)) }),
    });
    expect(await snapshotter.snapshotNow()).toBe(2);
    expect(await curve('t1', 'acc2')).toEqual([]);
    expect(lines.filter((l) => l.level === 'error')).toMatchObject([{ fields: { tenantId: 't1', accountId: 'acc2', err: 'boom' } }]);
  });

  it('with no accounts it writes nothing', async () => {
    const { snapshotter } = await setup({ tenants: [] });
    expect(await snapshotter.snapshotNow()).toBe(0);
  });

  it('start() snapshots at once and then every interval; stop() ends it', async () => {
    const { snapshotter, snapshots, clock } = await setup({ intervalMs: 20 });
    let now = T0;
    clock.now = () => (now += 20);
    const count = async () => (await snapshots.equityCurve({ tenantId: 't1', accountId: 'acc1', from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' })).length;
    // the interval runs on a fake timer: each tick is made to happen, and "no more ticks" is provable
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      snapshotter.start();
      snapshotter.start(); // a second start is a no-op
      expect(vi.getTimerCount()).toBe(1);
      await waitFor(async () => (await count()) === 1); // at once
      await vi.advanceTimersByTimeAsync(20);
      await waitFor(async () => (await count()) === 2);
      await vi.advanceTimersByTimeAsync(20);
      await waitFor(async () => (await count()) === 3);
      await snapshotter.stop();
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(200);
      expect(await count()).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a failing store is logged by the timer and never crashes the process', async () => {
    const failing: SnapshotStore = { write: () => Promise.reject(new Error('disk full')), equityCurve: async () => [], close: async () => undefined };
    const { snapshotter, lines } = await setup({ intervalMs: 10, store: failing });
    await expect(snapshotter.snapshotNow()).rejects.toThrow('disk full');
    snapshotter.start();
    await waitFor(() => lines.filter((l) => l.message === 'portfolio snapshots failed').length >= 2);
    await snapshotter.stop();
    expect(lines.find((l) => l.message === 'portfolio snapshots failed')?.fields.err).toBe('disk full');
  });

  it('the read-model source pages through more documents than one page holds', async () => {
    const { docs } = await setup();
    await docs.commit(Array.from({ length: 7 }, (_, i) => balance('t3', 'big', `A${i}`, String(i))).concat([account('t3', 'big'), account('t3', 'big2')]), 20);
    const source = projectionPortfolioSource(docs, () => ['t3'], { pageSize: 3 });
    expect((await source.balancesOf('t3', 'big')).map((b) => b.asset).sort()).toEqual(['A0', 'A1', 'A2', 'A3', 'A4', 'A5', 'A6']);
    expect((await source.listAccounts()).map((a) => a.accountId).sort()).toEqual(['big', 'big2']);
    expect(await source.positionsOf('t3', 'big')).toEqual([]);
  });
});
