/**
 * Derived amounts are rounded for show (issue 20): an average entry price or an unrealised PnL is
 * exact to 40 digits inside; the API shows at most 8 decimal places, equal to the exact value
 * rounded half even (recomputed here from the fills).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Dec } from '../domain/shared/decimal.js';
import { cleanupTempDirs, demoOf, fetchJson, marketAlert, postAlert, quiesce, startTestServer, type Page } from '../../test/support/server.js';

afterAll(() => cleanupTempDirs());

const places = (text: string) => (text.split('.')[1] ?? '').length;

describe('amounts as the API shows them', () => {
  it('a position bought at three prices: its average and PnL have at most 8 decimals, the exact value rounded', async () => {
    const server = await startTestServer();
    try {
      const { secret } = demoOf(server.runtime);
      let n = 0;
      for (const [price, quantity] of [['97000', '0.01'], ['97001.37', '0.02'], ['97000.11', '0.007']] as const) {
        server.runtime.feed.setPrice('BTC/USDT', price);
        const res = await postAlert(server.runtime, marketAlert(secret, { id: `dec-${++n}`, quantity }));
        expect(res.status, res.text).toBe(202);
        await quiesce(server.runtime);
      }
      server.runtime.feed.setPrice('BTC/USDT', '97003.33');
      await quiesce(server.runtime);
      const fills = (await fetchJson<Page<{ price: string; quantity: string; side: string }>>(server.runtime, '/api/v1/fills?limit=50')).body.items;
      const bought = fills.reduce((sum, f) => sum.plus(f.quantity), new Dec(0));
      const exactAverage = fills.reduce((sum, f) => sum.plus(new Dec(f.price).times(f.quantity)), new Dec(0)).dividedBy(bought);
      expect(places(exactAverage.toFixed())).toBeGreaterThan(8); // the case this is about

      const position = (await fetchJson<{ items: { symbol: string; averageEntryPrice: string; unrealizedPnl?: string; realizedPnl: string; feesPaid: string }[] }>(server.runtime, '/api/v1/positions')).body.items.find((p) => p.symbol === 'BTC/USDT')!;
      expect(position.averageEntryPrice).toBe(exactAverage.toDecimalPlaces(8, Dec.ROUND_HALF_EVEN).toFixed());
      for (const field of [position.averageEntryPrice, position.unrealizedPnl ?? '0', position.realizedPnl, position.feesPaid]) expect(places(field), field).toBeLessThanOrEqual(8);
    } finally {
      await server.close();
    }
  });
});
