/**
 * Max trades per day over real HTTP through the paper exchange (ADR-0019): the strategy's limit
 * refuses the next entry with MAX_TRADES_PER_DAY, exits still go; counted across routing batches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, createStrategy, orderOfAlert, startTestServer, type OrderView, type TestServer } from '../../../../test/support/server.js';

let server: TestServer;
let s: { strategyId: string; secret: string };

beforeAll(async () => {
  server = await startTestServer();
  server.runtime.feed.setPrice('BTC/USDT', '97000');
  s = await createStrategy(server.runtime, { name: 'Two a day', risk: { maxTradesPerDay: 2 }, accounts: [{ accountId: 'acc_demo_paper', sizing: { kind: 'fixed_quantity', quantity: '0.001' }, orderTemplate: { type: 'market' } }], maxSignalAgeSeconds: 0 });
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

let n = 0;
const orderOf = (action: string): Promise<OrderView | undefined> => orderOfAlert(server.runtime, s, `t-${++n}`, action);

describe('max trades per day', () => {
  it('two entries go, the third is rejected with MAX_TRADES_PER_DAY; a close still goes', async () => {
    expect((await orderOf('buy'))?.status).toBe('filled');
    expect((await orderOf('buy'))?.status).toBe('filled');
    const third = await orderOf('buy');
    expect(third?.status).toBe('rejected');
    expect(third?.reasons?.map((r) => r.code)).toEqual(['MAX_TRADES_PER_DAY']);
    const exit = await orderOf('close');
    expect([exit?.side, exit?.status, exit?.reduceOnly]).toEqual(['sell', 'filled', true]);
  });
});
