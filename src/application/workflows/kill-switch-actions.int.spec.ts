/**
 * The kill switch's actions on a real SQLite log (issue 17): two leaders acting on the same
 * folded state (the second had not read the first's appends) record the cancels and the closes
 * once; the closes and KillSwitchActionsDone land together or not at all.
 */
import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import type { EventStore, RecordedEvent } from '../ports/event-store.js';
import type { OrderIntent, PatriotEvent } from '../../domain/events.js';
import { KeyedMutex } from '../shared/keyed-mutex.js';
import { TradingState } from './trading-state.js';
import { settleKillSwitchActions, type KillSwitchActionDeps } from './kill-switch-actions.js';

const meta = { tenantId: 't1', time: '2026-12-07T00:00:00.000Z' };
const intent = (id: string, over: Partial<OrderIntent> = {}): OrderIntent => ({
  clientOrderId: id, accountId: 'a1', strategyId: 's1', signalId: `sig-${id}`, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.02', referencePrice: '100', reduceOnly: false, ...over,
});

async function seed(events: EventStore): Promise<void> {
  const put = (streamId: string, list: PatriotEvent[]) => events.append({ streamId, expectedVersion: 'any', events: list, metadata: meta });
  await put('account-a1', [{ type: 'AccountOpened', data: { accountId: 'a1', tenantId: 't1', name: 'a', exchange: 'paper', quoteAsset: 'USDT', initialBalances: [{ asset: 'USDT', amount: '1000' }], risk: {} } }]);
  await put('strategy-s1', [{ type: 'StrategyConfigured', data: { strategyId: 's1', tenantId: 't1', name: 's', symbolMap: {}, risk: {}, maxSignalAgeSeconds: 0, accounts: [{ accountId: 'a1', sizing: { kind: 'fixed_quantity', quantity: '0.02' }, orderTemplate: { type: 'market' } }] } }]);
  await put('order-o1', [
    { type: 'OrderApproved', data: intent('o1') },
    { type: 'OrderSubmitted', data: { clientOrderId: 'o1', accountId: 'a1', attempt: 1 } },
    { type: 'OrderAccepted', data: { clientOrderId: 'o1', accountId: 'a1', exchangeOrderId: 'x1' } },
    { type: 'OrderFilled', data: { clientOrderId: 'o1', accountId: 'a1', strategyId: 's1', tradeId: 't1', symbol: 'BTC/USDT', side: 'buy', quantity: '0.02', cumulativeQuantity: '0.02', price: '100', fee: '0', feeCurrency: 'USDT', liquidity: 'taker', filledAt: meta.time, complete: true } },
  ] as PatriotEvent[]);
  await put('order-o2', [
    { type: 'OrderApproved', data: intent('o2', { type: 'limit', limitPrice: '90', quantity: '0.01' }) },
    { type: 'OrderSubmitted', data: { clientOrderId: 'o2', accountId: 'a1', attempt: 1 } },
    { type: 'OrderAccepted', data: { clientOrderId: 'o2', accountId: 'a1', exchangeOrderId: 'x2' } },
  ] as PatriotEvent[]);
  await put('account-a1', [{ type: 'KillSwitchEngaged', data: { accountId: 'a1', reason: 'r' } }, { type: 'KillSwitchActionsRequested', data: { accountId: 'a1', requestId: 'ks1', cancelOrders: true, flatten: true, by: 'user:u1' } }]);
}

async function folded(events: EventStore): Promise<TradingState> {
  const state = new TradingState();
  for (const e of await events.readAll(0, 10_000)) state.apply(e);
  return state;
}

const ofType = (all: RecordedEvent[], type: string) => all.filter((e) => e.type === type);

describe('the kill switch actions on the log', () => {
  it('two leaders on the same stale state: one cancel request, one close, one KillSwitchActionsDone', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    let n = 0;
    const deps = (): KillSwitchActionDeps => ({ store: events, clock: { now: () => Date.parse(meta.time) }, ids: { next: (prefix: string) => `${prefix}_${++n}` }, mutex: new KeyedMutex() });
    try {
      await seed(events);
      // step 1, by two leaders at once: the resting order is asked to cancel once
      const stale = await folded(events);
      await Promise.all([settleKillSwitchActions(deps(), stale), settleKillSwitchActions(deps(), stale)]);
      expect(ofType(await events.readStream('order-o2'), 'OrderCancelRequested')).toHaveLength(1);
      // still live (the exchange has not answered): nothing is closed yet
      await settleKillSwitchActions(deps(), await folded(events));
      expect(ofType(await events.readAll(0, 10_000), 'SignalReceived')).toEqual([]);

      await events.append({ streamId: 'order-o2', expectedVersion: 'any', events: [{ type: 'OrderCancelled', data: { clientOrderId: 'o2', accountId: 'a1', reason: 'by request' } }], metadata: meta });
      const before = await folded(events);
      await Promise.all([settleKillSwitchActions(deps(), before), settleKillSwitchActions(deps(), before)]);
      const all = await events.readAll(0, 10_000);
      const closes = ofType(all, 'SignalReceived');
      expect(closes).toHaveLength(1);
      expect(closes[0]!.data).toMatchObject({ format: 'api', accountId: 'a1', strategyId: 's1', signal: { action: 'close', symbol: 'BTC/USDT', orderType: 'market', killSwitchFlatten: 'ks1' } });
      const done = ofType(all, 'KillSwitchActionsDone');
      expect(done.map((e) => e.data)).toEqual([{ accountId: 'a1', requestId: 'ks1', cancelled: ['o2'], closes: [{ strategyId: 's1', symbol: 'BTC/USDT', signalId: (closes[0]!.data as { signalId: string }).signalId }] }]);
      // the close and the Done are one commit
      expect(closes[0]!.globalPosition).toBe(done[0]!.globalPosition - 1);
      // once done, later passes do nothing, even with orders live again (the close itself)
      expect((await folded(events)).pendingKillSwitchActions()).toEqual([]);
    } finally {
      await events.close();
    }
  });
});
