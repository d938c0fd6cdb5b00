import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCredentialSource } from './file-credential-source.js';

const dir = mkdtempSync(join(tmpdir(), 'patriot-creds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileCredentialSource', () => {
  it('reads an account\'s credentials on each call, so a rotated key is seen at once', async () => {
    const path = join(dir, 'creds.json');
    writeFileSync(path, JSON.stringify({ a1: { apiKey: 'k1', secret: 's1' }, a2: { apiKey: 'k2', secret: 's2', password: 'p2' } }));
    const source = new FileCredentialSource(path);
    expect(await source.credentialsFor('a1')).toEqual({ apiKey: 'k1', secret: 's1' });
    expect(await source.credentialsFor('a2')).toEqual({ apiKey: 'k2', secret: 's2', password: 'p2' });
    expect(await source.credentialsFor('nope')).toBeUndefined();
    writeFileSync(path, JSON.stringify({ a1: { apiKey: 'k1b', secret: 's1b' } }));
    expect(await source.credentialsFor('a1')).toEqual({ apiKey: 'k1b', secret: 's1b' });
  });

  it('refuses a missing file, bad JSON or a malformed entry, naming the account but never a value', async () => {
    await expect(new FileCredentialSource(join(dir, 'missing.json')).credentialsFor('a1')).rejects.toThrow(/cannot be read \(ENOENT\)/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "a1": { "apiKey": "TOPSECRETKEY", ');
    await expect(new FileCredentialSource(bad).credentialsFor('a1')).rejects.toThrow(/not valid JSON/);
    const malformed = join(dir, 'malformed.json');
    writeFileSync(malformed, JSON.stringify({ a1: { apiKey: 'TOPSECRETKEY', secret: 42 } }));
    const error = await new FileCredentialSource(malformed).credentialsFor('a1').catch((e: Error) => e);
    expect(String(error)).toMatch(/account a1/);
    expect(String(error)).not.toContain('TOPSECRETKEY');
  });
});
