import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeProjectionStoreContract } from './projection-store.contract.js';
import { SqliteProjectionStore } from './sqlite-projection-store.js';

describeProjectionStoreContract('SqliteProjectionStore (temp file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'patriot-rm-contract-'));
  return {
    store: new SqliteProjectionStore(join(dir, 'readmodels.db')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
