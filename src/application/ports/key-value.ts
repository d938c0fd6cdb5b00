/** Port: small durable settings beside the log that must not be in it (e.g. webhook secrets). */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Stores the value only if the key has none; returns whatever the key holds afterwards (so racing writers agree). */
  setIfAbsent(key: string, value: string): Promise<string>;
  /** Replaces the value only if it is still `expected`; false (nothing written) when it changed meanwhile. */
  compareAndSet(key: string, expected: string, value: string): Promise<boolean>;
  /** Removes the key; false when it did not exist. */
  delete(key: string): Promise<boolean>;
  /** Every key starting with `prefix`, with its value, in key order. */
  entries(prefix: string): Promise<[string, string][]>;
}
