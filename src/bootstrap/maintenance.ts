import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { KvAuth, signingKeyFrom } from '../adapters/auth/kv-auth.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { registerUser } from '../application/commands/configure.js';
import { sealWebhookSecrets } from '../adapters/credentials/sealed-webhook-secrets.js';
import { KeyedMutex } from '../application/shared/keyed-mutex.js';
import { existsSync } from 'node:fs';
import { ProjectionRunner } from '../application/projections/projection-runner.js';
import { ProcessorRunner } from '../application/processors/processor-runner.js';
import { registeredProcessors } from '../application/processors/registry.js';
import type { EventStore } from '../application/ports/event-store.js';
import type { ProjectionStore } from '../application/ports/projection-store.js';
import { LEADER_LEASE } from '../application/workflows/lease-keeper.js';
import type { PatriotConfig } from './config.js';
import { MASTER_KEY_FINGERPRINT, loadKeyring } from './master-key.js';
import { SealedCredentialVault } from '../adapters/credentials/sealed-vault.js';
import { openStorage, type OpenOptions, type Storage } from './storage.js';

/** Opens an existing log (a maintenance command must never create a fresh, empty one). */
async function openExisting(config: PatriotConfig, options: OpenOptions = {}): Promise<Storage> {
  if (!config.databaseUrl) {
    const path = join(config.dataDir, 'patriot.db');
    if (!existsSync(path)) throw new Error(`no event log at ${path} (set PATRIOT_DATA_DIR)`);
  }
  return openStorage(config, () => undefined, options);
}

/**
 * `patriot verify`: recomputes the hash chain from the start and reports the first broken position,
 * with the last good position and the streams of both when they can be read (a damaged file
 * stops the check where it can no longer be read).
 */
export async function verifyLog(config: PatriotConfig): Promise<Record<string, unknown> & { ok: boolean }> {
  const storage = await openExisting(config, { derived: 'skip' }); // the log alone: read models are not looked at
  try {
    const result = await storage.events.verifyChain();
    if (result.ok) return { ok: true, eventsChecked: result.eventsChecked, lastPosition: result.lastPosition };
    const streamAt = async (position: number): Promise<string | undefined> => {
      if (position < 1) return undefined;
      try {
        return (await storage.events.readAll(position - 1, 1)).find((e) => e.globalPosition === position)?.streamId;
      } catch {
        return undefined; // unreadable there
      }
    };
    const lastGoodPosition = result.brokenAt - 1;
    const [brokenStream, lastGoodStream] = [await streamAt(result.brokenAt), await streamAt(lastGoodPosition)];
    return {
      ok: false, eventsChecked: result.eventsChecked, brokenAt: result.brokenAt,
      ...(brokenStream !== undefined ? { brokenStream } : {}),
      lastGoodPosition,
      ...(lastGoodStream !== undefined ? { lastGoodStream } : {}),
      reason: result.reason,
    };
  } finally {
    await storage.close();
  }
}

/**
 * `patriot rebuild-read-models`: keeps the event log as it is, empties the read models and the
 * portfolio snapshots, binds them to this log and projects the whole log again. For a data
 * directory whose log is behind or other than its read models, when no backup of the log is to be
 * restored. Every server on the data directory must be stopped first.
 */
export async function rebuildReadModels(config: PatriotConfig): Promise<Record<string, unknown>> {
  // without a log file at all, a new empty one is made: the operator chose to start over
  const storage = await openStorage(config, () => undefined, { derived: 'rebuild' });
  try {
    if (!(await storage.leases.tryAcquire(LEADER_LEASE))) {
      throw new Error('a running PATRIOT node leads on this database (it projects the read models); stop the nodes before rebuilding');
    }
    // the log may be another than the one the documents were made from: the processors' documents go too, and are made again
    await storage.readModels.reset({ processors: true });
    const runner = new ProjectionRunner(storage.events, storage.readModels);
    const projected = await runner.rebuild();
    await catchUpDocumentProcessors(storage.events, storage.readModels);
    return { rebuilt: true, eventsProjected: projected, lastPosition: await storage.events.headPosition(), readModels: await digestReadModels(storage.readModels) };
  } finally {
    await storage.close();
  }
}

/** Brings every processor whose documents live with the read models up to the head of the log (from 0 after a full reset). */
async function catchUpDocumentProcessors(events: EventStore, readModels: ProjectionStore): Promise<void> {
  for (const processor of registeredProcessors({ events, readModels })) {
    if (!processor.rebuiltWithReadModels || processor.runsOn === 'account-owner') continue;
    const runner = new ProcessorRunner(events, processor);
    await runner.start();
    await runner.stop();
  }
}

/** A digest of every read-model document, to compare read models built at different times. */
export async function digestReadModels(store: ProjectionStore): Promise<{ documents: number; sha256: string }> {
  const docs = [...(await canonicalDocuments(store)).values()];
  docs.sort();
  return { documents: docs.length, sha256: createHash('sha256').update(docs.join('\n')).digest('hex') };
}

/** Every read-model document in a canonical text form, by collection and id. */
async function canonicalDocuments(store: ProjectionStore): Promise<Map<string, string>> {
  const docs = new Map<string, string>();
  for (const d of await store.loadAll()) {
    docs.set(`${d.collection}/${d.tenantId}/${d.id}`, JSON.stringify([d.collection, d.tenantId, d.id, d.accountId ?? null, d.strategyId ?? null, d.signalId ?? null, d.seq, sortKeys(d.data)]));
  }
  return docs;
}

/** The first documents that differ between two canonical sets (what an operator needs to see when a replay is not identical). */
function firstDifferences(before: Map<string, string>, after: Map<string, string>, most = 5): { document: string; live?: string; rebuilt?: string }[] {
  const out: { document: string; live?: string; rebuilt?: string }[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const [live, rebuilt] = [before.get(key), after.get(key)];
    if (live === rebuilt) continue;
    out.push({ document: key, ...(live !== undefined ? { live } : {}), ...(rebuilt !== undefined ? { rebuilt } : {}) });
    if (out.length >= most) break;
  }
  return out;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  return value;
}

/**
 * `patriot replay`: rebuilds all read models from the log and reports whether they equal
 * the ones the server kept. It takes the leader lease first, so on PostgreSQL it refuses to run
 * while a node is projecting (stop the nodes first); `verify` needs no lease.
 */
export async function replayProjections(config: PatriotConfig): Promise<Record<string, unknown> & { identical: boolean }> {
  const storage = await openExisting(config);
  const { events, readModels } = storage;
  try {
    if (!(await storage.leases.tryAcquire(LEADER_LEASE))) {
      throw new Error('a running PATRIOT node leads on this database (it projects the read models); stop the nodes before replay');
    }
    const live = new ProjectionRunner(events, readModels);
    await live.start(); // bring the existing read models (and the processors' documents) up to the head first
    await live.stop();
    await catchUpDocumentProcessors(events, readModels);
    const liveDocs = await canonicalDocuments(readModels);
    const before = await digestReadModels(readModels);
    const started = process.hrtime.bigint();
    await readModels.reset({ processors: true });
    const projected = await live.rebuild();
    await catchUpDocumentProcessors(events, readModels);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const after = await digestReadModels(readModels);
    const identical = before.sha256 === after.sha256;
    return {
      eventsProjected: projected, seconds: Number(seconds.toFixed(3)), eventsPerSecond: Math.round(projected / Math.max(seconds, 1e-9)), before, after, identical,
      ...(identical ? {} : { differences: firstDifferences(liveDocs, await canonicalDocuments(readModels)) }),
    };
  } finally {
    await storage.close();
  }
}

/**
 * `patriot rotate-master-key`: with the new key in PATRIOT_MASTER_KEY and the old one in
 * PATRIOT_MASTER_KEY_PREVIOUS (on every node too, so they read both meanwhile), re-wraps every
 * stored credential under the new key. Servers keep running; afterwards the old key can go.
 */
export async function rotateMasterKey(config: PatriotConfig): Promise<Record<string, unknown>> {
  if (config.masterKeyPrevious === undefined) throw new Error('set PATRIOT_MASTER_KEY_PREVIOUS to the key being replaced (and PATRIOT_MASTER_KEY to the new one)');
  const keyring = loadKeyring(config);
  const storage = await openExisting(config);
  try {
    const result = await new SealedCredentialVault(storage.kv, keyring).rotate();
    // webhook secrets are sealed under the master key too
    const webhookSecrets = await sealWebhookSecrets(storage.kv, keyring, true);
    // from now on, a node still on the old key alone refuses to start
    await storage.kv.set(MASTER_KEY_FINGERPRINT, keyring.current.id);
    return { ...result, webhookSecretsRewrapped: webhookSecrets.rewrapped, webhookSecretsSealed: webhookSecrets.sealed, masterKey: keyring.current.id };
  } finally {
    await storage.close();
  }
}

/**
 * `patriot create-admin <username>`: a new tenant with its first user, an admin who can log in.
 * The password comes from PATRIOT_ADMIN_PASSWORD, or is generated and returned (shown once).
 */
export async function createAdmin(config: PatriotConfig, username: string, given?: string): Promise<Record<string, string>> {
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(username)) throw new Error('a username is 1-64 letters, digits or ._@-');
  if (given !== undefined && given.length < 12) throw new Error('PATRIOT_ADMIN_PASSWORD must be at least 12 characters');
  const keyring = loadKeyring(config);
  const storage = await openStorage(config, () => undefined);
  try {
    const auth = new KvAuth({ kv: storage.kv, clock: systemClock, signingKey: signingKeyFrom(keyring.current.key) });
    const tenantId = `tnt_${randomBytes(6).toString('hex')}`;
    const userId = `usr_${randomBytes(6).toString('hex')}`;
    const registered = await registerUser({ store: storage.events, mutex: new KeyedMutex(), clock: systemClock }, { userId, tenantId, name: username, role: 'admin' }, 'cli:create-admin');
    if (!registered.ok) throw new Error(registered.error.message);
    const password = given ?? randomBytes(18).toString('base64url');
    await auth.setLogin(username, { userId, tenantId, role: 'admin' }, password);
    // names are per tenant: another tenant's `username` is no obstacle (log in with "tenant" when both share a password)
    return { username, userId, tenantId, ...(given === undefined ? { password } : {}) };
  } finally {
    await storage.close();
  }
}
