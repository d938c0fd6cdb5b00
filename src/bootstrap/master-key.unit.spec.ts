import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.js';
import { loadKeyring } from './master-key.js';

const dir = mkdtempSync(join(tmpdir(), 'patriot-master-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('master keys', () => {
  it('without configuration, creates one key file (0600) in the data directory once, and keeps using it', () => {
    const dataDir = join(dir, 'data');
    const generated: string[] = [];
    const first = loadKeyring(loadConfig({}, { dataDir }), (p) => generated.push(p));
    const second = loadKeyring(loadConfig({}, { dataDir }), (p) => generated.push(p));
    expect(generated).toEqual([join(dataDir, 'master.key')]);
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(second.current.id).toBe(first.current.id);
  });

  it('takes PATRIOT_MASTER_KEY (base64 or hex) or a key file, and the previous key for rotation; refuses a key of the wrong size', () => {
    const key = randomBytes(32);
    const previous = randomBytes(32);
    const fromB64 = loadKeyring(loadConfig({ PATRIOT_MASTER_KEY: key.toString('base64'), PATRIOT_MASTER_KEY_PREVIOUS: previous.toString('hex') }));
    const fromHex = loadKeyring(loadConfig({ PATRIOT_MASTER_KEY: key.toString('hex') }));
    expect(fromHex.current.id).toBe(fromB64.current.id);
    expect(fromB64.all.size).toBe(2);
    const file = join(dir, 'key.txt');
    writeFileSync(file, `${key.toString('base64')}\n`);
    expect(loadKeyring(loadConfig({ PATRIOT_MASTER_KEY_FILE: file })).current.id).toBe(fromB64.current.id);
    expect(() => loadKeyring(loadConfig({ PATRIOT_MASTER_KEY: randomBytes(16).toString('base64') }))).toThrow(/32 bytes/);
    let message = '';
    try {
      loadKeyring(loadConfig({ PATRIOT_MASTER_KEY: 'not-a-key-at-all' }));
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/PATRIOT_MASTER_KEY must be 32 bytes/);
    expect(message).not.toContain('not-a-key-at-all');
    expect(readFileSync(file, 'utf8')).toContain(key.toString('base64'));
  });
});
