import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { kekFrom, type Kek } from '../adapters/crypto/envelope.js';
import type { Keyring } from '../adapters/credentials/sealed-vault.js';
import { ConfigError, type PatriotConfig } from './config.js';
import type { KeyValueStore } from '../application/ports/key-value.js';

/** 32 bytes from base64 or hex (64 hex digits). */
function decodeKey(text: string, what: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new ConfigError(`${what} must be 32 bytes, base64 or 64 hex digits (e.g. \`openssl rand -base64 32\`)`);
  return key;
}

/**
 * The master keys. PATRIOT_MASTER_KEY (or the file PATRIOT_MASTER_KEY_FILE names) seals new
 * credentials; PATRIOT_MASTER_KEY_PREVIOUS keeps the one being rotated away readable. With
 * neither set, a key is created once in the data directory (`master.key`, mode 0600) — fine on a
 * laptop; with PostgreSQL or several nodes, set PATRIOT_MASTER_KEY on every node instead.
 */
export function loadKeyring(config: PatriotConfig, onGenerated: (path: string) => void = () => undefined): Keyring {
  let current: Kek;
  if (config.masterKey !== undefined) current = kekFrom(decodeKey(config.masterKey, 'PATRIOT_MASTER_KEY'));
  else if (config.masterKeyFile !== undefined) current = kekFrom(decodeKey(readFileSync(config.masterKeyFile, 'utf8'), `the key in ${config.masterKeyFile}`));
  else {
    const path = join(config.dataDir, 'master.key');
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      // written aside, then linked into place: atomic, and two nodes starting at once keep one key
      const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(aside, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(aside, 0o600);
      try {
        linkSync(aside, path);
        onGenerated(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        unlinkSync(aside);
      }
    }
    current = kekFrom(decodeKey(readFileSync(path, 'utf8'), `the key in ${path}`));
  }
  const all = new Map<string, Kek>([[current.id, current]]);
  if (config.masterKeyPrevious !== undefined) {
    const previous = kekFrom(decodeKey(config.masterKeyPrevious, 'PATRIOT_MASTER_KEY_PREVIOUS'));
    all.set(previous.id, previous);
  }
  return { current, all };
}

/** Where the database records the fingerprint of the master key its secrets are sealed with. */
export const MASTER_KEY_FINGERPRINT = 'master-key-fingerprint';

/**
 * Refuses to run with a master key other than the database's: a node with another key could read
 * none of the sealed exchange keys and would sign tokens no other node accepts. The first node
 * records its key's fingerprint (a truncated SHA-256, not the key); during a rotation the recorded
 * one may be PATRIOT_MASTER_KEY_PREVIOUS, and `rotate-master-key` records the new one when done.
 */
export async function checkMasterKey(kv: Pick<KeyValueStore, 'get' | 'setIfAbsent'>, keyring: Keyring): Promise<void> {
  await kv.setIfAbsent(MASTER_KEY_FINGERPRINT, keyring.current.id);
  const recorded = await kv.get(MASTER_KEY_FINGERPRINT);
  if (recorded === undefined || keyring.all.has(recorded)) return;
  throw new ConfigError(
    `this node's master key (fingerprint ${keyring.current.id}) is not the database's (fingerprint ${recorded}): every node must share one PATRIOT_MASTER_KEY; ` +
      'to replace it, set the new one as PATRIOT_MASTER_KEY and the old one as PATRIOT_MASTER_KEY_PREVIOUS, then run `patriot rotate-master-key`',
  );
}
