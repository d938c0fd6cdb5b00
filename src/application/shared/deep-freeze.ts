/** Values frozen all the way down by deepFreeze (a shallow Object.freeze elsewhere does not count). */
const deeplyFrozen = new WeakSet<object>();

/**
 * Freezes a JSON-like value and everything it holds, and remembers that it did: a value known to be
 * immutable may be shared between requests and have derived results (e.g. its serialised form)
 * kept beside it.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !deeplyFrozen.has(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
    deeplyFrozen.add(value);
  }
  return value;
}

/** True for a value deepFreeze froze: nothing in it can change. */
export function isDeeplyFrozen(value: object): boolean {
  return deeplyFrozen.has(value);
}
