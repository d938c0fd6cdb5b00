import { randomBytes } from 'node:crypto';
import { SqliteEventStore } from '../../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { SqliteKeyValueStore } from '../../../adapters/kv/sqlite-key-value-store.js';
import { kekFrom } from '../../../adapters/crypto/envelope.js';
import { sealingWebhookSecrets } from '../../../adapters/credentials/sealed-webhook-secrets.js';
import { httpPoster } from '../../../adapters/notify/http-poster.js';
import { smtpMailer } from '../../../adapters/notify/smtp-mailer.js';
import { EndpointStore } from '../endpoint-store.js';
import { DeliveryLog } from '../delivery-log.js';
import { HeldNotices } from '../held-notices.js';
import { OutboundWebhooks } from '../outbound-webhooks.js';
import { OutboundAdmin } from '../outbound-admin.js';
import { dailySummary, type SummarySource } from '../daily-summary.js';
import { endpointSettings } from '../endpoint-store.js';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The channels of issue 19 on an in-memory SQLite log, with sealed settings, the real HTTP poster
 * and SMTP mailer (private addresses allowed: the receivers are local), fast retries. `close`
 * stops the runners and the store.
 */
export async function notifyWorld(options: { clock?: { now(): number }; summaries?: SummarySource } = {}) {
  const clock = options.clock ?? { now: () => Date.now() };
  const events = await SqliteEventStore.open({ path: ':memory:' });
  const key = kekFrom(randomBytes(32));
  const kv = sealingWebhookSecrets(new SqliteKeyValueStore(events.database), { current: key, all: new Map([[key.id, key]]) });
  const endpoints = new EndpointStore(kv);
  const deliveries = new DeliveryLog(kv);
  const held = new HeldNotices(kv);
  const poster = httpPoster({ allowPrivate: true, timeoutMs: 2000 });
  const mail = smtpMailer({ allowPrivate: true, timeoutMs: 2000 });
  const webhooks = new OutboundWebhooks({ events, endpoints, deliveries, held, poster, mail, clock, log: quiet, retry: { baseMs: 20, maxMs: 100, giveUpAfterMs: 60_000 }, pollMs: 60_000, intervalMs: 5,
    ...(options.summaries ? { dailySummary: (e) => (e.kinds.includes('daily_summary') ? dailySummary(e.endpointId, e.tenantId, endpointSettings(e), { kv, clock, source: options.summaries! }) : undefined) } : {}),
  });
  let n = 0;
  const admin = new OutboundAdmin({ events, endpoints, deliveries, held, poster, mail, clock, newId: () => `owh_${++n}`, newSecret: () => randomBytes(32).toString('hex'), changed: () => void webhooks.refresh() });
  const append = async (streamId: string, type: string, data: object, tenantId = 't1') => {
    await events.append({ streamId, expectedVersion: 'any', metadata: { tenantId, time: new Date().toISOString() }, events: [{ type, data }] });
  };
  const close = async () => {
    await webhooks.stop();
    events.close();
  };
  return { events, kv, webhooks, admin, deliveries, held, append, close };
}
