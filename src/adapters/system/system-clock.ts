import { randomBytes } from 'node:crypto';
import type { Clock, IdGenerator } from '../../application/ports/clock.js';

export const systemClock: Clock = { now: () => Date.now() };

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/**
 * Time-sortable ids: prefix + 10 chars of millisecond time + 16 chars of randomness
 * (80 bits from the OS CSPRNG, drawn in pooled chunks).
 */
export class RandomIds implements IdGenerator {
  private pool = Buffer.alloc(0);
  private offset = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  next(prefix: string): string {
    let time = this.clock.now();
    let head = '';
    for (let i = 0; i < 10; i++) {
      head = ALPHABET[time % 32]! + head;
      time = Math.floor(time / 32);
    }
    if (this.offset + 10 > this.pool.length) {
      this.pool = randomBytes(4096);
      this.offset = 0;
    }
    let tail = '';
    for (let i = 0; i < 16; i++) tail += ALPHABET[this.pool[this.offset + (i >> 1) + 0]! >> ((i & 1) * 4) & 31]!;
    this.offset += 10;
    return `${prefix}_${head}${tail}`;
  }
}
