/**
 * Ingest decides on what the log holds now, not on this node's lagging copy (issue 22): a secret
 * rotated on another node, a source list widened or a symbol map changed there a moment ago.
 * The catalog here is this node's folded copy; `catchUp` folds what another node wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { RandomIds, systemClock } from '../../adapters/system/system-clock.js';
import { PAPER_MARKETS } from '../../adapters/exchanges/paper/markets.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import { cleanupTempDirs, makeTempDir } from '../../../test/support/server.js';
import { KvAlertRepeats } from '../../adapters/kv/kv-alert-repeats.js';
import { SqliteKeyValueStore } from '../../adapters/kv/sqlite-key-value-store.js';
import { ingestAlert, type IngestDeps } from './ingest-alert.js';
import type { WebhookSigning } from './alert-signature.js';
import { createHmac } from 'node:crypto';

const base: StrategyConfig = {
  strategyId: 'strat_lag', tenantId: 'tnt_lag', name: 'lagging', symbolMap: {}, risk: {}, maxSignalAgeSeconds: 0,
  accounts: [{ accountId: 'acc_lag', sizing: { kind: 'fixed_quantity', quantity: '0.001' }, orderTemplate: { type: 'market' } }],
};

describe('ingest decides on the log, not on a lagging copy', () => {
  let events: SqliteEventStore;
  beforeAll(async () => {
    events = await SqliteEventStore.open({ path: join(makeTempDir('patriot-ingest-'), 'patriot.db') });
  });
  afterAll(async () => {
    await events.close();
    cleanupTempDirs();
  });

  /** This node knows `here`; the log (another node's write) holds `logged`. */
  function node(here: StrategyConfig, logged: StrategyConfig, secrets: { cached: string; stored: string }) {
    let known = here;
    let catchUps = 0;
    let reads = 0;
    const deps: IngestDeps = {
      store: events, clock: systemClock, ids: new RandomIds(systemClock),
      catalog: {
        strategy: (id) => (id === known.strategyId ? known : undefined),
        symbolsFor: () => ({ symbols: PAPER_MARKETS.map((m) => m.symbol), complete: true, venues: ['the paper exchange'] }),
        refreshMarkets: async () => undefined,
      },
      secretOf: () => secrets.cached,
      freshSecretOf: async () => (reads++, secrets.stored),
      repeats: new KvAlertRepeats(new SqliteKeyValueStore(events.database)),
      catchUp: async () => {
        catchUps++;
        known = logged;
      },
    };
    return { deps, catchUps: () => catchUps, reads: () => reads };
  }
  const body = (secret: string, id: string, ticker = 'BINANCE:BTCUSDT') => JSON.stringify({ secret, id, action: 'buy', ticker, quantity: '0.001' });

  it('a secret rotated on another node is accepted at once; a wrong one is still refused', async () => {
    const n = node(base, base, { cached: 'old-secret-xxxxxxxxxxxx', stored: 'new-secret-xxxxxxxxxxxx' });
    expect((await ingestAlert(n.deps, { strategyId: base.strategyId, body: body('new-secret-xxxxxxxxxxxx', 'r1') })).kind).toBe('accepted');
    expect(await ingestAlert(n.deps, { strategyId: base.strategyId, body: body('guessed-xxxxxxxxxxxxxxx', 'r2') })).toMatchObject({ kind: 'refused', code: 'INVALID_SECRET' });
    expect(n.reads()).toBe(2);
  });

  it('a source list widened on another node: the alert is decided on the list the log holds', async () => {
    const secrets = { cached: 'secret-src-xxxxxxxxxxxxx', stored: 'secret-src-xxxxxxxxxxxxx' };
    const narrow = { ...base, allowedSources: ['10.0.0.1'] };
    const wide = { ...base, allowedSources: ['10.0.0.1', '10.0.0.2'] };
    const lagging = node(narrow, wide, secrets);
    expect((await ingestAlert(lagging.deps, { strategyId: base.strategyId, body: body(secrets.stored, 's1'), source: '10.0.0.2' })).kind).toBe('accepted');
    expect(lagging.catchUps()).toBe(1);
    const unchanged = node(narrow, narrow, secrets);
    expect(await ingestAlert(unchanged.deps, { strategyId: base.strategyId, body: body(secrets.stored, 's2'), source: '10.0.0.2' })).toMatchObject({ kind: 'refused', code: 'SOURCE_NOT_ALLOWED' });
  });

  it('a symbol map changed on another node: the ticker is resolved with the map the log holds', async () => {
    const secrets = { cached: 'secret-map-xxxxxxxxxxxxx', stored: 'secret-map-xxxxxxxxxxxxx' };
    const mapped = { ...base, symbolMap: { 'MYBTC': 'BTC/USDT' } };
    const lagging = node(base, mapped, secrets);
    expect((await ingestAlert(lagging.deps, { strategyId: base.strategyId, body: body(secrets.stored, 'm1', 'MYBTC') })).kind).toBe('accepted');
    const unchanged = node(base, base, secrets);
    const refused = await ingestAlert(unchanged.deps, { strategyId: base.strategyId, body: body(secrets.stored, 'm2', 'MYBTC') });
    expect(refused).toMatchObject({ kind: 'refused', code: 'UNKNOWN_SYMBOL' });
  });

  it('a signing key rotated on another node: an alert signed with the new key is accepted at once, one signed with none of them refused', async () => {
    const secrets = { cached: 'secret-sig-xxxxxxxxxxxxx', stored: 'secret-sig-xxxxxxxxxxxxx' };
    const n = node(base, base, secrets);
    const signing = (key: string): WebhookSigning => ({ key, required: true, createdAt: '2026-12-06T00:00:00Z' });
    let freshReads = 0;
    const deps: IngestDeps = { ...n.deps, signingOf: () => signing('a'.repeat(64)), freshSigningOf: async () => (freshReads++, signing('b'.repeat(64))) };
    const signed = (key: string, text: string) => {
      const t = Math.floor(Date.now() / 1000);
      return `t=${t},v1=${createHmac('sha256', key).update(`${t}.${text}`).digest('hex')}`;
    };
    const first = body(secrets.stored, 'k1');
    expect((await ingestAlert(deps, { strategyId: base.strategyId, body: first, signature: signed('b'.repeat(64), first) })).kind).toBe('accepted');
    const second = body(secrets.stored, 'k2');
    expect(await ingestAlert(deps, { strategyId: base.strategyId, body: second, signature: signed('c'.repeat(64), second) })).toMatchObject({ kind: 'refused', code: 'INVALID_SIGNATURE' });
    expect(await ingestAlert(deps, { strategyId: base.strategyId, body: body(secrets.stored, 'k3') })).toMatchObject({ kind: 'refused', code: 'SIGNATURE_REQUIRED' });
    expect(freshReads).toBe(3);
  });
});
