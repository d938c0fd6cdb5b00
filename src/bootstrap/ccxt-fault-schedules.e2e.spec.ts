/**
 * Property: whatever faults the exchange throws at the order path, in whatever order (a random
 * schedule drawn by fast-check), every alert ends with exactly one order per clientOrderId on the
 * exchange, placed once, and PATRIOT's records equal the exchange's state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SandboxFault } from '../adapters/exchanges/sandbox/fault-spec.js';
import { cleanupTempDirs, fetchJson, waitUntil, type OrderView, type Page } from '../../test/support/server.js';
import { ACCOUNT, alert, closeRigs, orderOf, rig, types, type Rig } from './test-support/ccxt-rig.js';

/** Faults on the order path. An order stays invisible for less than the visibility window (2.5 s): beyond it, no client can tell. */
const fault: fc.Arbitrary<SandboxFault> = fc.oneof(
  fc.constant<SandboxFault>({ kind: 'timeout', mode: 'destroy' }),
  fc.constantFrom<500 | 504>(500, 504).map((status): SandboxFault => ({ kind: 'http_error', status, when: 'after' })),
  fc.constantFrom<500 | 502 | 503 | 504>(500, 502, 503, 504).map((status): SandboxFault => ({ kind: 'http_error', status, when: 'before' })),
  fc.boolean().map((placeOrder): SandboxFault => ({ kind: 'duplicate', placeOrder })),
  fc.constant<SandboxFault>({ kind: 'invisible', seconds: 1 }),
  fc.integer({ min: 20, max: 250 }).map((ms): SandboxFault => ({ kind: 'latency', ms, times: 2 })),
);

const FINAL = new Set(['OrderFilled', 'OrderExchangeRejected']);

describe('random fault schedules on the order path (fast-check)', () => {
  let r: Rig;
  let run = 0;
  beforeAll(async () => {
    r = await rig({ visibilityMs: 2500 });
  });
  afterAll(async () => {
    await closeRigs();
    cleanupTempDirs();
  });

  it('every order exists exactly once on the exchange and our records match it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fault, { maxLength: 4 }), fc.integer({ min: 1, max: 3 }), async (schedule, alerts) => {
        run += 1;
        r.sandbox.faults.clear();
        for (const f of schedule) r.sandbox.faults.inject(f);
        const ids: string[] = [];
        for (let i = 0; i < alerts; i++) ids.push(await orderOf(r, await alert(r, `prop-${run}-${i}`, '0.001')));
        for (const id of ids) {
          await waitUntil(async () => (await types(r, id)).some((t) => FINAL.has(t)), `order ${id} final (schedule ${JSON.stringify(schedule)})`, 20_000, 50);
        }
        await r.server.runtime.settle();
        const ours = (await fetchJson<Page<OrderView>>(r.server.runtime, `/api/v1/orders?accountId=${ACCOUNT}&limit=200`)).body.items;
        for (const id of ids) {
          const atExchange = await r.sandbox.exchange.fetchOrder('sbx', id);
          const mine = ours.find((o) => o.clientOrderId === id);
          expect(r.sandbox.exchange.placementAttempts('sbx', id), `${id} reached the exchange more than once`).toBeLessThanOrEqual(1);
          if (atExchange) {
            expect(mine).toMatchObject({ status: atExchange.status, filledQuantity: atExchange.filledQuantity, exchangeOrderId: atExchange.exchangeOrderId });
          } else {
            expect(mine?.status, `${id} absent on the exchange`).toBe('exchange_rejected');
          }
        }
      }),
      { numRuns: 8, seed: 20261125, endOnFailure: true },
    );
  });
});
