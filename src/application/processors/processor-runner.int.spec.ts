import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import type { EventStore } from '../ports/event-store.js';
import { ProcessorRunner } from './processor-runner.js';
import { reactor } from './reactor.js';

const meta = { tenantId: 't1', time: '2026-01-01T00:00:00.000Z' };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function released(store: EventStore, accountId: string): Promise<void> {
  await store.append({ streamId: `account-${accountId}`, expectedVersion: 'any', metadata: meta, events: [{ type: 'KillSwitchReleased', data: { accountId } }] });
}

describe('ProcessorRunner', () => {
  it('an event appended while the first catch-up after start() runs is processed without waiting for another append', async () => {
    const store = await SqliteEventStore.open({ path: ':memory:' });
    await released(store, 'a0');
    let letGo: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    const seen: string[] = [];
    const runner = new ProcessorRunner(store, reactor(store, {
      id: 'runner-spec', handles: ['KillSwitchReleased'], runsOn: 'leader',
      react: async (e) => {
        seen.push(e.data.accountId);
        if (e.data.accountId === 'a0') await gate; // the first catch-up is held here, by the test
      },
    }));
    closers.push(async () => {
      await runner.stop();
      await store.close();
    });
    const starting = runner.start();
    await expect.poll(() => seen).toEqual(['a0']);
    await released(store, 'a1'); // appended while the first catch-up holds: no append follows it
    letGo();
    await starting;
    await expect.poll(() => seen, { timeout: 10_000 }).toEqual(['a0', 'a1']);
  });
});
