import type { RetryPolicy } from '../../domain/notices/notice.js';
import type { CheckpointStore, EventReader } from '../ports/event-store.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { WebhookPoster } from '../ports/webhook-poster.js';
import type { MailSender } from '../ports/mail-sender.js';
import { ProcessorRunner, type ProcessorObserver } from '../processors/processor-runner.js';
import { LeaderPoll } from './leader-poll.js';
import type { DeliveryLog } from './delivery-log.js';
import { endpointSettings, type EndpointStore, type OutboundEndpoint } from './endpoint-store.js';
import type { HeldNotices } from './held-notices.js';
import type { Notice } from '../../domain/notices/notice.js';
import { DeliveryStopped, noticeDelivery } from './notice-delivery.js';
import { sinkFor } from './chat-sink.js';

/** The checkpoint of an endpoint's runner (the event store's named checkpoints). */
export const outboundCheckpointName = (endpointId: string): string => `outbound-webhook@${endpointId}`;

/** What the leader's runners and the admins' API both work on (and what the sinks send with: `Senders`). */
export interface OutboundPorts {
  readonly events: EventReader & CheckpointStore;
  readonly endpoints: EndpointStore;
  readonly deliveries: DeliveryLog;
  readonly poster: WebhookPoster;
  /** e-mail endpoints' SMTP (absent: they fail with why) */
  readonly mail?: MailSender;
  /** notices waiting for the end of a channel's quiet hours */
  readonly held: HeldNotices;
  readonly clock: Clock;
}

export interface OutboundWebhooksDeps extends OutboundPorts {
  readonly log: Logger;
  readonly retry: RetryPolicy;
  /** how often the endpoints are read again (created or removed on another node) */
  readonly pollMs: number;
  readonly observer?: ProcessorObserver;
  /** how long appends are gathered before a pass (default 20 ms) */
  readonly intervalMs?: number;
  /** the daily summary of an endpoint (absent: no summaries), run at the end of its runner's passes */
  readonly dailySummary?: (endpoint: OutboundEndpoint) => ((deliver: (notice: Notice) => Promise<void>) => Promise<void>) | undefined;
}

interface Running {
  readonly runner: ProcessorRunner;
  readonly abort: AbortController;
  /** the settings it runs with: a change restarts it */
  readonly changedAt: string;
}

/**
 * The leader's outbound webhooks: one processor runner per enabled endpoint, each with its own
 * checkpoint, so an endpoint that is down or slow delays only itself (never trading, never
 * another endpoint). The endpoints are read from the settings store every `pollMs` (created,
 * disabled or removed on any node) and at once when this node changed one (`refresh`).
 */
export class OutboundWebhooks extends LeaderPoll {
  private readonly running = new Map<string, Running>();

  constructor(private readonly deps: OutboundWebhooksDeps) {
    super(deps.pollMs);
  }

  /** the endpoints delivering on this node now */
  get active(): string[] {
    return [...this.running.keys()];
  }

  protected async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stopOne(id)));
  }

  protected async sync(): Promise<void> {
    if (!this.leading) return;
    let endpoints: OutboundEndpoint[];
    try {
      endpoints = (await this.deps.endpoints.all()).filter((e) => e.enabled);
    } catch (error) {
      this.deps.log.warn({ reason: String(error) }, 'reading the outbound webhook endpoints failed; tried again at the next poll');
      return;
    }
    const wanted = new Map(endpoints.map((e) => [e.endpointId, e]));
    await Promise.all([...this.running].filter(([id, r]) => wanted.get(id)?.changedAt !== r.changedAt).map(([id]) => this.stopOne(id)));
    for (const endpoint of wanted.values()) {
      if (!this.leading) return;
      const running = this.running.get(endpoint.endpointId);
      if (!running) await this.startOne(endpoint);
      // a pass now and then even with nothing appended: the quiet hours' digest and the daily summary are due by the clock
      else if (endpoint.quietHours || endpoint.kinds.includes('daily_summary')) running.runner.background();
    }
  }

  private async startOne(endpoint: OutboundEndpoint): Promise<void> {
    const secrets = await this.deps.endpoints.secrets(endpoint.endpointId);
    if (!secrets) {
      this.deps.log.warn({ endpointId: endpoint.endpointId }, 'an outbound webhook endpoint\'s URL and secret cannot be opened on this node (master key?): not delivering');
      return;
    }
    const abort = new AbortController();
    const { events, deliveries, held, clock, retry, log } = this.deps;
    const summary = this.deps.dailySummary?.(endpoint);
    const processor = noticeDelivery({
      processorId: outboundCheckpointName(endpoint.endpointId), destinationId: endpoint.endpointId, tenantId: endpoint.tenantId, kinds: endpoint.kinds,
      sink: sinkFor(endpoint.format, this.deps, secrets.url, secrets.secret), quiet: endpointSettings(endpoint), ...(summary ? { onCaughtUp: summary } : {}),
    }, {
      checkpoints: events, deliveries, held, clock, retry, signal: abort.signal,
      onFailedAttempt: (endpointId, d) => log.warn({ endpointId, eventId: d.eventId, attempts: d.attempts, status: d.status, error: d.lastError }, d.status === 'failed' ? 'outbound webhook given up for this event' : 'outbound webhook delivery failed; tried again with back-off'),
    });
    const observer = this.deps.observer;
    const runner = new ProcessorRunner(events, processor, {
      ...(this.deps.intervalMs !== undefined ? { intervalMs: this.deps.intervalMs } : {}),
      ...(observer ? { observer: { ...observer, failed: (id, error) => (error instanceof DeliveryStopped ? undefined : observer.failed(id, error)) } } : {}),
    });
    this.running.set(endpoint.endpointId, { runner, abort, changedAt: endpoint.changedAt });
    // not awaited: a long catch-up (an endpoint down) must not hold the others; failures are retried by the runner
    void runner.start().catch(() => undefined);
  }

  private async stopOne(endpointId: string): Promise<void> {
    const running = this.running.get(endpointId);
    if (!running) return;
    this.running.delete(endpointId);
    running.abort.abort();
    await running.runner.stop();
  }
}
