import type { Clock, IdGenerator } from '../../application/ports/clock.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case, as RandomIds

const base32 = (value: number, length: number): string => {
  let out = '';
  for (let i = 0, v = value; i < length; i++, v = Math.floor(v / 32)) out = ALPHABET[v % 32]! + out;
  return out;
};

/**
 * The replay's ids: the shape of RandomIds (prefix, 10 chars of the clock's time, 16 more) with a
 * counter for the randomness, so the same history makes the same signal ids, hence the same client
 * order ids and the same seeded partial fills of the paper exchange: the same report every time.
 */
export class SequentialIds implements IdGenerator {
  private counter = 0;

  constructor(private readonly clock: Clock) {}

  next(prefix: string): string {
    return `${prefix}_${base32(this.clock.now(), 10)}${base32(++this.counter, 16)}`;
  }
}
