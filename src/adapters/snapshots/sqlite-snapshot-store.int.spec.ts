import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeSnapshotStoreContract, snap } from './snapshot-store.contract.js';
import { SqliteSnapshotStore } from './sqlite-snapshot-store.js';

describeSnapshotStoreContract('SqliteSnapshotStore (temp file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'patriot-snap-contract-'));
  return {
    store: new SqliteSnapshotStore(join(dir, 'snapshots.db')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('SqliteSnapshotStore', () => {
  it('keeps snapshots across a reopen of the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'patriot-snap-'));
    try {
      const path = join(dir, 'nested', 'snapshots.db');
      const first = new SqliteSnapshotStore(path);
      await first.write([snap('2026-01-15T10:00:00.000Z', { equity: '42.42' })]);
      await first.close();
      const second = new SqliteSnapshotStore(path);
      expect(await second.equityCurve({ tenantId: 't1', accountId: 'acc1', from: '2026-01-01T00:00:00Z', to: '2026-12-31T00:00:00Z' })).toEqual([
        snap('2026-01-15T10:00:00.000Z', { equity: '42.42' }),
      ]);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
