import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import {
  ChainVerifier,
  GENESIS_HASH,
  computeEventHash,
  computeEventHashFromCanonical,
  verify,
  type ChainRow,
  type HashableEvent,
} from './hash-chain.js';

const base: HashableEvent = {
  globalPosition: 1,
  streamId: 'order-"1"',
  streamVersion: 1,
  type: 'OrderPlaced',
  data: { qty: '1.5', side: 'buy', nested: { b: 1, a: [1, { d: 2, c: 3 }] } },
  metadata: { tenantId: 't', time: '2024-05-01T00:00:00.000Z', correlationId: 'c' },
};

function chain(n: number): ChainRow[] {
  const rows: ChainRow[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e: HashableEvent = { ...base, globalPosition: i, streamVersion: i, data: { i: String(i) } };
    const hash = computeEventHash(prev, e);
    rows.push({ ...e, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

describe('hash chain', () => {
  it('given the definition, then the hash is SHA-256 over prevHash + canonical JSON of the event', () => {
    const expected = createHash('sha256')
      .update(
        GENESIS_HASH +
          canonicalJson({
            globalPosition: 1,
            streamId: base.streamId,
            streamVersion: 1,
            type: base.type,
            data: base.data,
            metadata: base.metadata,
          }),
      )
      .digest('hex');
    expect(computeEventHash(GENESIS_HASH, base)).toBe(expected);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('given pre-serialised canonical parts, then the fast path computes the same hash', () => {
    const fast = computeEventHashFromCanonical(
      GENESIS_HASH,
      base.globalPosition,
      JSON.stringify(base.streamId),
      base.streamVersion,
      JSON.stringify(base.type),
      canonicalJson(base.data),
      canonicalJson(base.metadata),
    );
    expect(fast).toBe(computeEventHash(GENESIS_HASH, base));
  });

  it('given a different prevHash or field, then the hash changes', () => {
    const h = computeEventHash(GENESIS_HASH, base);
    expect(computeEventHash('1'.repeat(64), base)).not.toBe(h);
    expect(computeEventHash(GENESIS_HASH, { ...base, streamVersion: 2 })).not.toBe(h);
    expect(computeEventHash(GENESIS_HASH, { ...base, data: { ...base.data, qty: '1.50' } })).not.toBe(h);
  });

  it('given an intact chain, then verify reports ok with the count and last position', async () => {
    expect(await verify(chain(5))).toEqual({ ok: true, eventsChecked: 5, lastPosition: 5 });
    expect(await verify([])).toEqual({ ok: true, eventsChecked: 0, lastPosition: 0 });
  });

  it('given altered data at k, then verify reports k', async () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, data: { i: 'forged' } };
    expect(await verify(rows)).toMatchObject({ ok: false, brokenAt: 3, eventsChecked: 2 });
  });

  it('given a re-hashed forged row, then the next row breaks the link', async () => {
    const rows = chain(5);
    const forged = { ...rows[2]!, data: { i: 'forged' } };
    rows[2] = { ...forged, hash: computeEventHash(forged.prevHash, forged) };
    expect(await verify(rows)).toMatchObject({ ok: false, brokenAt: 4, reason: expect.stringMatching(/prev_hash/) });
  });

  it('given a gap or a chain not starting at 1, then verify reports the missing position', async () => {
    const rows = chain(5);
    expect(await verify([...rows.slice(0, 2), ...rows.slice(3)])).toMatchObject({ ok: false, brokenAt: 3 });
    expect(await verify(rows.slice(1))).toMatchObject({ ok: false, brokenAt: 1 });
  });

  it('given rows fed page by page, then the verifier carries state across pages', () => {
    const rows = chain(6);
    const verifier = new ChainVerifier();
    for (const row of rows.slice(0, 3)) expect(verifier.check(row)).toBe(true);
    for (const row of rows.slice(3)) expect(verifier.check(row)).toBe(true);
    expect(verifier.result()).toEqual({ ok: true, eventsChecked: 6, lastPosition: 6 });
  });
});
