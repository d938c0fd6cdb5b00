/**
 * Restart safety, in process and deterministic: work recorded in the log but interrupted before
 * its effect (an acknowledged alert not yet routed, an approved order not yet sent, an order whose
 * placement outcome is unknown) is finished exactly once after a restart, never duplicated; and the
 * log that results still verifies, replays to identical read models, and has contiguous streams.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../adapters/eventstore/sqlite/sqlite-event-store.js';
import { SqliteProjectionStore } from '../adapters/readmodels/sqlite-projection-store.js';
import { PAPER_MARKETS, PAPER_START_PRICES } from '../adapters/exchanges/paper/markets.js';
import { PaperExchange } from '../adapters/exchanges/paper/paper-exchange.js';
import { SyntheticPriceFeed } from '../adapters/marketdata/synthetic-price-feed.js';
import { RandomIds, systemClock } from '../adapters/system/system-clock.js';
import { ingestAlert } from '../application/ingest/ingest-alert.js';
import { KvAlertRepeats } from '../adapters/kv/kv-alert-repeats.js';
import { SqliteKeyValueStore } from '../adapters/kv/sqlite-key-value-store.js';
import { ProjectionRunner } from '../application/projections/projection-runner.js';
import { TradingState } from '../application/workflows/trading-state.js';
import { clientOrderIdFor } from '../application/shared/client-order-id.js';
import { orderDecider } from '../domain/orders/order-decider.js';
import { signalDecider } from '../domain/signals/signal-decider.js';
import { fold } from '../domain/shared/decider.js';
import { streams, type EventOf, type OrderIntent } from '../domain/events.js';
import type { RecordedEvent } from '../application/ports/event-store.js';
import { digestReadModels } from './maintenance.js';
import {
  cleanupTempDirs, demoOf, fetchJson, makeTempDir, marketAlert, postAlert, quiesce, startTestServer, waitUntil,
  type OrderView, type Page, type TestServer,
} from '../../test/support/server.js';

let dataDir: string;
let secret: string;
let accountId: string;
let tenantId: string;
let strategyId: string;
let server: TestServer | undefined;

const start = async (): Promise<TestServer> => {
  server = await startTestServer({ dataDir });
  return server;
};
const stop = async (): Promise<void> => {
  await server?.close();
  server = undefined;
};

/** Opens the log while no server runs (the runtime holds the only writer otherwise). */
async function withLog<T>(work: (events: SqliteEventStore) => Promise<T>): Promise<T> {
  const events = await SqliteEventStore.open({ path: join(dataDir, 'patriot.db') });
  try {
    return await work(events);
  } finally {
    await events.close();
  }
}

async function allEvents(events: SqliteEventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (;;) {
    const batch = await events.readAll(out.length === 0 ? 0 : out[out.length - 1]!.globalPosition, 1000);
    out.push(...batch);
    if (batch.length < 1000) return out;
  }
}

/** Ingests an alert exactly as the webhook does (same function, same stores), with no server running. */
async function ingestOffline(body: object): Promise<string> {
  return withLog(async (events) => {
    const state = new TradingState();
    for (const e of await allEvents(events)) state.apply(e);
    const catalog = {
      strategy: (id: string) => state.strategy(id),
      symbolsFor: () => ({ symbols: PAPER_MARKETS.map((m) => m.symbol), complete: true, venues: ['the paper exchange'] }),
      refreshMarkets: async () => undefined,
    };
    const outcome = await ingestAlert(
      { store: events, catalog, clock: systemClock, ids: new RandomIds(systemClock), secretOf: (id) => (id === strategyId ? secret : undefined), repeats: new KvAlertRepeats(new SqliteKeyValueStore(events.database)) },
      { strategyId, body: JSON.stringify(body) },
    );
    expect(outcome.kind).toBe('accepted');
    return (outcome as { signalId: string }).signalId;
  });
}

async function ordersOfSignal(s: TestServer, signalId: string): Promise<OrderView[]> {
  return (await fetchJson<Page<OrderView>>(s.runtime, `/api/v1/orders?signalId=${signalId}`)).body.items;
}

async function filledOrder(s: TestServer, signalId: string): Promise<OrderView> {
  return waitUntil(async () => {
    await s.runtime.settle();
    const orders = await ordersOfSignal(s, signalId);
    return orders.length === 1 && orders[0]!.status === 'filled' ? orders[0] : undefined;
  }, `the order of ${signalId} to be filled`);
}

async function notPlacedOrder(s: TestServer, signalId: string): Promise<OrderView> {
  return waitUntil(async () => {
    await s.runtime.settle();
    const orders = await ordersOfSignal(s, signalId);
    return orders.length === 1 && orders[0]!.status === 'exchange_rejected' ? orders[0] : undefined;
  }, `the order of ${signalId} to be recorded as not placed`);
}

/** Orders with this clientOrderId in the paper exchange's own file (read-only). */
function ordersAtExchange(clientOrderId: string): number {
  const db = new Database(join(dataDir, 'paper-exchange.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM paper_orders WHERE account_id = ? AND client_order_id = ?').get(accountId, clientOrderId) as { n: number }).n;
  } finally {
    db.close();
  }
}

async function eventTypesOf(s: TestServer, streamId: string): Promise<string[]> {
  return (await s.runtime.events.readStream(streamId)).map((e) => e.type);
}

beforeAll(async () => {
  dataDir = makeTempDir('patriot-restart-');
  const first = await start();
  ({ secret, accountId, tenantId, strategyId } = demoOf(first.runtime));
  await stop();
});

afterAll(async () => {
  await stop();
  cleanupTempDirs();
});

describe('restart recovery', () => {
  let signalA: string;
  let orderA: string;

  it('(a) an alert acknowledged but not processed before the stop is processed after restart, exactly once', async () => {
    signalA = await ingestOffline(marketAlert(secret, { id: 'restart-a', quantity: '0.002' }));

    const s = await start();
    const order = await filledOrder(s, signalA);
    orderA = order.clientOrderId;
    expect(s.runtime.exchange.placementAttempts(accountId, orderA)).toBe(1);
    expect((await eventTypesOf(s, streams.signal(signalA)))).toEqual(['SignalReceived', 'SignalProcessed']);
    await quiesce(s.runtime);
    await stop();

    const again = await start();
    await quiesce(again.runtime);
    expect(await ordersOfSignal(again, signalA)).toHaveLength(1);
    expect(again.runtime.exchange.placementAttempts(accountId, orderA)).toBe(1);
    expect(await eventTypesOf(again, streams.signal(signalA))).toEqual(['SignalReceived', 'SignalProcessed']);
    expect(ordersAtExchange(orderA)).toBe(1);
    // the webhook still knows the alert: a re-send is a duplicate of the original
    const resend = await postAlert(again.runtime, marketAlert(secret, { id: 'restart-a', quantity: '0.002' }));
    expect(resend.status).toBe(200);
    expect(resend.body).toEqual({ signalId: signalA, status: 'duplicate' });
    await stop();
  });

  it('(b) an order approved but never sent is looked up after restart, found absent, and placed once', async () => {
    const signalId = await ingestOffline(marketAlert(secret, { id: 'restart-b', quantity: '0.003' }));
    const clientOrderId = clientOrderIdFor(tenantId, signalId, accountId, 0);
    // what the signal processor commits before handing the order to the executor; then "crash"
    await withLog(async (events) => {
      const received = (await events.readStream(streams.signal(signalId)))[0]!;
      expect(received.type).toBe('SignalReceived');
      const intent: OrderIntent = {
        clientOrderId, accountId, strategyId, signalId, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.003', referencePrice: '97000', reduceOnly: false,
      };
      const approved = orderDecider.decide({ type: 'Approve', intent }, orderDecider.initialState());
      const processed = signalDecider.decide(
        { type: 'MarkProcessed', orders: [{ accountId, clientOrderId, outcome: 'approved' }], skipped: [] },
        fold(signalDecider, [{ type: received.type, data: received.data } as EventOf<'SignalReceived'>]),
      );
      if (!approved.ok || !processed.ok) throw new Error('deciders refused the test setup');
      const metadata = { tenantId, time: new Date().toISOString(), correlationId: signalId, causationId: `${streams.signal(signalId)}@1` };
      const result = await events.appendAtomic([
        { streamId: streams.order(clientOrderId), expectedVersion: 0, events: approved.value.map((e) => ({ type: e.type, data: e.data as unknown as Record<string, unknown> })), metadata },
        { streamId: streams.signal(signalId), expectedVersion: 1, events: processed.value.map((e) => ({ type: e.type, data: e.data as unknown as Record<string, unknown> })), metadata },
      ]);
      expect(result.kind).toBe('appended');
    });

    const s = await start();
    const order = await filledOrder(s, signalId);
    expect(order.clientOrderId).toBe(clientOrderId);
    expect(s.runtime.exchange.placementAttempts(accountId, clientOrderId)).toBe(1);
    expect(ordersAtExchange(clientOrderId)).toBe(1);
    expect(await eventTypesOf(s, streams.order(clientOrderId))).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    // not routed a second time either
    expect(await eventTypesOf(s, streams.signal(signalId))).toEqual(['SignalReceived', 'SignalProcessed']);
    await quiesce(s.runtime);
    await stop();
  });

  it('(c) unknown_after_accept: the order is looked up and found, never sent again (one attempt)', async () => {
    const s = await start();
    s.runtime.exchange.injectFault({ kind: 'unknown_after_accept', reason: 'injected timeout' });
    const res = await postAlert(s.runtime, marketAlert(secret, { id: 'restart-c1', quantity: '0.001' }));
    expect(res.status).toBe(202);
    const order = await filledOrder(s, res.body.signalId!);
    expect(s.runtime.exchange.placementAttempts(accountId, order.clientOrderId)).toBe(1);
    expect(ordersAtExchange(order.clientOrderId)).toBe(1);
    const types = await eventTypesOf(s, streams.order(order.clientOrderId));
    expect(types[0]).toBe('OrderApproved');
    expect(types).toContain('OrderStatusUnknown');
    expect(types.filter((t) => t === 'OrderFilled')).toHaveLength(1);
    expect(types.filter((t) => t === 'OrderAccepted')).toHaveLength(1);
    await quiesce(s.runtime);
    await stop();
  });

  it('(c) unknown_before_accept: the exchange has no such order, so it is recorded as not placed and never sent again (ADR-0011)', async () => {
    const s = await start();
    s.runtime.exchange.injectFault({ kind: 'unknown_before_accept', reason: 'injected timeout' });
    const res = await postAlert(s.runtime, marketAlert(secret, { id: 'restart-c2', quantity: '0.001' }));
    expect(res.status).toBe(202);
    const order = await notPlacedOrder(s, res.body.signalId!);
    expect(order.clientOrderId).toBe(clientOrderIdFor(tenantId, res.body.signalId!, accountId, 0));
    expect(s.runtime.exchange.placementAttempts(accountId, order.clientOrderId)).toBe(1);
    expect(ordersAtExchange(order.clientOrderId)).toBe(0);
    expect(await ordersOfSignal(s, res.body.signalId!)).toHaveLength(1);
    const types = await eventTypesOf(s, streams.order(order.clientOrderId));
    expect(types).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown', 'OrderExchangeRejected']);
    await quiesce(s.runtime);
    await stop();
  });

  it('(c) an order left unknown at shutdown is looked up after restart and, absent from the exchange, recorded as not placed (never sent twice)', async () => {
    const s = await start();
    s.runtime.exchange.injectFault({ kind: 'unknown_before_accept', reason: 'injected timeout' });
    const res = await postAlert(s.runtime, marketAlert(secret, { id: 'restart-c3', quantity: '0.001' }));
    expect(res.status).toBe(202);
    const signalId = res.body.signalId!;
    const clientOrderId = clientOrderIdFor(tenantId, signalId, accountId, 0);
    await waitUntil(async () => (await eventTypesOf(s, streams.order(clientOrderId))).includes('OrderStatusUnknown'), 'the order to be recorded as unknown');
    await stop(); // before the first look-up (250 ms back-off) runs

    const restarted = await start();
    const order = await notPlacedOrder(restarted, signalId);
    expect(order.clientOrderId).toBe(clientOrderId);
    expect(restarted.runtime.exchange.placementAttempts(accountId, clientOrderId)).toBe(1);
    expect(ordersAtExchange(clientOrderId)).toBe(0);
    expect(await eventTypesOf(restarted, streams.order(clientOrderId))).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown', 'OrderExchangeRejected']);
    await quiesce(restarted.runtime);
    await stop();
  });

  it('(e) a resting limit order that filled on the exchange while PATRIOT was down is reconciled at start-up', async () => {
    const s = await start();
    const res = await postAlert(s.runtime, marketAlert(secret, { id: 'restart-e', quantity: '0.004', order_type: 'limit', limit_price: '90000' }));
    expect(res.status).toBe(202);
    const signalId = res.body.signalId!;
    const clientOrderId = clientOrderIdFor(tenantId, signalId, accountId, 0);
    await waitUntil(async () => {
      await s.runtime.settle();
      const orders = await ordersOfSignal(s, signalId);
      return orders[0]?.status === 'accepted';
    }, 'the limit order to rest');
    await quiesce(s.runtime);
    await stop();

    // PATRIOT is down; the exchange keeps trading and fills the order
    const feed = new SyntheticPriceFeed({ clock: systemClock, seed: 42, markets: PAPER_MARKETS, startPrices: PAPER_START_PRICES, intervalMs: 1000 });
    const exchange = new PaperExchange({ path: join(dataDir, 'paper-exchange.db'), feed, clock: systemClock, markets: PAPER_MARKETS, seed: 42 });
    try {
      for (let i = 0; i < 40 && (await exchange.fetchOrder(accountId, clientOrderId))?.status !== 'filled'; i++) feed.setPrice('BTC/USDT', '89000');
      const filledThere = await exchange.fetchOrder(accountId, clientOrderId);
      expect(filledThere?.status).toBe('filled');
      expect(filledThere!.fills.length).toBeGreaterThanOrEqual(1);
    } finally {
      exchange.close();
    }

    const restarted = await start();
    const order = await filledOrder(restarted, signalId);
    expect(order.clientOrderId).toBe(clientOrderId);
    expect(order.filledQuantity).toBe('0.004');
    expect(order.averageFillPrice).toBe('90000');
    expect(restarted.runtime.exchange.placementAttempts(accountId, clientOrderId)).toBe(1);
    const types = await eventTypesOf(restarted, streams.order(clientOrderId));
    expect(types.slice(0, 3)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted']);
    expect(types.slice(3).every((t) => t === 'OrderFilled')).toBe(true);
    await quiesce(restarted.runtime);
    await stop();
  });

  it('(d) afterwards the chain verifies, a rebuild gives identical read models, and stream versions are contiguous', async () => {
    // one more start/stop: nothing left to do, nothing new placed
    const s = await start();
    await quiesce(s.runtime);
    expect(s.runtime.exchange.placementAttempts(accountId, orderA)).toBe(1);
    await stop();

    await withLog(async (events) => {
      const chain = await events.verifyChain();
      expect(chain.ok).toBe(true);
      const all = await allEvents(events);
      expect(chain.ok && chain.eventsChecked).toBe(all.length);

      const versions = new Map<string, number[]>();
      all.forEach((e, i) => {
        expect(e.globalPosition).toBe(i + 1);
        versions.set(e.streamId, [...(versions.get(e.streamId) ?? []), e.streamVersion]);
      });
      for (const [streamId, list] of versions) expect(list, streamId).toEqual(list.map((_, i) => i + 1));
      // every SignalReceived was processed exactly once
      const received = all.filter((e) => e.type === 'SignalReceived').map((e) => e.data.signalId as string);
      const processed = all.filter((e) => e.type === 'SignalProcessed').map((e) => e.data.signalId as string);
      expect([...processed].sort()).toEqual([...received].sort());

      const readModels = new SqliteProjectionStore(join(dataDir, 'readmodels.db'));
      try {
        const runner = new ProjectionRunner(events, readModels);
        await runner.start();
        await runner.stop();
        expect(runner.checkpoint).toBe(all.length);
        const before = await digestReadModels(readModels);
        expect(before.documents).toBeGreaterThan(0);
        await runner.rebuild();
        const after = await digestReadModels(readModels);
        expect(after).toEqual(before);
      } finally {
        await readModels.close();
      }
    });
  });
});
