/** Reconnect delays: exponential in the number of consecutive failures, with jitter. */
export interface BackoffOptions {
  /** delay after the first failure (before jitter). Default 250 ms. */
  readonly initialMs?: number;
  /** cap. Default 30 s. */
  readonly maxMs?: number;
}

/**
 * The delay before attempt `failures` (1 = after the first failure): initial * 2^(failures-1),
 * capped, then "equal jitter" (between half and all of it) so the two connections and many
 * processes do not reconnect in step. `random` returns [0, 1).
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number): number {
  const initial = options.initialMs ?? 250;
  const max = options.maxMs ?? 30_000;
  if (failures <= 0) return 0;
  const exp = Math.min(max, initial * 2 ** Math.min(failures - 1, 30));
  return Math.round(exp / 2 + (exp / 2) * random());
}
