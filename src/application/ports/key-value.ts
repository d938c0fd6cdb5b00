/** Port: small durable settings beside the log that must not be in it (e.g. webhook secrets). */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Stores the value only if the key has none; returns whatever the key holds afterwards (so racing writers agree). */
  setIfAbsent(key: string, value: string): Promise<string>;
}
