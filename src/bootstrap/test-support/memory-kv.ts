import type { KeyValueStore } from '../../application/ports/key-value.js';

/** A key-value store in memory, for specs. */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly values = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    if (!this.values.has(key)) this.values.set(key, value);
    return this.values.get(key)!;
  }

  async compareAndSet(key: string, expected: string, value: string): Promise<boolean> {
    if (this.values.get(key) !== expected) return false;
    this.values.set(key, value);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.values.delete(key);
  }

  async entries(prefix: string): Promise<[string, string][]> {
    return [...this.values.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
