import type { KeyValueStore } from '../../application/ports/key-value.js';
import { DecryptionError, isSealed, open, rewrap, seal, type Sealed } from '../crypto/envelope.js';
import type { Keyring } from './sealed-vault.js';
import { OUTBOUND_SECRET_PREFIX } from '../../application/notify/endpoint-store.js';
import { TELEGRAM_SECRET_PREFIX } from '../../application/notify/telegram/telegram-store.js';

/** Where strategies' webhook secrets live in the settings store. */
export const WEBHOOK_SECRET_PREFIX = 'webhook-secret/';
/** Where strategies' signing keys for signed alerts live (with whether a signature is required). */
export const WEBHOOK_SIGNING_PREFIX = 'webhook-signing/';
/** Outbound webhook endpoints' URL and signing secret (application/notify/endpoint-store.ts). */
export { OUTBOUND_SECRET_PREFIX };
/** Telegram bot tokens, one per tenant (application/notify/telegram/telegram-store.ts). */
export { TELEGRAM_SECRET_PREFIX };
const SEALED_PREFIXES = [WEBHOOK_SECRET_PREFIX, WEBHOOK_SIGNING_PREFIX, OUTBOUND_SECRET_PREFIX, TELEGRAM_SECRET_PREFIX] as const;

const prefixOf = (key: string) => SEALED_PREFIXES.find((p) => key.startsWith(p));
const isSecretKey = (key: string) => prefixOf(key) !== undefined;
/** Binds a sealed secret to its strategy and its kind: copied to another row, it does not open. */
const contextOf = (key: string) => {
  const prefix = prefixOf(key)!;
  return `${key.slice(prefix.length)}|${prefix.slice(0, -1)}`;
};
/** what a signing key that does not open reads as: not a setting, so every alert is refused (never fail open) */
const UNOPENED_SIGNING = 'unreadable';

function sealedOf(raw: string): Sealed | undefined {
  if (!raw.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(raw) as { sealed?: unknown };
    return isSealed(parsed.sealed) ? parsed.sealed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The settings store, with strategies' webhook secrets sealed at rest (AES-256-GCM envelope under
 * the master key, the strategy bound as associated data), as exchange keys are: a copy of the
 * database shows no secret. Everything else passes through unchanged. Reads open the value (a
 * secret written before sealing existed is read as it is, until `sealWebhookSecrets` seals it at
 * start-up). The plaintext is needed again (test alerts, the demo banner), so it is sealed rather
 * than hashed.
 */
export function sealingWebhookSecrets(kv: KeyValueStore, keys: Keyring): KeyValueStore {
  const sealValue = (key: string, value: string) => JSON.stringify({ sealed: seal(keys.current, value, contextOf(key)) });
  const openValue = (key: string, raw: string) => {
    const sealed = sealedOf(raw);
    return sealed ? open(keys.all, sealed, contextOf(key)) : raw;
  };
  /**
   * A value that does not open (moved from another strategy's row, or sealed under a key this node
   * lacks) is no secret: alerts are refused 401; a signing key that does not open refuses every alert.
   */
  const openOrNone = (key: string, raw: string) => {
    try {
      return openValue(key, raw);
    } catch (error) {
      if (error instanceof DecryptionError) return key.startsWith(WEBHOOK_SIGNING_PREFIX) ? UNOPENED_SIGNING : undefined;
      throw error;
    }
  };
  return {
    get: async (key) => {
      const raw = await kv.get(key);
      return raw !== undefined && isSecretKey(key) ? openOrNone(key, raw) : raw;
    },
    set: (key, value) => kv.set(key, isSecretKey(key) ? sealValue(key, value) : value),
    setIfAbsent: async (key, value) => {
      if (!isSecretKey(key)) return kv.setIfAbsent(key, value);
      return openValue(key, await kv.setIfAbsent(key, sealValue(key, value)));
    },
    compareAndSet: async (key, expected, value) => {
      if (!isSecretKey(key)) return kv.compareAndSet(key, expected, value);
      const raw = await kv.get(key);
      if (raw === undefined || openValue(key, raw) !== expected) return false;
      return kv.compareAndSet(key, raw, sealValue(key, value));
    },
    delete: (key) => kv.delete(key),
    entries: async (prefix) => (await kv.entries(prefix)).map(([key, raw]) => [key, isSecretKey(key) ? openValue(key, raw) : raw]),
  };
}

/**
 * Seals every webhook secret (and signing key) still stored in plain text (written before secrets were sealed), and
 * re-wraps sealed ones under the current master key when `rewrapOld` (patriot rotate-master-key).
 * Compare-and-set: a secret rotated meanwhile is left as its writer stored it. Idempotent; safe
 * with several nodes starting at once.
 */
export async function sealWebhookSecrets(kv: KeyValueStore, keys: Keyring, rewrapOld = false): Promise<{ sealed: number; rewrapped: number }> {
  const counts = { sealed: 0, rewrapped: 0 };
  for (const [key, raw] of (await Promise.all(SEALED_PREFIXES.map((p) => kv.entries(p)))).flat()) {
    const sealed = sealedOf(raw);
    if (!sealed) {
      if (await kv.compareAndSet(key, raw, JSON.stringify({ sealed: seal(keys.current, raw, contextOf(key)) }))) counts.sealed++;
    } else if (rewrapOld && sealed.kek !== keys.current.id) {
      if (await kv.compareAndSet(key, raw, JSON.stringify({ sealed: rewrap(keys.all, keys.current, sealed, contextOf(key)) }))) counts.rewrapped++;
    }
  }
  return counts;
}
