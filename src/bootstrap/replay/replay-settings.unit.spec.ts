import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from '../test-support/memory-kv.js';
import { replaySettings } from './replay-settings.js';

/** A store that counts reads and can hold a read until released. */
class CountingKv extends MemoryKeyValueStore {
  reads = 0;
  hold: Promise<void> | undefined;
  override async get(key: string): Promise<string | undefined> {
    this.reads++;
    const value = await super.get(key);
    await this.hold;
    return value;
  }
}

describe('the replay\'s settings (webhook secrets and signing keys kept once read)', () => {
  it('reads a strategy\'s secret and signing key once, absent or not, and other keys every time', async () => {
    const kv = new CountingKv();
    await kv.set('webhook-secret/s1', 'secret-1');
    const settings = replaySettings(kv);
    for (let i = 0; i < 3; i++) {
      expect(await settings.get('webhook-secret/s1')).toBe('secret-1');
      expect(await settings.get('webhook-signing/s1')).toBeUndefined();
    }
    expect(kv.reads).toBe(2);
    await settings.get('replay/t/r1');
    await settings.get('replay/t/r1');
    expect(kv.reads).toBe(4);
  });

  it('reads a key again once this store wrote it, and keeps no value read while a write was under way', async () => {
    const kv = new CountingKv();
    const settings = replaySettings(kv);
    await settings.set('webhook-secret/s1', 'old');
    expect(await settings.get('webhook-secret/s1')).toBe('old');
    await settings.set('webhook-secret/s1', 'new');
    expect(await settings.get('webhook-secret/s1')).toBe('new');
    expect(await settings.compareAndSet('webhook-secret/s1', 'new', 'newer')).toBe(true);
    expect(await settings.get('webhook-secret/s1')).toBe('newer');
    expect(await settings.delete('webhook-secret/s1')).toBe(true);
    expect(await settings.get('webhook-secret/s1')).toBeUndefined();
    expect(await settings.setIfAbsent('webhook-secret/s1', 'again')).toBe('again');
    expect(await settings.get('webhook-secret/s1')).toBe('again');

    // a read that started before a write and ends after it is answered, not kept
    let release!: () => void;
    kv.hold = new Promise<void>((resolve) => (release = resolve));
    const reading = settings.get('webhook-signing/s2');
    kv.hold = undefined;
    await settings.set('webhook-signing/s2', 'key');
    release();
    expect(await reading).toBeUndefined();
    expect(await settings.get('webhook-signing/s2')).toBe('key');
  });
});
