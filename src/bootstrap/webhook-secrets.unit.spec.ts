import { describe, expect, it } from 'vitest';
import { WebhookSecrets } from './webhook-secrets.js';
import { webhookSecretKey } from '../application/commands/strategies.js';

/** A store shared by two nodes, and a clock the test moves. */
function setup() {
  const store = new Map<string, string>();
  let reads = 0;
  const kv = { get: async (key: string) => (reads++, store.get(key)) };
  let now = 0;
  return { store, kv, reads: () => reads, clock: { now: () => now, advance: (ms: number) => (now += ms) } };
}

describe('webhook secrets', () => {
  it('a secret rotated on another node is refused here once the cached one is older than the TTL', async () => {
    const { store, kv, clock } = setup();
    const here = new WebhookSecrets(kv, clock.now, 2_000);
    store.set(webhookSecretKey('s1'), 'old-secret');
    expect(await here.lookup('s1')).toBe('old-secret');
    store.set(webhookSecretKey('s1'), 'new-secret'); // rotated through another node
    clock.advance(1_999);
    expect(await here.lookup('s1')).toBe('old-secret');
    clock.advance(1);
    expect(await here.lookup('s1')).toBe('new-secret');
  });

  it('answers from the cache without I/O while fresh; a rotation on this node takes effect at once', async () => {
    const { store, kv, reads, clock } = setup();
    const here = new WebhookSecrets(kv, clock.now, 2_000);
    store.set(webhookSecretKey('s1'), 'a');
    await here.lookup('s1');
    expect(here.lookup('s1')).toBe('a'); // synchronous: no read
    expect(reads()).toBe(1);
    here.remember('s1', 'b');
    expect(here.lookup('s1')).toBe('b');
  });

  it('a strategy without a secret (removed) is forgotten', async () => {
    const { store, kv, clock } = setup();
    const here = new WebhookSecrets(kv, clock.now, 10);
    store.set(webhookSecretKey('s1'), 'a');
    await here.lookup('s1');
    store.delete(webhookSecretKey('s1'));
    clock.advance(10);
    expect(await here.lookup('s1')).toBeUndefined();
    store.set(webhookSecretKey('s1'), 'b'); // configured again: nothing stale was kept
    expect(await here.lookup('s1')).toBe('b');
  });

  it('reload reads the store whatever the cache holds (an alert carrying a secret rotated elsewhere); concurrent reloads share one read', async () => {
    const { store, kv, reads, clock } = setup();
    const here = new WebhookSecrets(kv, clock.now, 2_000);
    store.set(webhookSecretKey('s1'), 'old');
    await here.lookup('s1');
    store.set(webhookSecretKey('s1'), 'new'); // rotated through another node
    const [a, b] = await Promise.all([here.reload('s1'), here.reload('s1')]);
    expect([a, b]).toEqual(['new', 'new']);
    expect(reads()).toBe(2);
    expect(here.lookup('s1')).toBe('new'); // and cached: the old one is refused from now on
  });
});
