import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Envelope encryption with AES-256-GCM (node:crypto): every secret gets its own random 256-bit
 * data key (DEK); the DEK is encrypted ("wrapped") by a key-encryption key (KEK, the master key).
 * Both layers bind the same associated data (e.g. tenant|account|purpose), so a sealed value
 * cannot be moved to another row or tenant: decryption fails. A 96-bit random IV per encryption;
 * each key encrypts one value (the DEK) or wraps few (the KEK), far below GCM's limits.
 */
export interface Sealed {
  /** format version */
  readonly v: 1;
  /** id of the KEK that wrapped the data key (first 16 hex of SHA-256 of the key) */
  readonly kek: string;
  /** base64: iv (12) | tag (16) | wrapped data key (32) */
  readonly dek: string;
  /** base64: iv (12) | tag (16) | ciphertext */
  readonly data: string;
}

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

const IV = 12;
const TAG = 16;

/** A key-encryption key: 32 bytes and its public id. */
export interface Kek {
  readonly id: string;
  readonly key: Buffer;
}

export function kekFrom(key: Buffer): Kek {
  if (key.length !== 32) throw new RangeError('a master key must be 32 bytes (256 bits)');
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function decrypt(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV + TAG) throw new DecryptionError('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(IV, IV + TAG));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(IV + TAG)), decipher.final()]);
  } catch {
    // never say more: which part failed is of use to an attacker only
    throw new DecryptionError('cannot decrypt: wrong key, or the value or its context was altered');
  }
}

export function seal(kek: Kek, plaintext: string, context: string): Sealed {
  const aad = Buffer.from(context, 'utf8');
  const dataKey = randomBytes(32);
  try {
    const data = encrypt(dataKey, Buffer.from(plaintext, 'utf8'), aad);
    const dek = encrypt(kek.key, dataKey, Buffer.concat([Buffer.from('dek|'), aad]));
    return { v: 1, kek: kek.id, dek: dek.toString('base64'), data: data.toString('base64') };
  } finally {
    dataKey.fill(0);
  }
}

export function open(keks: ReadonlyMap<string, Kek>, sealed: Sealed, context: string): string {
  const kek = keks.get(sealed.kek);
  if (!kek) throw new DecryptionError(`the master key ${sealed.kek} that sealed this value is not configured`);
  const aad = Buffer.from(context, 'utf8');
  const dataKey = decrypt(kek.key, Buffer.from(sealed.dek, 'base64'), Buffer.concat([Buffer.from('dek|'), aad]));
  try {
    return decrypt(dataKey, Buffer.from(sealed.data, 'base64'), aad).toString('utf8');
  } finally {
    dataKey.fill(0);
  }
}

/** The same value under another KEK: only the wrapped data key changes (the data is not re-encrypted). */
export function rewrap(keks: ReadonlyMap<string, Kek>, to: Kek, sealed: Sealed, context: string): Sealed {
  if (sealed.kek === to.id) return sealed;
  const from = keks.get(sealed.kek);
  if (!from) throw new DecryptionError(`the master key ${sealed.kek} that sealed this value is not configured`);
  const aad = Buffer.concat([Buffer.from('dek|'), Buffer.from(context, 'utf8')]);
  const dataKey = decrypt(from.key, Buffer.from(sealed.dek, 'base64'), aad);
  try {
    return { ...sealed, kek: to.id, dek: encrypt(to.key, dataKey, aad).toString('base64') };
  } finally {
    dataKey.fill(0);
  }
}

export function isSealed(value: unknown): value is Sealed {
  const v = value as Partial<Sealed> | null;
  return typeof v === 'object' && v !== null && v.v === 1 && typeof v.kek === 'string' && typeof v.dek === 'string' && typeof v.data === 'string';
}
