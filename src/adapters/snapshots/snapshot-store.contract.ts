import { afterEach, describe, expect, it } from 'vitest';
import type { PortfolioSnapshot, SnapshotStore } from '../../application/ports/snapshot-store.js';

export interface SnapshotStoreUnderTest {
  readonly store: SnapshotStore;
  /** Removes whatever the factory made (files, databases); called after the store is closed. */
  cleanup(): Promise<void>;
}

export const snap = (time: string, extra: Partial<PortfolioSnapshot> = {}): PortfolioSnapshot => ({
  time,
  tenantId: 't1',
  accountId: 'acc1',
  equity: '100000',
  unrealizedPnl: '0',
  balances: { USDT: '100000' },
  ...extra,
});

const times = (snapshots: readonly PortfolioSnapshot[]): string[] => snapshots.map((s) => s.time);
const curve = (store: SnapshotStore, from: string, to: string, extra: { tenantId?: string; accountId?: string; limit?: number } = {}) =>
  store.equityCurve({ tenantId: 't1', accountId: 'acc1', from, to, ...extra });

/**
 * The SnapshotStore contract: every backend must pass it unchanged.
 * `factory` opens a fresh, empty store for each test.
 */
export function describeSnapshotStoreContract(name: string, factory: () => Promise<SnapshotStoreUnderTest>): void {
  describe(`SnapshotStore contract: ${name}`, () => {
    let opened: SnapshotStoreUnderTest[] = [];
    const fresh = async (): Promise<SnapshotStore> => {
      const s = await factory();
      opened.push(s);
      return s.store;
    };
    afterEach(async () => {
      for (const s of opened) {
        await s.store.close();
        await s.cleanup();
      }
      opened = [];
    });

    it('reads back exactly what was written: decimal strings digit for digit, balances, times', async () => {
      const store = await fresh();
      const written = snap('2026-01-15T10:00:00.123Z', {
        equity: '123456789012345678901234.123456789012345678',
        unrealizedPnl: '-0.000000000000000001',
        balances: { USDT: '0.1', BTC: '1.23456789', ETH: '-2.5' },
      });
      await store.write([written]);
      expect(await curve(store, '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z')).toEqual([written]);
    });

    it('answers times in canonical UTC form whatever offset they were written with', async () => {
      const store = await fresh();
      await store.write([snap('2026-01-15T12:00:00+02:00')]);
      expect(times(await curve(store, '2026-01-15T10:00:00Z', '2026-01-15T10:00:00Z'))).toEqual(['2026-01-15T10:00:00.000Z']);
    });

    it('both range bounds are inclusive, and points outside are left out', async () => {
      const store = await fresh();
      await store.write(['09:59:59.999', '10:00:00.000', '10:30:00.000', '11:00:00.000', '11:00:00.001'].map((t) => snap(`2026-01-15T${t}Z`)));
      expect(times(await curve(store, '2026-01-15T10:00:00.000Z', '2026-01-15T11:00:00.000Z'))).toEqual([
        '2026-01-15T10:00:00.000Z', '2026-01-15T10:30:00.000Z', '2026-01-15T11:00:00.000Z',
      ]);
      expect(await curve(store, '2026-01-15T10:00:00.001Z', '2026-01-15T10:29:59.999Z')).toEqual([]);
      expect(await curve(store, '2026-01-15T11:00:00.000Z', '2026-01-15T10:00:00.000Z')).toEqual([]);
    });

    it('answers in ascending time order whatever the write order', async () => {
      const store = await fresh();
      await store.write([snap('2026-01-15T10:02:00.000Z'), snap('2026-01-15T10:00:00.000Z')]);
      await store.write([snap('2026-01-15T10:01:00.000Z'), snap('2026-01-14T23:59:00.000Z')]);
      expect(times(await curve(store, '2026-01-01T00:00:00Z', '2026-01-31T00:00:00Z'))).toEqual([
        '2026-01-14T23:59:00.000Z', '2026-01-15T10:00:00.000Z', '2026-01-15T10:01:00.000Z', '2026-01-15T10:02:00.000Z',
      ]);
    });

    it('a second snapshot at the same time of the same account replaces the first (retries are harmless)', async () => {
      const store = await fresh();
      await store.write([snap('2026-01-15T10:00:00.000Z', { equity: '1' })]);
      await store.write([snap('2026-01-15T10:00:00.000Z', { equity: '2', balances: { USDT: '2' } })]);
      expect(await curve(store, '2026-01-15T00:00:00Z', '2026-01-16T00:00:00Z')).toEqual([snap('2026-01-15T10:00:00.000Z', { equity: '2', balances: { USDT: '2' } })]);
    });

    it('keeps tenants and accounts apart', async () => {
      const store = await fresh();
      const t = '2026-01-15T10:00:00.000Z';
      await store.write([
        snap(t, { equity: '1' }),
        snap(t, { tenantId: 't2', equity: '2' }),
        snap(t, { accountId: 'acc2', equity: '3' }),
      ]);
      const range = ['2026-01-15T00:00:00Z', '2026-01-16T00:00:00Z'] as const;
      expect((await curve(store, ...range)).map((s) => s.equity)).toEqual(['1']);
      expect(await curve(store, ...range, { tenantId: 't2' })).toEqual([snap(t, { tenantId: 't2', equity: '2' })]);
      expect((await curve(store, ...range, { accountId: 'acc2' })).map((s) => s.equity)).toEqual(['3']);
      // another tenant's account of the same id is not visible
      expect(await curve(store, ...range, { tenantId: 't3' })).toEqual([]);
    });

    it('limit returns the earliest points of the range', async () => {
      const store = await fresh();
      await store.write(Array.from({ length: 10 }, (_, i) => snap(`2026-01-15T10:0${i}:00.000Z`, { equity: String(i) })));
      const first3 = await curve(store, '2026-01-15T10:02:00Z', '2026-01-15T11:00:00Z', { limit: 3 });
      expect(first3.map((s) => s.equity)).toEqual(['2', '3', '4']);
      expect(await curve(store, '2026-01-15T10:00:00Z', '2026-01-15T11:00:00Z', { limit: 100 })).toHaveLength(10);
    });

    it('an account with no snapshots has an empty curve', async () => {
      const store = await fresh();
      expect(await curve(store, '2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z', { accountId: 'nobody' })).toEqual([]);
      await store.write([]);
      expect(await curve(store, '2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z')).toEqual([]);
    });

    it('stores and ranges over several months and years, far past and future included', async () => {
      const store = await fresh();
      const all = ['2019-06-30T23:59:59.999Z', '2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00.000Z', '2026-02-28T12:00:00.000Z', '2026-03-01T00:00:00.000Z', '2031-07-04T00:00:00.000Z'];
      await store.write(all.map((t, i) => snap(t, { equity: String(i) })));
      expect(times(await curve(store, '2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z'))).toEqual(all);
      expect(times(await curve(store, '2026-01-01T00:00:00Z', '2026-02-28T23:59:59.999Z'))).toEqual(['2026-01-01T00:00:00.000Z', '2026-02-28T12:00:00.000Z']);
      expect(times(await curve(store, '2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00Z'))).toEqual(['2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00.000Z']);
    });

    it('writes a large batch in one call', async () => {
      const store = await fresh();
      const start = Date.parse('2026-01-31T00:00:00.000Z');
      const batch = Array.from({ length: 2_500 }, (_, i) => snap(new Date(start + i * 60_000).toISOString(), { accountId: `acc${i % 5}`, equity: `${i}.5` }));
      await store.write(batch);
      const acc0 = await curve(store, '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z', { accountId: 'acc0' });
      expect(acc0).toHaveLength(500);
      expect(acc0.at(-1)).toEqual(batch[2_495]);
    });

    it('refuses an unparseable time', async () => {
      const store = await fresh();
      await expect(store.write([snap('yesterday')])).rejects.toThrow();
    });
  });
}
