import { randomBytes } from 'node:crypto';
import { EndpointStore } from '../../application/notify/endpoint-store.js';
import { DeliveryLog } from '../../application/notify/delivery-log.js';
import { HeldNotices } from '../../application/notify/held-notices.js';
import { OutboundWebhooks } from '../../application/notify/outbound-webhooks.js';
import { OutboundAdmin } from '../../application/notify/outbound-admin.js';
import { httpPoster } from '../../adapters/notify/http-poster.js';
import { smtpMailer } from '../../adapters/notify/smtp-mailer.js';
import { processorObserver } from '../processor-observer.js';
import { dailySummary, type SummarySource } from '../../application/notify/daily-summary.js';
import { endpointSettings } from '../../application/notify/endpoint-store.js';
import type { Core } from './core.js';

/** Signed outbound webhooks (issue 19, ADR-0020): the leader's runners (one per endpoint) and the admins' API. */
export interface Outbound {
  readonly webhooks: OutboundWebhooks;
  readonly admin: OutboundAdmin;
}

/** 32 random bytes, hex: an endpoint's HMAC key (used as written, like signed alerts' keys). */
export const newOutboundSecret = (): string => randomBytes(32).toString('hex');

export function wireOutbound(core: Core, summaries: SummarySource): Outbound {
  const { config, clock, log, events } = core;
  const endpoints = new EndpointStore(core.kv); // URL and secret sealed on their way in (outbound-secret/)
  const deliveries = new DeliveryLog(core.kv);
  const held = new HeldNotices(core.kv);
  const poster = httpPoster({ timeoutMs: config.outbound.timeoutMs, allowPrivate: config.outbound.allowPrivate });
  const mail = smtpMailer({ timeoutMs: config.outbound.timeoutMs, allowPrivate: config.outbound.allowPrivate });
  const webhooks = new OutboundWebhooks({
    events, endpoints, deliveries, held, poster, mail, clock, log, pollMs: config.outbound.pollMs, observer: processorObserver(log, core.metrics),
    retry: { baseMs: config.outbound.retryBaseMs, maxMs: config.outbound.retryMaxMs, giveUpAfterMs: config.outbound.giveUpAfterMs },
    dailySummary: (e) => (e.kinds.includes('daily_summary') ? dailySummary(e.endpointId, e.tenantId, endpointSettings(e), { kv: core.kv, clock, source: summaries }) : undefined),
  });
  const admin = new OutboundAdmin({
    events, endpoints, deliveries, held, poster, mail, clock, newId: () => core.ids.next('owh'), newSecret: newOutboundSecret,
    changed: () => void webhooks.refresh().catch((error: unknown) => log.warn({ reason: String(error) }, 'picking up an outbound webhook change failed; the next poll does')),
  });
  return { webhooks, admin };
}
