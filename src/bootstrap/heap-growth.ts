import { setFlagsFromString } from 'node:v8';

/**
 * Tells V8 how far the heap may grow past what its last full collection kept (ADR-0029,
 * `PATRIOT_HEAP_GROWING_PERCENT`). Left to itself, V8 picked a factor of up to 4 under a burst of
 * alerts (a high allocation rate on two busy cores): the heap reached ~3-4 times the live data,
 * and resident memory 330-390 MB for ~60 MB live. A fixed 50 % holds the same bursts to ~240-260 MB
 * at the same throughput. It is not a cap: the heap still grows as far as the live data needs.
 * 0 hands the choice back to V8. Process-wide: the last start's setting holds.
 */
export function applyHeapGrowth(percent: number, setFlags: (flags: string) => void = setFlagsFromString): void {
  if (!Number.isSafeInteger(percent) || percent < 0 || percent > 1000) throw new RangeError(`heap growing percent must be an integer from 0 to 1000, got ${percent}`);
  setFlags(`--heap-growing-percent=${percent}`);
}
