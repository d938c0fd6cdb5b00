/**
 * Attack suite, issue 15 item 5: whoever can read the disk learns nothing. The data directory is
 * 0700 and every file in it 0600 (also those an earlier version left readable); webhook secrets
 * are sealed under the master key, never in plain text in the kv table (plain ones from an earlier
 * version are sealed at start-up, and keep working); a sealed secret copied to another strategy's
 * row does not open. The demo secret still reaches the operator, and test alerts still work.
 */
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, marketAlert, postAlert, startTestServer } from '../support/server.js';
import { recordSecrets } from '../support/secret-scan.js';

afterAll(() => cleanupTempDirs());

const mode = (path: string) => statSync(path).mode & 0o777;
function modes(dir: string): { dir: number; files: Record<string, number> } {
  const files: Record<string, number> = {};
  for (const name of readdirSync(dir)) files[name] = mode(join(dir, name));
  return { dir: mode(dir), files };
}
const kvRows = (dataDir: string): { key: string; value: string }[] => {
  const db = new Database(join(dataDir, 'patriot.db'));
  try {
    return db.prepare("SELECT key, value FROM kv WHERE key LIKE 'webhook-secret/%'").all() as { key: string; value: string }[];
  } finally {
    db.close();
  }
};

describe('data at rest (issue 15, item 5)', () => {
  it('the data directory is 0700 and every file in it 0600 (SQLite files, master.key, paper-exchange.db)', async () => {
    const server = await startTestServer();
    expect((await postAlert(server.runtime, marketAlert(server.runtime.demo!.secret, { id: 'perm-1' }))).status).toBe(202);
    await server.runtime.settle();
    const seen = modes(server.dataDir);
    await server.close();
    expect(seen.dir).toBe(0o700);
    expect(Object.keys(seen.files)).toEqual(expect.arrayContaining(['patriot.db', 'master.key', 'paper-exchange.db', 'readmodels.db']));
    for (const [name, m] of Object.entries(seen.files)) expect(m.toString(8), name).toBe('600');
  });

  it('webhook secrets are sealed in the kv table; a plain one from an earlier version is sealed at start-up and still works; a sealed value moved to another strategy does not open', async () => {
    const first = await startTestServer();
    const dataDir = first.dataDir;
    const demoSecret = first.runtime.demo!.secret;
    // a second strategy of the same tenant, through the API
    const created = await fetchJson<{ strategy: { strategyId: string }; webhook: { secret: string } }>(first.runtime, '/api/v1/strategies', {
      json: { name: 'other', accounts: [{ accountId: 'acc_demo_paper', sizing: { kind: 'signal_quantity', multiplier: '1' }, orderTemplate: { type: 'market' } }] },
    });
    expect(created.status).toBe(201);
    const other = created.body.strategy.strategyId;
    recordSecrets(created.body.webhook.secret);
    await first.close();

    const rows = kvRows(dataDir);
    expect(rows.map((r) => r.key).sort()).toEqual([`webhook-secret/${other}`, 'webhook-secret/strat_demo'].sort());
    for (const row of rows) {
      expect(row.value).not.toContain(demoSecret);
      expect(row.value).not.toContain(created.body.webhook.secret);
      expect(JSON.parse(row.value)).toMatchObject({ sealed: { v: 1 } });
    }
    for (const file of readdirSync(dataDir)) expect(readFileSync(join(dataDir, file)).includes(demoSecret), file).toBe(false);

    // an earlier version's data: the demo secret in plain text, the other strategy given the demo's sealed value, files readable by all
    const legacy = 'legacy-plain-secret-0123456789';
    recordSecrets(legacy);
    const db = new Database(join(dataDir, 'patriot.db'));
    const demoSealed = (db.prepare("SELECT value FROM kv WHERE key = 'webhook-secret/strat_demo'").get() as { value: string }).value;
    db.prepare("UPDATE kv SET value = ? WHERE key = 'webhook-secret/strat_demo'").run(legacy);
    db.prepare('UPDATE kv SET value = ? WHERE key = ?').run(demoSealed, `webhook-secret/${other}`);
    db.close();
    chmodSync(dataDir, 0o755);
    for (const file of readdirSync(dataDir)) chmodSync(join(dataDir, file), 0o644);

    const second = await startTestServer({ dataDir });
    try {
      expect(second.runtime.demo!.secret).toBe(legacy); // the operator is still shown it
      expect((await postAlert(second.runtime, marketAlert(legacy, { id: 'legacy-1' }))).status).toBe(202);
      const test = await fetchJson(second.runtime, '/api/v1/strategies/strat_demo/test-alert', { json: { action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.01' } });
      expect(test.status).toBe(202);
      // the demo's sealed value under another strategy's key opens for neither secret
      expect((await postAlert(second.runtime, marketAlert(demoSecret, { id: 'moved-1' }), { strategyId: other })).status).toBe(401);
      expect((await postAlert(second.runtime, marketAlert(created.body.webhook.secret, { id: 'moved-2' }), { strategyId: other })).status).toBe(401);
      const now = modes(dataDir);
      expect(now.dir).toBe(0o700);
      for (const [name, m] of Object.entries(now.files)) expect(m.toString(8), name).toBe('600');
    } finally {
      await second.close();
    }
    const migrated = kvRows(dataDir).find((r) => r.key === 'webhook-secret/strat_demo')!;
    expect(migrated.value).not.toContain(legacy);
    expect(JSON.parse(migrated.value)).toMatchObject({ sealed: { v: 1 } });
  });
});
