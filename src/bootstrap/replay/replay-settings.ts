import type { KeyValueStore } from '../../application/ports/key-value.js';
import { webhookSecretKey } from '../../application/commands/strategies.js';
import { webhookSigningKey } from '../../application/commands/webhook-signing.js';

const CACHED = [webhookSecretKey(''), webhookSigningKey('')];

/**
 * The replay's key-value store with its strategies' webhook secrets and signing keys kept once
 * read (and dropped when this store writes them). Live, those are cached for 2 s of the clock, to
 * follow changes made on other nodes; a replay's clock jumps from alert to alert, so each alert
 * read and unsealed them again — yet the replay's store has no other writer than this process.
 */
export function replaySettings(kv: KeyValueStore): KeyValueStore {
  const known = new Map<string, string | undefined>();
  /** writes begun: a read that overlapped one is not kept */
  let writes = 0;
  const cached = (key: string) => CACHED.some((prefix) => key.startsWith(prefix));
  const written = <T>(key: string, write: () => Promise<T>): Promise<T> => {
    writes++;
    known.delete(key);
    return write().finally(() => {
      writes++;
      known.delete(key);
    });
  };
  return {
    get: async (key) => {
      if (!cached(key)) return kv.get(key);
      if (known.has(key)) return known.get(key);
      const before = writes;
      const value = await kv.get(key);
      if (writes === before) known.set(key, value);
      return value;
    },
    set: (key, value) => written(key, () => kv.set(key, value)),
    setIfAbsent: (key, value) => written(key, () => kv.setIfAbsent(key, value)),
    compareAndSet: (key, expected, value) => written(key, () => kv.compareAndSet(key, expected, value)),
    delete: (key) => written(key, () => kv.delete(key)),
    entries: (prefix) => kv.entries(prefix),
  };
}
