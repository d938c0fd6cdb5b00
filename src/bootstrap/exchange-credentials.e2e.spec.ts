/**
 * Exchange credentials through the API: written once, sealed at rest (AES-256-GCM, bound to the
 * tenant and account), never returned or logged, used by the exchange client; a new key takes
 * effect at once; the master key rotates while the data stays readable.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, fetchJson, makeTempDir } from '../../test/support/server.js';
import { ACCOUNT, API_KEY, API_SECRET, WITHDRAW_KEY, WITHDRAW_SECRET, alert, closeRigs, expectFilledOnce, orderOf, rig } from './test-support/ccxt-rig.js';
import { loadConfig } from './config.js';
import { rotateMasterKey } from './maintenance.js';
import { startPatriot } from './runtime.js';

afterEach(async () => {
  await closeRigs();
  cleanupTempDirs();
});

describe('exchange credentials through the API', () => {
  it('are write-only: the answer, the account and the log show a masked hint; the exchange client uses them', async () => {
    const r = await rig({ credentialsVia: 'api' });
    const { runtime } = r.server;
    const hint = await fetchJson<Record<string, unknown>>(runtime, `/api/v1/accounts/${ACCOUNT}/credentials`);
    expect(hint.body).toEqual({ accountId: ACCOUNT, apiKeyHint: `••••${API_KEY.slice(-4)}`, hasPassword: false, updatedAt: expect.any(String) });
    const account = await fetchJson<Record<string, unknown>>(runtime, `/api/v1/accounts/${ACCOUNT}`);
    expect(account.body.credentials).toEqual({ apiKeyHint: `••••${API_KEY.slice(-4)}`, updatedAt: expect.any(String) });
    for (const text of [hint.text, account.text, JSON.stringify(await runtime.events.readAll(0, 1000))]) {
      expect(text).not.toContain(API_SECRET);
      expect(text).not.toContain(API_KEY);
    }
    // nothing readable at rest either
    for (const file of ['patriot.db', 'patriot.db-wal', 'readmodels.db', 'readmodels.db-wal']) {
      const path = join(r.server.dataDir, file);
      if (existsSync(path)) expect(readFileSync(path).toString('latin1').includes(API_SECRET), file).toBe(false);
    }
    expect(readFileSync(join(r.server.dataDir, 'patriot.db-wal')).toString('latin1')).toContain('exchange-credentials/'); // the sealed record is there
    const id = await orderOf(r, await alert(r, 'creds-1'));
    await expectFilledOnce(r, id);
  });

  it('refuses bad bodies (and changes nothing), unknown accounts, and paper accounts; DELETE removes them', async () => {
    const r = await rig({ credentialsVia: 'api' });
    const { runtime } = r.server;
    const put = (accountId: string, json: unknown) => fetchJson<{ error: { code: string } }>(runtime, `/api/v1/accounts/${accountId}/credentials`, { method: 'PUT', json });
    for (const bad of [{}, { apiKey: 'k' }, { apiKey: '', secret: 's' }, { apiKey: 'k k', secret: 's' }, { apiKey: 'k', secret: 's', tenantId: 'other' }, { apiKey: 'k'.repeat(600), secret: 's' }]) {
      expect((await put(ACCOUNT, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect((await fetchJson<Record<string, unknown>>(runtime, `/api/v1/accounts/${ACCOUNT}/credentials`)).body.apiKeyHint).toBe(`••••${API_KEY.slice(-4)}`);
    expect((await put('acc_nobody', { apiKey: 'k', secret: 's' })).status).toBe(404);
    const paper = await put('acc_demo_paper', { apiKey: 'k', secret: 's' });
    expect(paper.status).toBe(422);
    expect(paper.body.error.code).toBe('NO_CREDENTIALS_NEEDED');
    expect((await fetchJson(runtime, `/api/v1/accounts/${ACCOUNT}/credentials`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetchJson(runtime, `/api/v1/accounts/${ACCOUNT}/credentials`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetchJson<{ error: { code: string } }>(runtime, `/api/v1/accounts/${ACCOUNT}/credentials`)).body.error.code).toBe('NO_CREDENTIALS');
    expect((await fetchJson<Record<string, unknown>>(runtime, `/api/v1/accounts/${ACCOUNT}`)).body.credentials).toBeUndefined();
  });

  it('refuses a key the exchange reports as able to withdraw, and one the exchange refuses; nothing is stored', async () => {
    const r = await rig({ credentialsVia: 'api' });
    const { runtime } = r.server;
    const put = (json: unknown) => fetchJson<{ error: { code: string } }>(runtime, `/api/v1/accounts/${ACCOUNT}/credentials`, { method: 'PUT', json });
    const withdraw = await put({ apiKey: WITHDRAW_KEY, secret: WITHDRAW_SECRET });
    expect(withdraw.status).toBe(422);
    expect(withdraw.body.error.code).toBe('WITHDRAWAL_ENABLED_KEY');
    const wrong = await put({ apiKey: API_KEY, secret: 'not-the-secret-of-this-key' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe('EXCHANGE_REFUSED_KEY');
    // the trade-only key set by the rig is still the one on file
    expect((await fetchJson<{ apiKeyHint: string }>(runtime, `/api/v1/accounts/${ACCOUNT}/credentials`)).body.apiKeyHint).toBe(`••••${API_KEY.slice(-4)}`);
    expect(r.server.logs.text()).not.toContain(WITHDRAW_SECRET);
  });

  it('the master key rotates (re-wrap under the new key) and the old one can then go; a node with any other key refuses to start', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const dataDir = join(makeTempDir('patriot-rotate-'), 'data');
    const first = await rig({ credentialsVia: 'api', masterKey: oldKey, dataDir });
    await expectFilledOnce(first, await orderOf(first, await alert(first, 'rot-1')));
    await closeRigs();
    // a node with another key (a forgotten PATRIOT_MASTER_KEY, or the new one before the rotation) refuses to start
    for (const masterKey of [randomBytes(32).toString('base64'), newKey]) {
      await expect(startPatriot(loadConfig({}, { dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent', masterKey }))).rejects.toThrow(/not the database's.*every node must share one PATRIOT_MASTER_KEY/);
    }
    const rotated = await rotateMasterKey(loadConfig({}, { dataDir, masterKey: newKey, masterKeyPrevious: oldKey }));
    expect(rotated).toMatchObject({ rewrapped: 1, alreadyCurrent: 0, changedMeanwhile: 0 });
    await expect(rotateMasterKey(loadConfig({}, { dataDir, masterKey: newKey }))).rejects.toThrow(/PATRIOT_MASTER_KEY_PREVIOUS/);
    await expect(startPatriot(loadConfig({}, { dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent', masterKey: oldKey }))).rejects.toThrow(/not the database's/); // the old key alone no longer runs
    const after = await rig({ credentialsVia: 'api', masterKey: newKey, dataDir }); // the old key is gone
    await expectFilledOnce(after, await orderOf(after, await alert(after, 'rot-2')));
  });
});
