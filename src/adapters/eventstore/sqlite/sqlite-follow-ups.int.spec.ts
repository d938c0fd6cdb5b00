import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppendRequest, FollowUp, FollowUpOutcome } from '../../../application/ports/event-store.js';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store.js';

const metadata = { tenantId: 't', time: '2024-05-01T00:00:00.000Z' };
const req = (streamId: string, expectedVersion: AppendRequest['expectedVersion'], data: Record<string, unknown> = {}): AppendRequest => ({
  streamId, expectedVersion, events: [{ type: 'E', data }], metadata,
});

/** A follow-up that records what it was asked and told, and plans what `plan` returns. */
function recording(plan: FollowUp['plan']) {
  const planned: { appended: { firstPosition: number; lastPosition: number }; committedHead: number }[] = [];
  const settled: FollowUpOutcome[] = [];
  const followUp: FollowUp = {
    plan: (appended, committedHead) => {
      planned.push({ appended, committedHead });
      return plan(appended, committedHead);
    },
    settled: (outcome) => void settled.push(outcome),
  };
  return { followUp, planned, settled };
}

describe('SqliteEventStore follow-ups (ADR-0030)', () => {
  let dir: string;
  const stores: SqliteEventStore[] = [];
  const openStore = (extra: Partial<SqliteEventStoreOptions> = {}): SqliteEventStore => {
    const store = new SqliteEventStore({ path: join(dir, 'events.db'), ...extra });
    stores.push(store);
    return store;
  };
  const types = async (store: SqliteEventStore) => (await store.readAll(0, 100)).map((e) => `${e.streamId}@${e.streamVersion}`);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'patriot-follow-'));
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('given a follow-up, then it is written right after the append it follows, in the same commit, and learns its result after it', async () => {
    const store = openStore();
    await store.append(req('before', 0));
    const heads: number[] = [];
    store.onAppended((h) => heads.push(h));
    const { followUp, planned, settled } = recording(() => [req('then-a', 0), req('then-b', 0)]);
    const [first, other] = await Promise.all([store.appendFollowedBy(req('signal', 0), followUp), store.append(req('other', 0))]);
    expect(first).toMatchObject({ kind: 'appended', firstPosition: 2, lastPosition: 2 });
    expect(other).toMatchObject({ kind: 'appended', firstPosition: 5 }); // behind the follow-up, in the same batch
    expect(planned).toMatchObject([{ appended: { firstPosition: 2, lastPosition: 2 }, committedHead: 1 }]);
    expect(settled).toEqual([{ kind: 'committed', result: { kind: 'appended', firstPosition: 3, lastPosition: 4, nextExpectedVersion: 1 } }]);
    expect(await types(store)).toEqual(['before@1', 'signal@1', 'then-a@1', 'then-b@1', 'other@1']);
    await store.append(req('marker', 0));
    await vi.waitFor(() => expect(heads).toContain(6));
    expect(heads).toEqual([5, 6]); // one commit for the append, its follow-up and the other append
    expect(await store.verifyChain()).toMatchObject({ ok: true, eventsChecked: 6 });
  });

  it('given another connection committed to the file, then the follow-up\'s committed head counts its events', async () => {
    const store = openStore();
    await store.append(req('mine', 0));
    const other = openStore(); // e.g. another node on the same data directory
    await other.append(req('theirs', 0));
    await other.append(req('theirs', 1));
    const { followUp, planned } = recording(() => undefined);
    expect(await store.appendFollowedBy(req('signal', 0), followUp)).toMatchObject({ kind: 'appended', firstPosition: 4 });
    expect(planned).toMatchObject([{ committedHead: 3 }]);
  });

  it('given an append that is a duplicate or a conflict, then its follow-up is never planned', async () => {
    const store = openStore();
    await store.append({ ...req('signal', 0), dedupe: { scope: 's', key: 'k', value: 'first' } });
    const duplicate = recording(() => [req('then', 0)]);
    expect(await store.appendFollowedBy({ ...req('signal-2', 0), dedupe: { scope: 's', key: 'k', value: 'second' } }, duplicate.followUp)).toEqual({ kind: 'duplicate', existingValue: 'first' });
    const conflict = recording(() => [req('then', 0)]);
    expect(await store.appendFollowedBy(req('signal', 0), conflict.followUp)).toMatchObject({ kind: 'conflict' });
    expect([...duplicate.planned, ...duplicate.settled, ...conflict.planned, ...conflict.settled]).toEqual([]);
    expect(await types(store)).toEqual(['signal@1']);
  });

  it('given a follow-up that plans nothing, then the append is written alone and nothing is settled', async () => {
    const store = openStore();
    const { followUp, planned, settled } = recording(() => undefined);
    expect(await store.appendFollowedBy(req('signal', 0), followUp)).toMatchObject({ kind: 'appended' });
    expect(planned).toHaveLength(1);
    expect(settled).toEqual([]);
    expect(await types(store)).toEqual(['signal@1']);
  });

  it('given a plan that throws or asks for an invalid append, then the append it follows is written, the follow-up is settled failed, and the batch commits', async () => {
    const store = openStore();
    const thrown = recording(() => {
      throw new Error('routing blew up');
    });
    const invalid = recording(() => [req('', 0)]);
    const results = await Promise.all([
      store.appendFollowedBy(req('signal-1', 0), thrown.followUp),
      store.appendFollowedBy(req('signal-2', 0), invalid.followUp),
      store.append(req('other', 0)),
    ]);
    expect(results.map((r) => r.kind)).toEqual(['appended', 'appended', 'appended']);
    expect(thrown.settled).toEqual([{ kind: 'failed', error: new Error('routing blew up') }]);
    expect(invalid.settled).toHaveLength(1);
    expect(invalid.settled[0]).toMatchObject({ kind: 'failed', error: expect.any(TypeError) });
    expect(await types(store)).toEqual(['signal-1@1', 'signal-2@1', 'other@1']);
  });

  it('given a follow-up that conflicts, then the append it follows is written and the follow-up learns it wrote nothing', async () => {
    const store = openStore();
    await store.append(req('taken', 0));
    const { followUp, settled } = recording(() => [req('fresh', 0), req('taken', 0)]);
    expect(await store.appendFollowedBy(req('signal', 0), followUp)).toMatchObject({ kind: 'appended' });
    expect(settled).toEqual([{ kind: 'committed', result: { kind: 'conflict', streamId: 'taken', actualVersion: 1 } }]);
    expect(await types(store)).toEqual(['taken@1', 'signal@1']); // all or nothing: 'fresh' is not written either
  });

  it('given a batch that cannot commit (database full), then neither the append nor its follow-up is in the log, both learn it, and the store keeps working', async () => {
    const store = openStore();
    await store.append(req('before', 0));
    const db = store.database;
    db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + 2}`);
    const { followUp, settled } = recording(() => [req('then', 0, { blob: 'x'.repeat(200_000) })]);
    await expect(store.appendFollowedBy(req('signal', 0), followUp)).rejects.toThrow(/full/i);
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ kind: 'failed' });
    expect(String((settled[0] as { error: unknown }).error)).toMatch(/full/i);
    expect(await types(store)).toEqual(['before@1']);
    db.pragma('max_page_count = 1073741823');
    expect(await store.appendFollowedBy(req('signal', 0), recording(() => [req('then', 0)]).followUp)).toMatchObject({ kind: 'appended', firstPosition: 2 });
    expect(await types(store)).toEqual(['before@1', 'signal@1', 'then@1']);
    expect(await store.verifyChain()).toMatchObject({ ok: true, eventsChecked: 3 });
  });

  it('given a settle that throws, then it is reported and the append is still answered', async () => {
    const reported: unknown[] = [];
    const store = openStore({ onListenerError: (error) => reported.push(error) });
    const followUp: FollowUp = { plan: () => [req('then', 0)], settled: () => { throw new Error('settle failed'); } };
    expect(await store.appendFollowedBy(req('signal', 0), followUp)).toMatchObject({ kind: 'appended' });
    expect(reported).toEqual([new Error('settle failed')]);
    expect(await types(store)).toEqual(['signal@1', 'then@1']);
  });
});
