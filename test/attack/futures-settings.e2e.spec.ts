/**
 * Leverage and margin mode of an account (issue 17) under attack: another tenant can neither read
 * nor change them (404, exactly like an account that does not exist), a viewer reads but cannot
 * change them (403), spot and paper accounts and bad settings are refused with stable codes; a
 * refusal changes nothing in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, login, startTestServer, type TestServer } from '../support/server.js';
import { registerUser } from '../../src/application/commands/configure.js';
import { KeyedMutex } from '../../src/application/shared/keyed-mutex.js';
import { systemClock } from '../../src/adapters/system/system-clock.js';

let server: TestServer;
let viewer: string;
let stranger: string;
let swapId: string;
let spotId: string;
const SETTINGS = { leverage: 5, marginMode: 'isolated', symbols: { 'BTC/USDT': { leverage: 3 } } };

/** How many events the account's stream holds (a refusal must add none). */
const eventsOf = async (accountId: string) => (await server.runtime.events.readStream(`account-${accountId}`)).length;

beforeAll(async () => {
  // binance accounts here never reach an exchange: their URLs point at a closed local port
  server = await startTestServer({ config: { exchangeUrls: { binance: 'http://127.0.0.1:9' } } });
  const { runtime } = server;
  await runtime.auth.setLogin('vera', { userId: 'usr_vera', tenantId: 'tnt_demo', role: 'viewer' }, 'viewer-password-1');
  await registerUser({ store: runtime.events, mutex: new KeyedMutex(), clock: systemClock }, { userId: 'usr_sam', tenantId: 'tnt_other', name: 'Sam', role: 'admin' }, 'test');
  await runtime.auth.setLogin('sam', { userId: 'usr_sam', tenantId: 'tnt_other', role: 'admin' }, 'stranger-password-1');
  viewer = (await login(runtime, 'vera', 'viewer-password-1'))!;
  stranger = (await login(runtime, 'sam', 'stranger-password-1'))!;
  const swap = await fetchJson<{ accountId: string }>(runtime, '/api/v1/accounts', { json: { name: 'Perps', exchange: 'binance', marketType: 'swap' } });
  const spot = await fetchJson<{ accountId: string }>(runtime, '/api/v1/accounts', { json: { name: 'Spot', exchange: 'binance', marketType: 'spot' } });
  expect([swap.status, spot.status]).toEqual([201, 201]);
  swapId = swap.body.accountId;
  spotId = spot.body.accountId;
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

describe('futures settings: tenants, roles, account kinds, bad input', () => {
  it('the owner sets and reads them; the account shows them', async () => {
    const put = await fetchJson(server.runtime, `/api/v1/accounts/${swapId}/futures`, { method: 'PUT', json: SETTINGS });
    expect([put.status, put.body]).toEqual([200, SETTINGS]);
    expect((await fetchJson(server.runtime, `/api/v1/accounts/${swapId}/futures`)).body).toEqual(SETTINGS);
    expect((await fetchJson(server.runtime, `/api/v1/accounts/${swapId}`)).body).toMatchObject({ marketType: 'swap', futures: SETTINGS });
  });

  it('another tenant can neither read nor change them: 404 as for no account, and nothing is recorded', async () => {
    const before = await eventsOf(swapId);
    const read = await fetchJson<{ error: { code: string } }>(server.runtime, `/api/v1/accounts/${swapId}/futures`, { token: stranger });
    expect([read.status, read.body.error.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    expect(read.text).not.toContain('isolated');
    const write = await fetchJson<{ error: { code: string } }>(server.runtime, `/api/v1/accounts/${swapId}/futures`, { method: 'PUT', json: { leverage: 100, marginMode: 'cross' }, token: stranger });
    expect([write.status, write.body.error.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    const unknown = await fetchJson<{ error: { code: string } }>(server.runtime, '/api/v1/accounts/acc_nope/futures', { method: 'PUT', json: { leverage: 2, marginMode: 'cross' }, token: stranger });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    expect(await eventsOf(swapId)).toBe(before);
    expect((await fetchJson(server.runtime, `/api/v1/accounts/${swapId}/futures`)).body).toEqual(SETTINGS);
  });

  it('a viewer reads them but cannot change them (403)', async () => {
    const before = await eventsOf(swapId);
    expect((await fetchJson(server.runtime, `/api/v1/accounts/${swapId}/futures`, { token: viewer })).status).toBe(200);
    const write = await fetchJson<{ error: { code: string } }>(server.runtime, `/api/v1/accounts/${swapId}/futures`, { method: 'PUT', json: { leverage: 50, marginMode: 'cross' }, token: viewer });
    expect([write.status, write.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(await eventsOf(swapId)).toBe(before);
  });

  it('spot and paper accounts answer 422 FUTURES_SETTINGS_NOT_SUPPORTED and record nothing', async () => {
    for (const accountId of [spotId, 'acc_demo_paper']) {
      const before = await eventsOf(accountId);
      const put = await fetchJson<{ error: { code: string } }>(server.runtime, `/api/v1/accounts/${accountId}/futures`, { method: 'PUT', json: { leverage: 2, marginMode: 'cross' } });
      expect([put.status, put.body.error.code], accountId).toEqual([422, 'FUTURES_SETTINGS_NOT_SUPPORTED']);
      expect(await eventsOf(accountId)).toBe(before);
      const read = await fetchJson<{ error: { code: string } }>(server.runtime, `/api/v1/accounts/${accountId}/futures`);
      expect([read.status, read.body.error.code]).toEqual([404, 'NO_FUTURES_SETTINGS']);
    }
  });

  it.each([
    { leverage: 0, marginMode: 'cross' },
    { leverage: 126, marginMode: 'cross' },
    { leverage: 2.5, marginMode: 'cross' },
    { leverage: 5, marginMode: 'crossed' },
    { leverage: 5 },
    { leverage: 5, marginMode: 'cross', symbols: { BTCUSDT: { leverage: 2 } } },
    { leverage: 5, marginMode: 'cross', symbols: { 'BTC/USDT': { leverage: 500 } } },
    { leverage: 5, marginMode: 'cross', symbols: { 'BTC/USDT': { hedge: true } } },
    { leverage: 5, marginMode: 'cross', positionMode: 'hedge' },
  ])('bad settings %j: a 4xx with a stable code, nothing changes', async (body) => {
    const before = await eventsOf(swapId);
    const put = await fetchJson<{ error: { code: string } }>(server.runtime, `/api/v1/accounts/${swapId}/futures`, { method: 'PUT', json: body });
    expect([400, 422]).toContain(put.status);
    expect(['VALIDATION_FAILED', 'INVALID_FUTURES_SETTINGS']).toContain(put.body.error.code);
    expect(await eventsOf(swapId)).toBe(before);
  });

  it('an override without either field is refused by the rules (422), not stored as an empty override', async () => {
    const put = await fetchJson<{ error: { code: string } }>(server.runtime, `/api/v1/accounts/${swapId}/futures`, { method: 'PUT', json: { leverage: 5, marginMode: 'cross', symbols: { 'ETH/USDT': {} } } });
    expect([put.status, put.body.error.code]).toEqual([422, 'INVALID_FUTURES_SETTINGS']);
  });
});
