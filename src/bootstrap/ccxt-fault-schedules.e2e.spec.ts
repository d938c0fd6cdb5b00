/**
 * Property: whatever faults the exchange throws at the order path, in whatever order (a random
 * schedule drawn by fast-check), the sandbox ACCEPTED each clientOrderId at most once and never
 * received it again after accepting it (on Binance that re-send is a second real order once the
 * first is filled), and PATRIOT's orders and fills equal the sandbox's. A re-send after a
 * definite "not placed" answer (429, duplicate without an order) is allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Dec } from '../domain/shared/decimal.js';
import type { SandboxFault } from '../adapters/exchanges/sandbox/fault-spec.js';
import { placementLedger } from '../adapters/exchanges/sandbox/placement-ledger.js';
import { cleanupTempDirs, fetchJson, waitUntil, type FillView, type OrderView, type Page } from '../../test/support/server.js';
import { ACCOUNT, alert, closeRigs, rig, types, type Rig } from './test-support/ccxt-rig.js';

/** PATRIOT's visibility window in this suite. */
const WINDOW_MS = 2500;

/**
 * A step of a schedule: a fault queued on the order path, the user-data stream going silent now,
 * or a market-data fault now (one price connection dropped or silenced, all dropped, a price jump).
 */
type MarketStep =
  | { readonly kind: 'md_drop'; readonly all: boolean }
  | { readonly kind: 'md_silence_one' }
  | { readonly kind: 'md_jump'; readonly pct: number };
type Step = SandboxFault | { readonly kind: 'silence' } | MarketStep;

/**
 * Faults on the order path. An order invisible EVERYWHERE (its trades too) stays so for less than
 * the window: beyond it, every source shows nothing and PATRIOT concludes NOT_PLACED (no client
 * can tell). One invisible only to the order queries stays so for longer than the window: its
 * trades show, and PATRIOT must find it through them (or wait) rather than conclude absence.
 */
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'timeout', mode: 'destroy' }),
  fc.constantFrom<500 | 504>(500, 504).map((status): Step => ({ kind: 'http_error', status, when: 'after' })),
  fc.constantFrom<500 | 502 | 503 | 504>(500, 502, 503, 504).map((status): Step => ({ kind: 'http_error', status, when: 'before' })),
  fc.boolean().map((placeOrder): Step => ({ kind: 'duplicate', placeOrder })),
  fc.constant<Step>({ kind: 'invisible', seconds: 1 }),
  fc.constant<Step>({ kind: 'invisible', seconds: (WINDOW_MS + 1500) / 1000 }),
  fc.constant<Step>({ kind: 'invisible', seconds: (WINDOW_MS - 1000) / 1000, everywhere: true }),
  fc.constant<Step>({ kind: 'silence' }),
  fc.integer({ min: 20, max: 250 }).map((ms): Step => ({ kind: 'latency', ms, times: 2 })),
  fc.boolean().map((all): Step => ({ kind: 'md_drop', all })),
  fc.constant<Step>({ kind: 'md_silence_one' }),
  fc.constantFrom(-8, -3, 3, 8).map((pct): Step => ({ kind: 'md_jump', pct })),
);

/** How an alert was routed: an order, or refused for want of a fresh price (then nothing may be sent). */
async function routed(r: Rig, signalId: string): Promise<{ clientOrderId: string } | { skipped: string }> {
  return waitUntil(async () => {
    const events = await r.server.runtime.events.readStream(`signal-${signalId}`);
    const processed = events.find((e) => e.type === 'SignalProcessed')?.data as { orders: { clientOrderId: string }[]; skipped: { code: string }[] } | undefined;
    if (!processed) return undefined;
    if (processed.orders[0]) return { clientOrderId: processed.orders[0].clientOrderId };
    const code = processed.skipped[0]?.code ?? 'none';
    if (code !== 'STALE_PRICE' && code !== 'NO_PRICE') throw new Error(`routed without an order: ${JSON.stringify(processed)}`);
    return { skipped: code };
  }, 'the alert routed', 20_000);
}

const FINAL = new Set(['OrderFilled', 'OrderExchangeRejected']);

describe('random fault schedules on the order path (fast-check)', () => {
  let r: Rig;
  let run = 0;
  beforeAll(async () => {
    r = await rig({ visibilityMs: WINDOW_MS, fillStreamAuditMs: 1000 });
  });
  afterAll(async () => {
    await closeRigs();
    cleanupTempDirs();
  });

  it('the sandbox accepted each clientOrderId at most once and never received it again after, and our orders and fills equal its', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 4 }), fc.integer({ min: 1, max: 3 }), async (schedule, alerts) => {
        run += 1;
        r.sandbox.faults.clear();
        for (const s of schedule) {
          if (s.kind === 'silence') r.sandbox.faults.silenceUserDataStreams();
          else if (s.kind === 'md_drop') r.sandbox.faults.dropMarketStreams(s.all ? {} : { count: 1 });
          else if (s.kind === 'md_silence_one') r.sandbox.faults.silenceMarketStreams({ count: 1, forMs: 3000 });
          else if (s.kind === 'md_jump') r.sandbox.movePrice('BTC/USDT', s.pct);
          else r.sandbox.faults.inject(s);
        }
        const ids: string[] = [];
        for (let i = 0; i < alerts; i++) {
          const sent = await alert(r, `prop-${run}-${i}`, '0.001');
          const outcome = await routed(r, sent);
          if ('clientOrderId' in outcome) ids.push(outcome.clientOrderId);
        }
        for (const id of ids) {
          await waitUntil(async () => (await types(r, id)).some((t) => FINAL.has(t)), `order ${id} final (schedule ${JSON.stringify(schedule)})`, 30_000, 50);
        }
        await r.server.runtime.settle();
        const ours = (await fetchJson<Page<OrderView>>(r.server.runtime, `/api/v1/orders?accountId=${ACCOUNT}&limit=200`)).body.items;
        const fills = (await fetchJson<Page<FillView>>(r.server.runtime, `/api/v1/fills?accountId=${ACCOUNT}&limit=500`)).body.items;
        for (const id of ids) {
          const why = `${id} (schedule ${JSON.stringify(schedule)})`;
          const placed = placementLedger(r.sandbox.exchange).count('sbx', id);
          expect(placed.accepted, `${why} accepted more than once`).toBeLessThanOrEqual(1);
          expect(placed.afterAccepted, `${why} sent again after the sandbox accepted it`).toBe(0);
          const atExchange = await r.sandbox.exchange.fetchOrder('sbx', id);
          const mine = ours.find((o) => o.clientOrderId === id);
          // never decided on a stale price
          expect((mine as { priceAgeMs?: number } | undefined)?.priceAgeMs ?? 0, `${why} decided on a stale price`).toBeLessThanOrEqual(5000);
          if (atExchange) {
            expect(placed.accepted, why).toBe(1);
            expect(mine, why).toMatchObject({ status: atExchange.status, filledQuantity: atExchange.filledQuantity, exchangeOrderId: atExchange.exchangeOrderId });
            const recorded = fills.filter((f) => f.clientOrderId === id).map((f) => [f.tradeId, f.quantity, f.price]).sort();
            expect(recorded, why).toEqual(atExchange.fills.map((f) => [f.tradeId, f.quantity, f.price]).sort());
          } else {
            expect(placed.accepted, why).toBe(0);
            expect(mine?.status, `${why} absent on the exchange`).toBe('exchange_rejected');
            expect(fills.filter((f) => f.clientOrderId === id), why).toEqual([]);
          }
        }
        // a silenced stream is left to the audit while the run lasts; the next run starts with a working one
        if (schedule.some((s) => s.kind === 'silence')) r.sandbox.faults.dropUserDataStreams();
      }),
      // FC_SEED / FC_RUNS explore other schedules locally (the suite's own seed is fixed)
      { numRuns: Number(process.env.FC_RUNS ?? 12), seed: Number(process.env.FC_SEED ?? 20261125), endOnFailure: true },
    );
    // after every schedule: PATRIOT's balances and position equal the sandbox's
    r.sandbox.faults.clear();
    await r.server.runtime.settle();
    const atExchange = new Map((await r.sandbox.exchange.fetchBalances('sbx')).map((b) => [b.asset, b.total]));
    await waitUntil(async () => {
      const ours = (await fetchJson<{ items: { asset: string; total: string }[] }>(r.server.runtime, `/api/v1/balances?accountId=${ACCOUNT}`)).body.items;
      return ['USDT', 'BTC'].every((asset) => new Dec(ours.find((b) => b.asset === asset)?.total ?? '0').equals(new Dec(atExchange.get(asset) ?? '0')));
    }, `balances equal to the sandbox's ${JSON.stringify(Object.fromEntries(atExchange))}`, 20_000);
    const positions = (await fetchJson<{ items: { symbol: string; quantity: string }[] }>(r.server.runtime, `/api/v1/positions?accountId=${ACCOUNT}`)).body.items;
    expect(new Dec(positions.find((p) => p.symbol === 'BTC/USDT')?.quantity ?? '0').equals(new Dec(atExchange.get('BTC') ?? '0'))).toBe(true);
  }, 600_000);
});
