/**
 * Backend-independent contract for the EventStore port, as a reusable Vitest suite.
 * Every backend (SQLite, PostgreSQL) runs it:
 *
 *   describeEventStoreContract('SqliteEventStore', async () => ({ store, tamper, reopen, cleanup }));
 *
 * The factory is called once per test and must return an empty store.
 * - tamper(globalPosition): alter the stored data of that event behind the store's back;
 * - reopen(): (optional) open a new store on the same storage, after the test closed the first one;
 * - cleanup(): close whatever is still open and remove the storage.
 * Only the EventStore port is used, so the suite says nothing about how a backend works.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AppendRequest,
  AppendResult,
  EventMetadata,
  EventStore,
  NewEvent,
  RecordedEvent,
} from '../../application/ports/event-store.js';

export interface EventStoreContractFixture {
  readonly store: EventStore;
  tamper(globalPosition: number): Promise<void>;
  reopen?(): Promise<EventStore>;
  cleanup(): Promise<void>;
}

const meta = (overrides: Partial<EventMetadata> = {}): EventMetadata => ({
  tenantId: 'tenant-1',
  time: '2024-05-01T12:00:00.000Z',
  ...overrides,
});

const event = (type: string, data: Record<string, unknown> = {}): NewEvent => ({ type, data });

const request = (
  streamId: string,
  expectedVersion: AppendRequest['expectedVersion'],
  events: readonly NewEvent[],
  extra: Partial<AppendRequest> = {},
): AppendRequest => ({ streamId, expectedVersion, events, metadata: meta(), ...extra });

function expectAppended(result: AppendResult): Extract<AppendResult, { kind: 'appended' }> {
  expect(result.kind).toBe('appended');
  return result as Extract<AppendResult, { kind: 'appended' }>;
}

/** Waits (polling, bounded) until the store's asynchronous notifications made `condition` true. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function describeEventStoreContract(
  name: string,
  factory: () => Promise<EventStoreContractFixture>,
): void {
  describe(`EventStore contract: ${name}`, () => {
    let fixture: EventStoreContractFixture;
    let store: EventStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('append and readStream', () => {
      it('given an empty store, when events are appended to a new stream, then they read back in order with versions 1..n', async () => {
        const result = expectAppended(
          await store.append(
            request('order-1', 0, [
              event('OrderPlaced', { qty: '1.50', price: '64000.25', tags: ['a', 'b'], nested: { x: null, y: true } }),
              event('OrderFilled', { fillQty: '1.50' }),
            ]),
          ),
        );
        expect(result).toEqual({ kind: 'appended', firstPosition: 1, lastPosition: 2, nextExpectedVersion: 2 });

        const events = await store.readStream('order-1');
        expect(events.map((e) => [e.streamVersion, e.globalPosition, e.type])).toEqual([
          [1, 1, 'OrderPlaced'],
          [2, 2, 'OrderFilled'],
        ]);
        expect(events[0]!.data).toEqual({ qty: '1.50', price: '64000.25', tags: ['a', 'b'], nested: { x: null, y: true } });
        expect(events[0]!.streamId).toBe('order-1');
        expect(await store.headPosition()).toBe(2);
      });

      it('given a stream, when read from a version, then only events at or after it are returned', async () => {
        await store.append(request('s', 0, [event('A'), event('B'), event('C')]));
        const events = await store.readStream('s', 2);
        expect(events.map((e) => e.type)).toEqual(['B', 'C']);
      });

      it('given an unknown stream, when read, then it is empty', async () => {
        expect(await store.readStream('nope')).toEqual([]);
      });

      it('given metadata with correlation and causation, when read back, then it is identical', async () => {
        const metadata = meta({ correlationId: 'alert-9', causationId: 'cmd-3', tenantId: 't-42' });
        await store.append({ streamId: 's', expectedVersion: 0, events: [event('A', { v: '0.00000001' })], metadata });
        await store.append({ streamId: 's', expectedVersion: 1, events: [event('B')], metadata: meta() });
        const [first, second] = await store.readStream('s');
        expect(first!.metadata).toEqual(metadata);
        expect(first!.data).toEqual({ v: '0.00000001' });
        expect(second!.metadata).toEqual(meta());
        expect(second!.metadata.correlationId).toBeUndefined();
        expect(second!.metadata.causationId).toBeUndefined();
      });

      it('given data with unicode, big numbers as strings and deep nesting, when read back, then it round-trips exactly', async () => {
        const data = {
          symbol: 'BTC/USDT',
          note: 'grüße 🚀 "quoted" \\ back\nslash',
          amount: '123456789012345678901234567890.123456789',
          integer: 42,
          float: 0.1,
          negative: -3,
          list: [1, 'two', { three: [3] }, null, false],
          empty: {},
          emptyList: [],
        };
        await store.append(request('u', 0, [event('Unicode', data)]));
        const [read] = await store.readStream('u');
        expect(read!.data).toEqual(data);
      });
    });

    describe('readAll', () => {
      it('given events in several streams, when reading all in pages, then they come in global position order without gaps', async () => {
        for (let i = 0; i < 5; i++) {
          await store.append(request(`s-${i % 2}`, 'any', [event('E', { i: String(i) }), event('F', { i: String(i) })]));
        }
        const page1 = await store.readAll(0, 4);
        const page2 = await store.readAll(4, 4);
        const page3 = await store.readAll(8, 4);
        const page4 = await store.readAll(10, 4);
        expect(page1.map((e) => e.globalPosition)).toEqual([1, 2, 3, 4]);
        expect(page2.map((e) => e.globalPosition)).toEqual([5, 6, 7, 8]);
        expect(page3.map((e) => e.globalPosition)).toEqual([9, 10]);
        expect(page4).toEqual([]);
        expect(page1[2]!.streamId).toBe('s-1');
        expect(page1[2]!.streamVersion).toBe(1);
      });

      it('given a non-positive limit, when reading all, then nothing is returned', async () => {
        await store.append(request('s', 0, [event('A')]));
        expect(await store.readAll(0, 0)).toEqual([]);
      });

      it('given an empty store, then the head position is 0 and readAll is empty', async () => {
        expect(await store.headPosition()).toBe(0);
        expect(await store.readAll(0, 100)).toEqual([]);
      });
    });

    describe('optimistic concurrency', () => {
      it('given a stream at version 2, when appending with expected version 1, then it conflicts with actual version 2 and appends nothing', async () => {
        await store.append(request('s', 0, [event('A'), event('B')]));
        const result = await store.append(request('s', 1, [event('C')]));
        expect(result).toEqual({ kind: 'conflict', streamId: 's', actualVersion: 2 });
        expect(await store.headPosition()).toBe(2);
        expect((await store.readStream('s')).length).toBe(2);
      });

      it('given an existing stream, when appending with expected version 0, then it conflicts', async () => {
        await store.append(request('s', 0, [event('A')]));
        expect(await store.append(request('s', 0, [event('B')]))).toEqual({
          kind: 'conflict',
          streamId: 's',
          actualVersion: 1,
        });
      });

      it('given a missing stream, when appending with expected version 3, then it conflicts with actual version 0', async () => {
        expect(await store.append(request('s', 3, [event('A')]))).toEqual({
          kind: 'conflict',
          streamId: 's',
          actualVersion: 0,
        });
      });

      it("given any stream state, when appending with 'any', then it appends after the current version", async () => {
        expectAppended(await store.append(request('s', 'any', [event('A')])));
        const result = expectAppended(await store.append(request('s', 'any', [event('B'), event('C')])));
        expect(result.nextExpectedVersion).toBe(3);
        expect((await store.readStream('s')).map((e) => e.streamVersion)).toEqual([1, 2, 3]);
      });

      it('given 200 concurrent appends to one new stream with expected version 0, then exactly one is appended and the rest conflict', async () => {
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) => store.append(request('race', 0, [event('Claimed', { by: String(i) })]))),
        );
        const appended = results.filter((r) => r.kind === 'appended');
        const conflicts = results.filter((r) => r.kind === 'conflict');
        expect(appended).toHaveLength(1);
        expect(conflicts).toHaveLength(199);
        for (const c of conflicts) expect(c).toEqual({ kind: 'conflict', streamId: 'race', actualVersion: 1 });
        expect(await store.readStream('race')).toHaveLength(1);
        expect(await store.headPosition()).toBe(1);
      });

      it('given concurrent appends to one stream each expecting the previous version, then all are appended in order', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.append(request('chain', i, [event('Step', { i: String(i) })]))),
        );
        expect(results.every((r) => r.kind === 'appended')).toBe(true);
        const events = await store.readStream('chain');
        expect(events.map((e) => e.data['i'])).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
      });

      it('given concurrent appends where one conflicts, then the others still commit', async () => {
        await store.append(request('taken', 0, [event('A')]));
        const results = await Promise.all([
          store.append(request('a', 0, [event('A')])),
          store.append(request('taken', 0, [event('B')])),
          store.append(request('b', 0, [event('A')])),
        ]);
        expect(results.map((r) => r.kind)).toEqual(['appended', 'conflict', 'appended']);
        expect(await store.headPosition()).toBe(3);
        expect((await store.verifyChain()).ok).toBe(true);
      });

      it('given 1,000 concurrent appends to distinct streams, then positions are contiguous 1..1000 and the chain verifies', async () => {
        const results = await Promise.all(
          Array.from({ length: 1000 }, (_, i) =>
            store.append(request(`stream-${i}`, 0, [event('Created', { n: String(i) })])),
          ),
        );
        const positions = results.map((r) => expectAppended(r).firstPosition).sort((a, b) => a - b);
        expect(positions).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
        const all = await store.readAll(0, 2000);
        expect(all.map((e) => e.globalPosition)).toEqual(positions);
        expect(await store.headPosition()).toBe(1000);
        expect(await store.verifyChain()).toEqual({ ok: true, eventsChecked: 1000, lastPosition: 1000 });
      });
    });

    describe('zero-event append', () => {
      it('given a stream at version 1, when appending no events with the right expected version, then it succeeds and appends nothing', async () => {
        await store.append(request('s', 0, [event('A')]));
        const result = expectAppended(await store.append(request('s', 1, [])));
        expect(result.nextExpectedVersion).toBe(1);
        expect(result.lastPosition).toBe(1);
        expect(result.lastPosition - result.firstPosition + 1).toBe(0);
        expect(await store.headPosition()).toBe(1);
        expect(await store.readStream('s')).toHaveLength(1);
      });

      it('given a stream at version 1, when appending no events with a wrong expected version, then it conflicts', async () => {
        await store.append(request('s', 0, [event('A')]));
        expect(await store.append(request('s', 5, []))).toEqual({ kind: 'conflict', streamId: 's', actualVersion: 1 });
        expect(await store.append(request('s', 0, []))).toEqual({ kind: 'conflict', streamId: 's', actualVersion: 1 });
      });

      it('given a missing stream, when appending no events with expected version 0, then it succeeds and the stream still does not exist', async () => {
        const result = expectAppended(await store.append(request('ghost', 0, [])));
        expect(result.nextExpectedVersion).toBe(0);
        expect(await store.readStream('ghost')).toEqual([]);
        expect(await store.headPosition()).toBe(0);
        // The stream really is still at version 0: a real append expecting 0 succeeds.
        expectAppended(await store.append(request('ghost', 0, [event('A')])));
      });
    });

    describe('dedupe', () => {
      const claim = (value: string) => ({ scope: 'strategy-1', key: 'alert-key-1', value });

      it('given a claimed key, when appending with the same key, then it is a duplicate returning the original value and appends nothing', async () => {
        expectAppended(await store.append(request('sig-1', 0, [event('SignalReceived')], { dedupe: claim('sig-1') })));
        const result = await store.append(request('sig-2', 0, [event('SignalReceived')], { dedupe: claim('sig-2') }));
        expect(result).toEqual({ kind: 'duplicate', existingValue: 'sig-1' });
        expect(await store.readStream('sig-2')).toEqual([]);
        expect(await store.headPosition()).toBe(1);
        expect(await store.findDedupe('strategy-1', 'alert-key-1')).toBe('sig-1');
      });

      it('given two claims of one key in the same instant, then the second is a duplicate of the first', async () => {
        const [first, second] = await Promise.all([
          store.append(request('sig-1', 0, [event('SignalReceived')], { dedupe: claim('sig-1') })),
          store.append(request('sig-2', 0, [event('SignalReceived')], { dedupe: claim('sig-2') })),
        ]);
        expectAppended(first!);
        expect(second).toEqual({ kind: 'duplicate', existingValue: 'sig-1' });
        expect(await store.headPosition()).toBe(1);
      });

      it('given the same key in another scope, then it is not a duplicate', async () => {
        await store.append(request('a', 0, [event('A')], { dedupe: { scope: 's1', key: 'k', value: 'a' } }));
        expectAppended(await store.append(request('b', 0, [event('A')], { dedupe: { scope: 's2', key: 'k', value: 'b' } })));
        expect(await store.findDedupe('s2', 'k')).toBe('b');
      });

      it('given an append that conflicts, then its dedupe claim is not taken', async () => {
        await store.append(request('s', 0, [event('A')]));
        expect((await store.append(request('s', 0, [event('B')], { dedupe: claim('x') }))).kind).toBe('conflict');
        expect(await store.findDedupe('strategy-1', 'alert-key-1')).toBeUndefined();
      });

      it('given no claim, when looking it up, then it is undefined', async () => {
        expect(await store.findDedupe('none', 'none')).toBeUndefined();
      });
    });

    describe('appendAtomic', () => {
      it('given requests to several streams, when all pass, then all are appended with contiguous positions', async () => {
        await store.append(request('account-1', 0, [event('Opened')]));
        const result = expectAppended(
          await store.appendAtomic([
            request('order-1', 0, [event('OrderPlaced'), event('OrderAccepted')]),
            request('account-1', 1, [event('FundsReserved')]),
          ]),
        );
        expect(result.firstPosition).toBe(2);
        expect(result.lastPosition).toBe(4);
        expect((await store.readStream('order-1')).map((e) => e.globalPosition)).toEqual([2, 3]);
        expect((await store.readStream('account-1')).map((e) => e.streamVersion)).toEqual([1, 2]);
      });

      it('given one conflicting request, when appended atomically, then nothing from any request is appended', async () => {
        await store.append(request('account-1', 0, [event('Opened')]));
        const result = await store.appendAtomic([
          request('order-1', 0, [event('OrderPlaced')], { dedupe: { scope: 'x', key: 'y', value: 'z' } }),
          request('account-1', 0, [event('FundsReserved')]),
          request('order-2', 0, [event('OrderPlaced')]),
        ]);
        expect(result).toEqual({ kind: 'conflict', streamId: 'account-1', actualVersion: 1 });
        expect(await store.readStream('order-1')).toEqual([]);
        expect(await store.readStream('order-2')).toEqual([]);
        expect(await store.headPosition()).toBe(1);
        expect(await store.findDedupe('x', 'y')).toBeUndefined();
      });

      it('given one duplicate request, when appended atomically, then the duplicate is returned and nothing is appended', async () => {
        await store.append(request('sig-1', 0, [event('A')], { dedupe: { scope: 'x', key: 'y', value: 'sig-1' } }));
        const result = await store.appendAtomic([
          request('order-1', 0, [event('OrderPlaced')]),
          request('sig-2', 0, [event('A')], { dedupe: { scope: 'x', key: 'y', value: 'sig-2' } }),
        ]);
        expect(result).toEqual({ kind: 'duplicate', existingValue: 'sig-1' });
        expect(await store.headPosition()).toBe(1);
      });

      it('given two requests to one stream in one atomic append, then the second sees the first', async () => {
        const result = expectAppended(
          await store.appendAtomic([request('s', 0, [event('A')]), request('s', 1, [event('B')])]),
        );
        expect(result.nextExpectedVersion).toBe(2);
        expect((await store.readStream('s')).map((e) => e.type)).toEqual(['A', 'B']);
      });

      it('given a failed atomic append batched with plain appends, then the plain appends still commit', async () => {
        await store.append(request('taken', 0, [event('A')]));
        const [plain1, atomic, plain2] = await Promise.all([
          store.append(request('p1', 0, [event('A')])),
          store.appendAtomic([request('q', 0, [event('A')]), request('taken', 0, [event('B')])]),
          store.append(request('q', 0, [event('A')])),
        ]);
        expectAppended(plain1!);
        expect(atomic!.kind).toBe('conflict');
        expectAppended(plain2!);
        expect((await store.readStream('q')).map((e) => e.streamVersion)).toEqual([1]);
        expect((await store.verifyChain()).ok).toBe(true);
      });
    });

    describe('checkpoints', () => {
      it('given no checkpoint, when loaded, then it is 0', async () => {
        expect(await store.loadCheckpoint('projector')).toBe(0);
      });

      it('given a saved checkpoint, when saved again and loaded, then the latest value is returned', async () => {
        await store.saveCheckpoint('projector', 5);
        expect(await store.loadCheckpoint('projector')).toBe(5);
        await store.saveCheckpoint('projector', 9);
        expect(await store.loadCheckpoint('projector')).toBe(9);
        expect(await store.loadCheckpoint('other')).toBe(0);
      });
    });

    describe('onAppended', () => {
      it('given a listener, when events are committed, then it is called with the new head position', async () => {
        const heads: number[] = [];
        store.onAppended((head) => heads.push(head));
        await store.append(request('s', 0, [event('A'), event('B')]));
        await until(() => heads.length >= 1);
        expect(heads).toEqual([2]);
        await store.append(request('s', 2, [event('C')]));
        await until(() => heads.length >= 2);
        expect(heads).toEqual([2, 3]);
      });

      it('given an unsubscribed listener, then it is no longer called', async () => {
        const heads: number[] = [];
        const unsubscribe = store.onAppended((head) => heads.push(head));
        unsubscribe();
        // a listener that stays: once it heard the append, the other one had its chance too
        const marker: number[] = [];
        store.onAppended((head) => marker.push(head));
        await store.append(request('s', 0, [event('A')]));
        await until(() => marker.includes(1));
        expect(heads).toEqual([]);
      });

      it('given a throwing listener, then other listeners are still called and the store keeps working', async () => {
        const heads: number[] = [];
        store.onAppended(() => {
          throw new Error('listener failure');
        });
        store.onAppended((head) => heads.push(head));
        await store.append(request('s', 0, [event('A')]));
        await until(() => heads.length >= 1);
        expectAppended(await store.append(request('s', 1, [event('B')])));
        await until(() => heads.length >= 2);
        expect(heads).toEqual([1, 2]);
      });

      it('given only a conflict, then listeners are not called', async () => {
        const marker: number[] = [];
        store.onAppended((head) => marker.push(head));
        await store.append(request('s', 0, [event('A')]));
        await until(() => marker.includes(1)); // the notification of A is behind us
        const heads: number[] = [];
        store.onAppended((head) => heads.push(head));
        expect((await store.append(request('s', 0, [event('B')]))).kind).toBe('conflict');
        // a later append: once its notification came, one for the conflict would have come before it
        await store.append(request('other', 0, [event('C')]));
        await until(() => marker.includes(2));
        expect(heads).toEqual([2]);
      });
    });

    describe('readByCorrelation', () => {
      it('given events of several alerts across streams, when reading one correlation id, then its events come in log order', async () => {
        await store.append({ ...request('signal-1', 0, [event('SignalReceived')]), metadata: meta({ correlationId: 'alert-1' }) });
        await store.append({ ...request('signal-2', 0, [event('SignalReceived')]), metadata: meta({ correlationId: 'alert-2' }) });
        await store.append({ ...request('order-1', 0, [event('OrderPlaced'), event('OrderFilled')]), metadata: meta({ correlationId: 'alert-1', causationId: 'signal-1' }) });
        await store.append(request('unrelated', 0, [event('X')]));
        const trace = await store.readByCorrelation('alert-1');
        expect(trace.map((e: RecordedEvent) => [e.globalPosition, e.type])).toEqual([
          [1, 'SignalReceived'],
          [3, 'OrderPlaced'],
          [4, 'OrderFilled'],
        ]);
        expect(await store.readByCorrelation('alert-404')).toEqual([]);
      });
    });

    describe('hash chain', () => {
      it('given an empty store, then the chain verifies with nothing checked', async () => {
        expect(await store.verifyChain()).toEqual({ ok: true, eventsChecked: 0, lastPosition: 0 });
      });

      it('given appended events, then each links to the previous hash and the chain verifies', async () => {
        await store.append(request('a', 0, [event('A', { v: '1' }), event('B')]));
        await store.append(request('b', 0, [event('C')]));
        const all = await store.readAll(0, 10);
        expect(all[0]!.prevHash).toBe('0'.repeat(64));
        expect(all[1]!.prevHash).toBe(all[0]!.hash);
        expect(all[2]!.prevHash).toBe(all[1]!.hash);
        for (const e of all) expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(await store.verifyChain()).toEqual({ ok: true, eventsChecked: 3, lastPosition: 3 });
      });

      it('given a chain longer than one page, when event k is tampered with, then verification reports k', async () => {
        for (let i = 0; i < 30; i++) {
          await store.append(request(`s-${i % 3}`, 'any', Array.from({ length: 100 }, () => event('E', { i: String(i) }))));
        }
        expect((await store.verifyChain()).ok).toBe(true);
        await fixture.tamper(2345);
        const result = await store.verifyChain();
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.brokenAt).toBe(2345);
        expect(result.eventsChecked).toBe(2344);
        expect(result.reason).toBeTruthy();
      });

      it('given the first event is tampered with, then verification reports position 1', async () => {
        await store.append(request('s', 0, [event('A'), event('B')]));
        await fixture.tamper(1);
        const result = await store.verifyChain();
        expect(result).toMatchObject({ ok: false, brokenAt: 1, eventsChecked: 0 });
      });
    });

    describe('close and reopen', () => {
      it('given a closed and reopened store, then all events are present and new appends continue the chain', async () => {
        if (fixture.reopen === undefined) return;
        await store.append(request('s', 0, [event('A'), event('B')], { dedupe: { scope: 'sc', key: 'k', value: 'v' } }));
        await store.append(request('t', 0, [event('C')]));
        await store.saveCheckpoint('cp', 2);
        await store.close();

        const reopened = await fixture.reopen();
        expect(await reopened.headPosition()).toBe(3);
        expect((await reopened.readAll(0, 10)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
        expect(await reopened.loadCheckpoint('cp')).toBe(2);
        expect(await reopened.findDedupe('sc', 'k')).toBe('v');
        expect(await reopened.append(request('s', 0, [event('X')]))).toEqual({ kind: 'conflict', streamId: 's', actualVersion: 2 });
        const result = expectAppended(await reopened.append(request('s', 2, [event('D')])));
        expect(result.firstPosition).toBe(4);
        const all = await reopened.readAll(0, 10);
        expect(all[3]!.prevHash).toBe(all[2]!.hash);
        expect(await reopened.verifyChain()).toEqual({ ok: true, eventsChecked: 4, lastPosition: 4 });
      });

      it('given appends still queued, when the store is closed, then close waits for them to commit', async () => {
        if (fixture.reopen === undefined) return;
        const pending = Promise.all([
          store.append(request('s', 0, [event('A')])),
          store.append(request('t', 0, [event('B')])),
        ]);
        await store.close();
        const results = await pending;
        expect(results.map((r) => r.kind)).toEqual(['appended', 'appended']);
        const reopened = await fixture.reopen();
        expect(await reopened.headPosition()).toBe(2);
      });

      it('given a closed store, when appending, then it rejects', async () => {
        await store.close();
        await expect(store.append(request('s', 0, [event('A')]))).rejects.toThrow();
      });
    });
  });
}
