import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../eventstore/sqlite/sqlite-event-store.js';
import { SqliteKeyValueStore } from './sqlite-key-value-store.js';
import { PostgresKeyValueStore } from './postgres-key-value-store.js';
import { createPool, type PgPool } from '../postgres/pool.js';
import { freshDatabase, testPgUrl } from '../../../test/support/postgres.js';
import { KvAlertRepeats } from './kv-alert-repeats.js';
import type { KeyValueStore } from '../../application/ports/key-value.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const stores: [string, () => Promise<KeyValueStore>][] = [
  ['SQLite', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    cleanups.push(() => events.close());
    return new SqliteKeyValueStore(events.database);
  }],
];
if (testPgUrl) {
  stores.push(['PostgreSQL', async () => {
    const db = await freshDatabase('repeats');
    const pool: PgPool = createPool(db.url, { max: 6 });
    cleanups.push(async () => {
      await pool.end();
      await db.drop();
    });
    return PostgresKeyValueStore.open({ pool });
  }]);
}

const at = (second: number) => new Date(Date.UTC(2026, 11, 6, 12, 0, second)).toISOString();

describe.each(stores)('KvAlertRepeats on %s', (_name, open) => {
  it('two nodes counting one signal at once: every repeat counted, the first logged by each node at most once, first/last time kept', async () => {
    const kv = await open();
    const nodes = [new KvAlertRepeats(kv), new KvAlertRepeats(kv)];
    let logged = 0;
    const logFirst = async () => {
      logged++;
    };
    const n = 60;
    const tallies = await Promise.all(Array.from({ length: n }, (_, i) => nodes[i % 2]!.count('sig_1', at(n - i), logFirst)));
    const final = (await nodes[0]!.tallies(['sig_1', 'sig_none'])).get('sig_1')!;
    expect(final.count).toBe(n);
    expect(final.firstAt).toBe(at(1));
    expect(final.lastAt).toBe(at(n));
    expect(logged).toBeGreaterThanOrEqual(1);
    expect(logged).toBeLessThanOrEqual(2); // each node logs the first it saw when none was counted yet
    expect(final.logged).toBe(logged);
    expect(Math.max(...tallies.map((t) => t.count))).toBe(n);
    expect((await nodes[1]!.tallies(['sig_none'])).size).toBe(0);
    // later repeats never log again
    await nodes[1]!.count('sig_1', at(0), logFirst);
    expect(logged).toBe(final.logged);
  });

  it('a failed log write counts nothing (the repeat is answered 503 and sent again)', async () => {
    const kv = await open();
    const repeats = new KvAlertRepeats(kv);
    await expect(repeats.count('sig_2', at(1), async () => { throw new Error('store away'); })).rejects.toThrow('store away');
    expect((await repeats.tallies(['sig_2'])).size).toBe(0);
    expect((await repeats.count('sig_2', at(2), async () => undefined)).count).toBe(1);
  });
});
