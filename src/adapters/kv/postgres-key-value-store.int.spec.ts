import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDatabase, testPgUrl } from '../../../test/support/postgres.js';
import { createPool, type PgPool } from '../postgres/pool.js';
import { KV_MIGRATIONS, PostgresKeyValueStore } from './postgres-key-value-store.js';

describe.skipIf(!testPgUrl)('PostgresKeyValueStore', () => {
  let pool: PgPool;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await freshDatabase('kv');
    drop = db.drop;
    pool = createPool(db.url, { max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
    await drop?.();
  });

  it('sets, reads back, overwrites; an absent key is undefined', async () => {
    const kv = await PostgresKeyValueStore.open({ pool });
    expect(await kv.get('webhook.secret')).toBeUndefined();
    await kv.set('webhook.secret', 's1');
    await kv.set('webhook.secret', 's2');
    await kv.set('other', '');
    await kv.set('unicode', 'ünï ✓ "q" \\ \n');
    expect(await kv.get('webhook.secret')).toBe('s2');
    expect(await kv.get('other')).toBe('');
    expect(await kv.get('unicode')).toBe('ünï ✓ "q" \\ \n');
    expect(await kv.get('Webhook.secret')).toBeUndefined();
    await kv.close();
    await expect(kv.get('other')).rejects.toThrow(/closed/);
  });

  it('values persist across stores; two nodes opening at once migrate once', async () => {
    const [a, b] = await Promise.all([PostgresKeyValueStore.open({ pool }), PostgresKeyValueStore.open({ pool })]);
    await a.set('k', 'v');
    expect(await b.get('k')).toBe('v');
    const applied = await pool.query('SELECT id FROM schema_migrations WHERE id = $1', [KV_MIGRATIONS[0]!.id]);
    expect(applied.rowCount).toBe(1);
  });

  it('setIfAbsent: the first writer wins, racing writers all get the stored value', async () => {
    const [a, b] = await Promise.all([PostgresKeyValueStore.open({ pool }), PostgresKeyValueStore.open({ pool })]);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).setIfAbsent('race', `v${i}`)));
    const stored = await a.get('race');
    expect(stored).toMatch(/^v\d$/);
    expect(new Set(answers)).toEqual(new Set([stored]));
    expect(await b.setIfAbsent('race', 'later')).toBe(stored);
  });

  it('compareAndSet writes only over the expected value; entries lists a prefix literally, in key order; delete', async () => {
    const kv = await PostgresKeyValueStore.open({ pool });
    await kv.set('cas', 'one');
    expect(await kv.compareAndSet('cas', 'stale', 'x')).toBe(false);
    expect(await kv.compareAndSet('cas', 'one', 'two')).toBe(true);
    expect(await kv.get('cas')).toBe('two');
    await kv.set('q_/b', '2');
    await kv.set('q_/a', '1');
    await kv.set('qx/c', '3');
    expect(await kv.entries('q_/')).toEqual([['q_/a', '1'], ['q_/b', '2']]);
    expect(await kv.delete('q_/a')).toBe(true);
    expect(await kv.delete('q_/a')).toBe(false);
    expect(await kv.entries('q_/')).toEqual([['q_/b', '2']]);
  });

  it('never logs a value, and a failure names the key but not the value', async () => {
    const secret = 'whsec_TOP-SECRET-123';
    const spies = [
      vi.spyOn(console, 'log'),
      vi.spyOn(console, 'info'),
      vi.spyOn(console, 'warn'),
      vi.spyOn(console, 'error'),
      vi.spyOn(console, 'debug'),
      vi.spyOn(process.stdout, 'write'),
      vi.spyOn(process.stderr, 'write'),
    ];
    try {
      const kv = await PostgresKeyValueStore.open({ pool });
      await kv.set('secret', secret);
      expect(await kv.get('secret')).toBe(secret);
      await expect(kv.set('nul', `${secret}\u0000`)).rejects.toThrow(/nul/);
      await kv.set('nul', `${secret}\u0000`).catch((e: Error) => expect(e.message).not.toContain(secret));
      // a database failure: the table is gone
      await pool.query('ALTER TABLE kv RENAME TO kv_away');
      try {
        const error = await kv.set('secret', secret).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(error).toBeInstanceOf(Error);
        expect(error!.message).toContain('"secret"');
        expect(error!.message).not.toContain(secret);
        expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(secret);
        expect((error as Error & { cause?: unknown }).cause).toBeUndefined();
      } finally {
        await pool.query('ALTER TABLE kv_away RENAME TO kv');
      }
      for (const spy of spies) for (const call of spy.mock.calls) expect(String(call[0])).not.toContain(secret);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
