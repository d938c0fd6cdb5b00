import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DecryptionError, kekFrom, open, rewrap, seal, type Sealed } from './envelope.js';

const kek = kekFrom(randomBytes(32));
const other = kekFrom(randomBytes(32));
const ring = new Map([[kek.id, kek]]);
const CONTEXT = 'tenant-a|acc-1|exchange-credentials';

const flip = (b64: string, at: number): string => {
  const b = Buffer.from(b64, 'base64');
  b[at] = b[at]! ^ 0x01;
  return b.toString('base64');
};

describe('envelope encryption (AES-256-GCM, a data key per value wrapped by the master key)', () => {
  it('round-trips; the sealed form holds neither the plaintext nor the same bytes twice', () => {
    const a = seal(kek, 'my-secret-key', CONTEXT);
    const b = seal(kek, 'my-secret-key', CONTEXT);
    expect(open(ring, a, CONTEXT)).toBe('my-secret-key');
    expect(JSON.stringify(a)).not.toContain('my-secret');
    expect(a.data).not.toBe(b.data); // fresh data key and IV each time
    expect(a.dek).not.toBe(b.dek);
    expect(a.kek).toBe(kek.id);
  });

  it('fails closed on a tampered ciphertext, tag or wrapped key, on another context (tenant/row), and with a wrong master key', () => {
    const s = seal(kek, 'plain-4f8a', CONTEXT);
    const tamper = (over: Partial<Sealed>) => () => open(ring, { ...s, ...over }, CONTEXT);
    expect(tamper({ data: flip(s.data, 30) })).toThrow(DecryptionError); // ciphertext
    expect(tamper({ data: flip(s.data, 14) })).toThrow(DecryptionError); // tag
    expect(tamper({ data: flip(s.data, 2) })).toThrow(DecryptionError); // iv
    expect(tamper({ dek: flip(s.dek, 40) })).toThrow(DecryptionError); // wrapped data key
    expect(() => open(ring, s, 'tenant-b|acc-1|exchange-credentials')).toThrow(DecryptionError);
    expect(() => open(new Map([[kek.id, { id: kek.id, key: other.key }]]), s, CONTEXT)).toThrow(DecryptionError);
    expect(() => open(new Map([[other.id, other]]), s, CONTEXT)).toThrow(/not configured/);
    try {
      open(ring, { ...s, data: flip(s.data, 30) }, CONTEXT);
    } catch (error) {
      expect(String(error)).not.toContain('plain-4f8a');
    }
  });

  it('rewraps under a new master key without touching the data; the old key is then not needed', () => {
    const s = seal(kek, 'rotate me', CONTEXT);
    const both = new Map([[kek.id, kek], [other.id, other]]);
    const moved = rewrap(both, other, s, CONTEXT);
    expect(moved.kek).toBe(other.id);
    expect(moved.data).toBe(s.data);
    expect(open(new Map([[other.id, other]]), moved, CONTEXT)).toBe('rotate me');
    expect(rewrap(both, other, moved, CONTEXT)).toBe(moved); // already there
    expect(() => rewrap(both, other, s, 'tenant-b|acc-1|exchange-credentials')).toThrow(DecryptionError);
  });

  it('refuses a master key that is not 256 bits', () => {
    expect(() => kekFrom(randomBytes(16))).toThrow(/32 bytes/);
  });
});
