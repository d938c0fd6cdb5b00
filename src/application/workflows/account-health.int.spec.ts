import { afterEach, describe, expect, it } from 'vitest';
import { AccountHealth, type HealthReading } from './account-health.js';
import { silentLogger } from '../ports/logger.js';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import type { EventStore } from '../ports/event-store.js';
import { noticeOf } from '../../domain/notices/notice.js';
import { noticeText } from '../../domain/notices/notice-text.js';

/**
 * The account's exchange connection as its owner sees it change (issue 19): only changes are
 * recorded (a breaker opening and closing, prices going stale and fresh), a new owner and a restart
 * go on from what the log says, and a takeover from another node is recorded and told.
 */

const stores: EventStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const healthy: HealthReading = { exchange: 'binance', circuit: 'closed', staleSymbols: [] };

async function setup() {
  const store = await SqliteEventStore.open({ path: ':memory:' });
  stores.push(store);
  const reading: { now: HealthReading } = { now: healthy };
  const kv = new Map<string, string>();
  const watcher = (nodeId: string) => new AccountHealth({
    store, kv: { get: async (k) => kv.get(k), set: async (k, v) => void kv.set(k, v) }, clock: { now: () => Date.parse('2026-01-01T00:00:00Z') }, log: silentLogger, nodeId,
    tenantOf: (id) => (id === 'acc1' ? 't1' : undefined), read: () => reading.now, owned: () => ['acc1'],
  });
  const types = async () => (await store.readAll(0, 100)).map((e) => `${e.type}:${(e.data as { state?: string; nodeId?: string }).state ?? (e.data as { nodeId?: string }).nodeId}`);
  return { store, reading, watcher, types };
}

describe('an account\'s connection health, recorded to be told', () => {
  it('records nothing for a first owner, then only changes: the breaker opening and closing, prices going stale and fresh', async () => {
    const { store, reading, watcher, types } = await setup();
    const a = watcher('node-a');
    await a.accountTaken('acc1');
    await a.check();
    expect(await types()).toEqual([]);
    reading.now = { ...healthy, circuit: 'open', circuitRetryAt: '2026-01-01T00:00:30.000Z' };
    await Promise.all([a.check(), a.check(), a.check()]); // checks that overlap (a slow store) record the change once
    reading.now = { ...healthy, circuit: 'half_open' };
    await a.check(); // still not answering: no change
    reading.now = { ...healthy, staleSymbols: ['BTC/USDT'], oldestAgeMs: 12_000 };
    await a.check();
    await a.check();
    reading.now = healthy;
    await a.check();
    expect(await types()).toEqual(['ExchangeCircuitChanged:open', 'ExchangeCircuitChanged:closed', 'AccountPricesChanged:stale', 'AccountPricesChanged:fresh']);
    const events = await store.readAll(0, 100);
    const told = events.map((e) => noticeOf({ ...e, metadata: { tenantId: e.metadata.tenantId, time: e.metadata.time } })).filter((n) => n !== undefined).map((n) => noticeText(n!));
    expect(told).toEqual([
      'Exchange binance not answering on acc1: circuit breaker OPEN, new orders are refused at once (tried again at 2026-01-01T00:00:30.000Z)',
      'Exchange binance answering again on acc1: circuit breaker closed',
      'Prices STALE on acc1 (binance): BTC/USDT, the oldest 12 s old; nothing is decided on them until they are fresh',
      'Prices fresh again on acc1 (binance)',
    ]);
  });

  it('a restart on the same node records nothing new; another node taking over records it, told with both nodes, and goes on from the recorded health', async () => {
    const { store, reading, watcher, types } = await setup();
    const a = watcher('node-a');
    await a.accountTaken('acc1');
    reading.now = { ...healthy, circuit: 'open' };
    await a.check();
    const again = watcher('node-a');
    await again.accountTaken('acc1');
    await again.check(); // still open: no change
    const b = watcher('node-b');
    await b.accountTaken('acc1');
    await b.check();
    reading.now = healthy;
    await b.check();
    expect(await types()).toEqual(['ExchangeCircuitChanged:open', 'AccountOwnerChanged:node-b', 'ExchangeCircuitChanged:closed']);
    const takeover = (await store.readStream('owner-acc1'))[0]!;
    expect(noticeText(noticeOf({ ...takeover, metadata: { tenantId: 't1', time: takeover.metadata.time } })!)).toBe('Node node-b took over account acc1 from node node-a');
  });

  it('an account it does not know (a paper account) is never recorded', async () => {
    const { watcher, types } = await setup();
    const a = watcher('node-a');
    await a.accountTaken('paper1');
    await a.check();
    expect(await types()).toEqual([]);
  });
});
