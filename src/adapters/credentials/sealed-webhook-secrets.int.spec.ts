import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SqliteEventStore } from '../eventstore/sqlite/sqlite-event-store.js';
import { SqliteKeyValueStore } from '../kv/sqlite-key-value-store.js';
import { kekFrom } from '../crypto/envelope.js';
import type { Keyring } from './sealed-vault.js';
import { sealWebhookSecrets, sealingWebhookSecrets } from './sealed-webhook-secrets.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function kvStore() {
  const events = await SqliteEventStore.open({ path: ':memory:' });
  closers.push(() => events.close());
  return new SqliteKeyValueStore(events.database);
}
const ring = (...keys: Buffer[]): Keyring => {
  const keks = keys.map(kekFrom);
  return { current: keks[0]!, all: new Map(keks.map((k) => [k.id, k])) };
};

describe('sealed webhook secrets', () => {
  it('seals on the way in and opens on the way out; other keys pass through unchanged', async () => {
    const raw = await kvStore();
    const kv = sealingWebhookSecrets(raw, ring(randomBytes(32)));
    await kv.set('webhook-secret/s1', 'secret-one-0123456789');
    await kv.set('auth/login/x', 'plain');
    expect(await raw.get('webhook-secret/s1')).not.toContain('secret-one');
    expect(await kv.get('webhook-secret/s1')).toBe('secret-one-0123456789');
    expect(await raw.get('auth/login/x')).toBe('plain');
    // racing seeders agree on the plaintext
    expect(await kv.setIfAbsent('webhook-secret/s2', 'first-0123456789')).toBe('first-0123456789');
    expect(await kv.setIfAbsent('webhook-secret/s2', 'second-0123456789')).toBe('first-0123456789');
    expect(await kv.compareAndSet('webhook-secret/s2', 'wrong', 'third')).toBe(false);
    expect(await kv.compareAndSet('webhook-secret/s2', 'first-0123456789', 'third-0123456789')).toBe(true);
    expect(await kv.get('webhook-secret/s2')).toBe('third-0123456789');
    expect((await kv.entries('webhook-secret/')).map(([, v]) => v)).toEqual(['secret-one-0123456789', 'third-0123456789']);
  });

  it('a sealed value moved to another strategy does not open (read as no secret)', async () => {
    const raw = await kvStore();
    const kv = sealingWebhookSecrets(raw, ring(randomBytes(32)));
    await kv.set('webhook-secret/s1', 'secret-one-0123456789');
    await raw.set('webhook-secret/s2', (await raw.get('webhook-secret/s1'))!);
    expect(await kv.get('webhook-secret/s2')).toBeUndefined();
  });

  it('seals plain secrets of an earlier version at start-up, and re-wraps under a new master key on rotation', async () => {
    const raw = await kvStore();
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    await raw.set('webhook-secret/legacy', 'legacy-plain-0123456789');
    expect(await sealWebhookSecrets(raw, ring(oldKey))).toEqual({ sealed: 1, rewrapped: 0 });
    expect(await raw.get('webhook-secret/legacy')).not.toContain('legacy-plain');
    expect(await sealWebhookSecrets(raw, ring(oldKey))).toEqual({ sealed: 0, rewrapped: 0 }); // idempotent
    // rotation: both keys during it, then only the new one
    expect(await sealWebhookSecrets(raw, ring(newKey, oldKey), true)).toEqual({ sealed: 0, rewrapped: 1 });
    expect(await sealingWebhookSecrets(raw, ring(newKey)).get('webhook-secret/legacy')).toBe('legacy-plain-0123456789');
  });

  it('signing keys are sealed too, bound to their strategy and kind; one that does not open reads as unreadable (every alert refused), and rotation re-wraps them', async () => {
    const raw = await kvStore();
    const oldKey = randomBytes(32);
    const kv = sealingWebhookSecrets(raw, ring(oldKey));
    const setting = JSON.stringify({ key: 'c'.repeat(64), required: true, createdAt: '2026-12-06T00:00:00.000Z' });
    await kv.set('webhook-signing/s1', setting);
    expect(await raw.get('webhook-signing/s1')).not.toContain('c'.repeat(64));
    expect(await kv.get('webhook-signing/s1')).toBe(setting);
    // moved to another strategy, or to the secret's row: it does not open
    await raw.set('webhook-signing/s2', (await raw.get('webhook-signing/s1'))!);
    expect(await kv.get('webhook-signing/s2')).toBe('unreadable');
    await raw.set('webhook-secret/s1', (await raw.get('webhook-signing/s1'))!);
    expect(await kv.get('webhook-secret/s1')).toBeUndefined();
    await raw.delete('webhook-signing/s2');
    await raw.delete('webhook-secret/s1');
    const newKey = randomBytes(32);
    expect(await sealWebhookSecrets(raw, ring(newKey, oldKey), true)).toEqual({ sealed: 0, rewrapped: 1 });
    expect(await sealingWebhookSecrets(raw, ring(newKey)).get('webhook-signing/s1')).toBe(setting);
  });
});
