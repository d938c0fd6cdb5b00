/**
 * Every open order, however old (issue 20): the dashboard's panel read only the latest 100 orders,
 * so resting orders older than the last 100 were missing. `GET /orders?status=open` lists every
 * order not final yet of the tenant (of one account when asked), from the write side's folded log.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, demoOf, fetchJson, marketAlert, paperServerForBlock, postAlert, quiesce, type OrderView, type Page } from '../../test/support/server.js';

afterAll(() => cleanupTempDirs());

describe('every open order', () => {
  const serverOf = paperServerForBlock();

  it('three resting orders older than the last 100 orders are all listed by status=open, and nothing final is', async () => {
    const server = serverOf();
    const { secret, accountId } = demoOf(server.runtime);
    let n = 0;
    const send = async (fields: Record<string, string>) => {
      const res = await postAlert(server.runtime, marketAlert(secret, { id: `open-${++n}`, quantity: '0.001', ...fields }));
      expect(res.status, res.text).toBe(202);
      return res.body.signalId!;
    };
    const resting = [await send({ order_type: 'limit', limit_price: '90000' }), await send({ order_type: 'limit', limit_price: '90100' }), await send({ order_type: 'limit', limit_price: '90200' })];
    for (let i = 0; i < 100; i++) await send({});
    await quiesce(server.runtime);

    const latest = (await fetchJson<Page<OrderView>>(server.runtime, '/api/v1/orders?limit=100')).body.items;
    expect(latest.filter((o) => o.status === 'accepted')).toEqual([]); // the old page view cannot see them
    const open = (await fetchJson<Page<OrderView>>(server.runtime, '/api/v1/orders?status=open')).body.items;
    expect(open.map((o) => o.signalId).sort()).toEqual([...resting].sort());
    expect(open.every((o) => o.status === 'accepted')).toBe(true);
    const ofAccount = (await fetchJson<Page<OrderView>>(server.runtime, `/api/v1/orders?status=open&accountId=${accountId}`)).body.items;
    expect(ofAccount).toHaveLength(3);
    expect((await fetchJson<Page<OrderView>>(server.runtime, '/api/v1/orders?status=open&accountId=acc_of_someone_else')).body.items).toEqual([]);
    expect((await fetchJson(server.runtime, '/api/v1/orders?status=closed')).status).toBe(400);
  });
});
