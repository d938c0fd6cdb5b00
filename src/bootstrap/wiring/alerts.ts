import { randomBytes } from 'node:crypto';
import type { IngestDeps } from '../../application/ingest/ingest-alert.js';
import { parseSigning } from '../../application/ingest/alert-signature.js';
import { createSigningKey, removeSigningKey, setSigningRequired, signingOf, signingStatus, webhookSigningKey, type SigningDeps } from '../../application/commands/webhook-signing.js';
import type { SignalProcessor } from '../../application/workflows/signal-processor.js';
import { KvAlertRepeats } from '../../adapters/kv/kv-alert-repeats.js';
import type { HttpDeps } from '../../http/deps.js';
import { WebhookSecrets } from '../webhook-secrets.js';
import type { Core } from './core.js';
import { followsAppends } from '../wrap-appends.js';

/** Alerts in: webhook secrets and signing keys (cached briefly, read again before refusing), repeats counted beside the log. */
export interface Alerts {
  readonly secrets: WebhookSecrets;
  readonly repeats: KvAlertRepeats;
  /** what ingest needs besides the per-request admission */
  readonly ingestDeps: IngestDeps;
  /** a strategy's signing key, as the configuration API manages it */
  readonly signing: HttpDeps['configuration']['signing'];
}

export function wireAlerts(core: Core, processor: SignalProcessor): Alerts {
  const { kv, clock } = core;
  // webhook secrets, read on first use and kept briefly: a strategy configured or a secret rotated through another node is read from the store
  const secrets = new WebhookSecrets(kv, () => clock.now());
  // signing keys for signed alerts (sealed like the secrets), cached with their absence: most strategies have none
  const signingKeys = new WebhookSecrets(kv, () => clock.now(), 2_000, webhookSigningKey, true);
  const signingDeps: SigningDeps = {
    kv, clock, catalog: processor.catalog, catchUp: () => processor.catchUp(), newSigningKey: () => randomBytes(32).toString('hex'),
    onSigning: (strategyId, signing) => (signing ? signingKeys.remember(strategyId, JSON.stringify(signing)) : signingKeys.forget(strategyId)),
  };
  const repeats = new KvAlertRepeats(kv); // repeats of alerts are counted beside the log, not appended per repeat
  const events = core.events;
  const ingestDeps: IngestDeps = {
    // where the log can, an accepted alert is routed in the commit that records it (ADR-0030)
    // (on the node that routes: elsewhere the follow-up would only decline)
    ...(followsAppends(events) ? { appendSignal: (request) => (processor.isRouting ? events.appendFollowedBy(request, processor.routeInCommit(request)) : events.append(request)) } : {}),
    // a strategy this node has not folded yet (created a moment ago, perhaps on another node) is looked for in the log first
    store: core.events, catalog: processor.catalog, clock, ids: core.ids, catchUp: () => processor.catchUp(), repeats,
    secretOf: (strategyId) => secrets.lookup(strategyId),
    freshSecretOf: (strategyId) => secrets.reload(strategyId),
    signingOf: (strategyId) => {
      const raw = signingKeys.lookup(strategyId);
      return raw instanceof Promise ? raw.then(parseSigning) : parseSigning(raw);
    },
    freshSigningOf: (strategyId) => signingKeys.reload(strategyId).then(parseSigning),
  };
  return {
    secrets, repeats, ingestDeps,
    signing: {
      status: (tenantId, strategyId) => signingStatus(signingDeps, tenantId, strategyId),
      create: (tenantId, strategyId, required) => createSigningKey(signingDeps, tenantId, strategyId, required),
      setRequired: (tenantId, strategyId, required) => setSigningRequired(signingDeps, tenantId, strategyId, required),
      remove: (tenantId, strategyId) => removeSigningKey(signingDeps, tenantId, strategyId),
      of: (tenantId, strategyId) => signingOf(signingDeps, tenantId, strategyId),
    },
  };
}
