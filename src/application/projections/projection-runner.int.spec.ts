import { describe, expect, it } from 'vitest';
import { ProjectionRunner } from './projection-runner.js';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { SqliteProjectionStore } from '../../adapters/readmodels/sqlite-projection-store.js';
import { digestReadModels } from '../../bootstrap/maintenance.js';
import type { EventStore } from '../ports/event-store.js';
import type { PatriotEvent } from '../../domain/events.js';

const meta = (signalId?: string) => ({ tenantId: 't1', time: '2026-01-01T00:00:00.000Z', ...(signalId ? { correlationId: signalId } : {}) });

/** A small but complete history: account, 30 signals each with an order filled in two parts. */
async function seed(store: EventStore): Promise<void> {
  const opened: PatriotEvent = {
    type: 'AccountOpened',
    data: { accountId: 'a1', tenantId: 't1', name: 'p', exchange: 'paper', quoteAsset: 'USDT', initialBalances: [{ asset: 'USDT', amount: '100000' }], risk: {} },
  };
  await store.append({ streamId: 'account-a1', expectedVersion: 0, events: [opened as never], metadata: meta() });
  for (let i = 0; i < 30; i++) {
    const signalId = `sig${i}`;
    const coid = `c${i}`.padStart(32, '0');
    const side = i % 2 === 0 ? 'buy' : 'sell';
    await store.append({
      streamId: `signal-${signalId}`, expectedVersion: 0, metadata: meta(signalId),
      events: [{ type: 'SignalReceived', data: { signalId, strategyId: 's1', idempotencyKey: signalId, receivedAt: 'x', bodySha256: 'h', format: 'patriot-json', signal: { action: side, ticker: 'BTCUSDT', symbol: 'BTC/USDT' } } }],
    });
    const intent = { clientOrderId: coid, accountId: 'a1', strategyId: 's1', signalId, symbol: 'BTC/USDT', side, type: 'market', quantity: '0.1', referencePrice: '100', reduceOnly: false };
    await store.appendAtomic([
      { streamId: `order-${coid}`, expectedVersion: 0, events: [{ type: 'OrderApproved', data: intent }], metadata: meta(signalId) },
      { streamId: `signal-${signalId}`, expectedVersion: 1, events: [{ type: 'SignalProcessed', data: { signalId, orders: [{ accountId: 'a1', clientOrderId: coid, outcome: 'approved' }], skipped: [] } }], metadata: meta(signalId) },
    ]);
    const f = (tradeId: string, quantity: string, cumulativeQuantity: string, complete: boolean) => ({
      type: 'OrderFilled',
      data: { clientOrderId: coid, accountId: 'a1', strategyId: 's1', tradeId, symbol: 'BTC/USDT', side, quantity, price: String(100 + i), fee: '0.01', feeCurrency: 'USDT', liquidity: 'taker', filledAt: 'x', cumulativeQuantity, complete },
    });
    await store.append({
      streamId: `order-${coid}`, expectedVersion: 1, metadata: meta(signalId),
      events: [{ type: 'OrderAccepted', data: { clientOrderId: coid, accountId: 'a1', exchangeOrderId: `e${i}` } }, f(`t${i}a`, '0.04', '0.04', false), f(`t${i}b`, '0.06', '0.1', true)],
    });
  }
}

describe('ProjectionRunner', () => {
  it('given a cache far smaller than the read models, when projecting in small batches, then the read models equal a full-cache projection', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    await seed(events);
    const big = new SqliteProjectionStore(':memory:');
    const small = new SqliteProjectionStore(':memory:');
    await new ProjectionRunner(events, big).rebuild();
    const tiny = new ProjectionRunner(events, small, { cacheSize: 3, batchSize: 7 });
    await tiny.rebuild(); // empty store: complete cache at first, evictions make it incomplete
    expect(await digestReadModels(small)).toEqual(await digestReadModels(big));

    // a restarted runner starts with an empty cache over a populated store
    await events.append({ streamId: 'account-a1', expectedVersion: 1, events: [{ type: 'KillSwitchEngaged', data: { accountId: 'a1', reason: 'r' } }], metadata: meta() });
    await new ProjectionRunner(events, big).start();
    const restarted = new ProjectionRunner(events, small, { cacheSize: 2, batchSize: 1 });
    await restarted.start();
    await restarted.stop();
    expect(await digestReadModels(small)).toEqual(await digestReadModels(big));
    const position = await small.get('positions', 't1', 'a1:BTC/USDT');
    expect(position?.data).toMatchObject({ quantity: '0', realizedPnl: '1.5' });
    expect((await small.get('accounts', 't1', 'a1'))?.data).toMatchObject({ killSwitch: { engaged: true } });
    await events.close();
  });

  it('waitFor resolves once the read models include a position', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    const runner = new ProjectionRunner(events, new SqliteProjectionStore(':memory:'));
    await runner.start();
    const result = await events.append({ streamId: 'user-u1', expectedVersion: 0, events: [{ type: 'UserRegistered', data: { userId: 'u1', tenantId: 't1', name: 'n', role: 'admin' } }], metadata: meta() });
    if (result.kind !== 'appended') throw new Error('append failed');
    await runner.waitFor(result.lastPosition);
    expect(runner.checkpoint).toBeGreaterThanOrEqual(result.lastPosition);
    await runner.stop();
    await events.close();
  });

  it('a stopped runner (as replay uses it) rebuilds the whole log, not one batch', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    await seed(events);
    const full = new SqliteProjectionStore(':memory:');
    await new ProjectionRunner(events, full).rebuild();
    const store = new SqliteProjectionStore(':memory:');
    const runner = new ProjectionRunner(events, store, { batchSize: 10 });
    await runner.start();
    await runner.stop();
    expect(await runner.rebuild()).toBe(await events.headPosition());
    expect(await digestReadModels(store)).toEqual(await digestReadModels(full));
    await events.close();
  });

  it('a stale projector (it lost the lead mid-pass) cannot overwrite newer documents: its commit is refused and it continues from the stored checkpoint', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    await seed(events);
    const store = new SqliteProjectionStore(':memory:');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let reached!: () => void;
    const atCommit = new Promise<void>((resolve) => (reached = resolve));
    const gated: typeof store = Object.create(store, {
      commit: { value: async (...args: Parameters<typeof store.commit>) => (reached(), await gate, store.commit(...args)) },
    });
    const old = new ProjectionRunner(events, gated);
    await new ProjectionRunner(events, store).rebuild();
    await old.start(); // nothing to project yet: no commit
    await old.stop(); // ...and it no longer follows the log: one pass is all it will do
    const engage = { streamId: 'account-a1', events: [{ type: 'KillSwitchEngaged', data: { accountId: 'a1', reason: 'r' } }], metadata: meta() };
    await events.append({ ...engage, expectedVersion: 1 });
    const stalePass = old.catchUp(); // reads the engage, then waits at its commit
    await atCommit;
    await events.append({ streamId: 'account-a1', expectedVersion: 2, events: [{ type: 'KillSwitchReleased', data: { accountId: 'a1', reason: 'r' } }], metadata: meta() });
    const leader = new ProjectionRunner(events, store);
    await leader.start(); // the new leader projects engage and release
    expect((await store.get('accounts', 't1', 'a1'))?.data).toMatchObject({ killSwitch: { engaged: false } });
    open();
    await stalePass;
    expect((await store.get('accounts', 't1', 'a1'))?.data).toMatchObject({ killSwitch: { engaged: false } });
    expect(await store.checkpoint()).toBe(await events.headPosition());
    expect(old.checkpoint).toBe(leader.checkpoint);
    await leader.stop();
    await events.close();
  });
});
