/**
 * Cooldown after consecutive losing trades over real HTTP through the paper exchange (ADR-0019):
 * two round trips that lose (fees and slippage, then a falling price) put the strategy in cooldown;
 * the next entry is rejected with COOLDOWN (exits still go: see loss-streak.unit.spec.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, createStrategy, orderOfAlert, startTestServer, type OrderView, type TestServer } from '../../../../test/support/server.js';

let server: TestServer;
let s: { strategyId: string; secret: string };

beforeAll(async () => {
  server = await startTestServer();
  server.runtime.feed.setPrice('BTC/USDT', '97000');
  s = await createStrategy(server.runtime, { name: 'Cools down', risk: { cooldownAfterLosses: 2, cooldownMinutes: 60 }, accounts: [{ accountId: 'acc_demo_paper', sizing: { kind: 'fixed_quantity', quantity: '0.01' }, orderTemplate: { type: 'market' } }], maxSignalAgeSeconds: 0 });
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

let n = 0;
const orderOf = (action: string): Promise<OrderView | undefined> => orderOfAlert(server.runtime, s, `c-${++n}`, action);

describe('cooldown after losing trades', () => {
  it('two losing round trips, then the next entry is refused with COOLDOWN', async () => {
    expect((await orderOf('buy'))?.status).toBe('filled');
    server.runtime.feed.setPrice('BTC/USDT', '96000');
    expect((await orderOf('close'))?.status).toBe('filled');
    expect((await orderOf('buy'))?.status).toBe('filled'); // one loss: not yet
    server.runtime.feed.setPrice('BTC/USDT', '95000');
    expect((await orderOf('sell'))?.status).toBe('filled');
    const refused = await orderOf('buy');
    expect([refused?.status, refused?.reasons?.map((r) => r.code)]).toEqual(['rejected', ['COOLDOWN']]);
  });
});

describe("a strategy's daily loss limit", () => {
  it('once its loss today (realised and unrealised) reaches the limit, entries are rejected with STRATEGY_DAILY_LOSS_LIMIT; its close still goes', async () => {
    server.runtime.feed.setPrice('BTC/USDT', '97000');
    s = await createStrategy(server.runtime, { name: 'Loses at most 50 a day', risk: { dailyLossLimit: '50' }, accounts: [{ accountId: 'acc_demo_paper', sizing: { kind: 'fixed_quantity', quantity: '0.01' }, orderTemplate: { type: 'market' } }], maxSignalAgeSeconds: 0 });
    expect((await orderOf('buy'))?.status).toBe('filled');
    expect((await orderOf('buy'))?.status).toBe('filled'); // about 2 USDT of fees and slippage: well within 50
    server.runtime.feed.setPrice('BTC/USDT', '94000'); // 0.02 × ~3,000 = ~60 unrealised
    const refused = await orderOf('buy');
    expect([refused?.status, refused?.reasons?.map((r) => r.code)]).toEqual(['rejected', ['STRATEGY_DAILY_LOSS_LIMIT']]);
    const exit = await orderOf('close');
    expect([exit?.side, exit?.status, exit?.reduceOnly]).toEqual(['sell', 'filled', true]);
  });
});

