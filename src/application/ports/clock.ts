/** Port: wall-clock time and ids, so the domain and application stay deterministic in tests. */
export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
}

export interface IdGenerator {
  /** Sortable unique id with a prefix, e.g. "sig_01H...". */
  next(prefix: string): string;
}
