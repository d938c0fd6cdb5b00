/**
 * Small deterministic pseudo-random generator (no Math.random anywhere in the simulators).
 *
 * A 32-bit Weyl sequence finalised with the murmur3 mix: period 2^32, good enough statistics
 * for a market simulator, identical output for the same seed on every platform (only 32-bit
 * integer arithmetic). Not cryptographic.
 */

const GOLDEN_GAMMA = 0x9e3779b9;

/** murmur3 32-bit finaliser: avalanches every input bit over the output. */
export function mix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return z >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string, then mixed. */
export function hashString(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

export type Seed = number | string;

/** Normalises a seed (any integer or string) to 32 bits. */
export function seedToUint32(seed: Seed): number {
  if (typeof seed === 'string') return hashString(seed);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
  const int = Math.trunc(seed);
  // fold the high bits in so 2^32 + 1 and 1 differ
  const high = Math.floor(int / 0x1_0000_0000);
  return mix32((int >>> 0) ^ mix32(high));
}

/** Derives an independent 32-bit seed from a base seed and some labels (symbol, order id, ...). */
export function deriveSeed(seed: Seed, ...parts: readonly (string | number)[]): number {
  let h = seedToUint32(seed);
  for (const part of parts) h = hashString(String(part), h ^ 0x811c9dc5);
  return h;
}

export class SeededRandom {
  private state: number;

  constructor(seed: Seed) {
    this.state = seedToUint32(seed);
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + GOLDEN_GAMMA) | 0;
    return mix32(this.state);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** Uniform integer in [min, max] (inclusive); rejection sampling, no modulo bias. */
  nextInt(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new RangeError(`bad range [${min}, ${max}]`);
    const span = max - min + 1;
    if (span > 0x1_0000_0000) throw new RangeError('range wider than 2^32');
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % span);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return min + (r % span);
    }
  }

  /**
   * Approximately standard normal (Irwin-Hall: sum of 12 uniforms minus 6). Bounded to
   * [-6, 6] and uses additions only, so it is bit-for-bit reproducible.
   */
  nextGaussian(): number {
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += this.next();
    return sum - 6;
  }

  /** Internal state, to persist and resume a sequence. */
  getState(): number {
    return this.state >>> 0;
  }

  setState(state: number): void {
    this.state = state | 0;
  }
}
