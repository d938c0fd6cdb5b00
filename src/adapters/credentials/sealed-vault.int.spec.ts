import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SqliteEventStore } from '../eventstore/sqlite/sqlite-event-store.js';
import { SqliteKeyValueStore } from '../kv/sqlite-key-value-store.js';
import { kekFrom } from '../crypto/envelope.js';
import { SealedCredentialVault, type Keyring } from './sealed-vault.js';

const SECRET = 'sk-live-9f8e7d6c5b4a';
const API_KEY = 'AKIA-EXAMPLE-7Q3Z';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function kvStore() {
  const events = await SqliteEventStore.open({ path: ':memory:' });
  const kv = new SqliteKeyValueStore(events.database);
  closers.push(() => events.close());
  return kv;
}
const ring = (...keys: Buffer[]): Keyring => {
  const keks = keys.map(kekFrom);
  return { current: keks[0]!, all: new Map(keks.map((k) => [k.id, k])) };
};

describe('SealedCredentialVault', () => {
  it('keeps credentials encrypted at rest; shows only a masked hint; reveals them for the exchange client', async () => {
    const kv = await kvStore();
    const vault = new SealedCredentialVault(kv, ring(randomBytes(32)));
    const hint = await vault.put('t1', 'acc1', { apiKey: API_KEY, secret: SECRET, password: 'pass-phrase-1' }, '2026-11-25T00:00:00.000Z');
    expect(hint).toEqual({ accountId: 'acc1', apiKeyHint: '••••7Q3Z', hasPassword: true, updatedAt: '2026-11-25T00:00:00.000Z' });
    const [[, raw]] = await kv.entries('exchange-credentials/') as [[string, string]];
    expect(raw).not.toContain(SECRET);
    expect(raw).not.toContain(API_KEY);
    expect(raw).not.toContain('pass-phrase-1');
    expect(await vault.hint('t1', 'acc1')).toEqual(hint);
    expect(await vault.reveal('t1', 'acc1')).toEqual({ apiKey: API_KEY, secret: SECRET, password: 'pass-phrase-1' });
    expect(await vault.reveal('t2', 'acc1')).toBeUndefined(); // another tenant has none
    expect(await vault.remove('t1', 'acc1')).toBe(true);
    expect(await vault.reveal('t1', 'acc1')).toBeUndefined();
  });

  it('a sealed value copied to another tenant or account does not decrypt', async () => {
    const kv = await kvStore();
    const vault = new SealedCredentialVault(kv, ring(randomBytes(32)));
    await vault.put('t1', 'acc1', { apiKey: API_KEY, secret: SECRET }, 'x');
    const raw = (await kv.get('exchange-credentials/t1/acc1'))!;
    await kv.set('exchange-credentials/t2/acc1', raw);
    await kv.set('exchange-credentials/t1/acc2', raw);
    await expect(vault.reveal('t2', 'acc1')).rejects.toThrow(/cannot decrypt/);
    await expect(vault.reveal('t1', 'acc2')).rejects.toThrow(/cannot decrypt/);
  });

  it('rotation re-wraps everything under the new master key, after which the old one is not needed; a value changed meanwhile is left alone', async () => {
    const kv = await kvStore();
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = new SealedCredentialVault(kv, ring(oldKey));
    for (const a of ['a1', 'a2', 'a3']) await before.put('t1', a, { apiKey: `${API_KEY}-${a}`, secret: `${SECRET}-${a}` }, 'x');
    const during = new SealedCredentialVault(kv, ring(newKey, oldKey)); // nodes restarted with both keys
    expect(await during.reveal('t1', 'a2')).toMatchObject({ secret: `${SECRET}-a2` });
    await during.put('t1', 'a3', { apiKey: 'new-key-a3', secret: 'new-secret-a3' }, 'y'); // sealed with the new key already
    expect(await during.rotate()).toEqual({ rewrapped: 2, alreadyCurrent: 1, changedMeanwhile: 0 });
    expect(await during.rotate()).toEqual({ rewrapped: 0, alreadyCurrent: 3, changedMeanwhile: 0 });
    const after = new SealedCredentialVault(kv, ring(newKey)); // the old key retired
    expect(await after.reveal('t1', 'a1')).toEqual({ apiKey: `${API_KEY}-a1`, secret: `${SECRET}-a1` });
    expect(await after.reveal('t1', 'a3')).toEqual({ apiKey: 'new-key-a3', secret: 'new-secret-a3' });
    await expect(new SealedCredentialVault(kv, ring(oldKey)).reveal('t1', 'a1')).rejects.toThrow(/not configured/);

    // a writer racing the rotation wins: its value is not overwritten by a re-wrap of the old one
    await before.put('t1', 'a4', { apiKey: 'k4', secret: 's4' }, 'z');
    const racing = Object.create(kv) as typeof kv;
    racing.entries = async (prefix) => {
      const listed = await kv.entries(prefix);
      await during.put('t1', 'a4', { apiKey: 'k4b', secret: 's4b' }, 'zz'); // changed after the listing
      return listed;
    };
    expect(await new SealedCredentialVault(racing, ring(newKey, oldKey)).rotate()).toMatchObject({ rewrapped: 0, changedMeanwhile: 1 });
    expect(await after.reveal('t1', 'a4')).toEqual({ apiKey: 'k4b', secret: 's4b' });
  });
});
