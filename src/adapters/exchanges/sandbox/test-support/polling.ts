/**
 * Waiting for positive states in the market-data specs: poll (or re-watch) until a condition
 * holds, with a generous overall timeout that fails with the last value seen.
 */
export async function until<T>(next: () => Promise<T>, holds: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    const remaining = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const value = await Promise.race([
      next(),
      new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), remaining))),
    ]).finally(() => clearTimeout(timer));
    if (value === TIMED_OUT) break;
    last = value;
    if (holds(value)) return value;
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)?.slice(0, 500)}`);
}

const TIMED_OUT = Symbol('timed out');

/** Polls a synchronous condition every few milliseconds. */
export function eventually(holds: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return until(() => new Promise<boolean>((resolve) => setTimeout(() => resolve(holds()), 10)), (ok) => ok, what, timeoutMs).then(() => undefined);
}
