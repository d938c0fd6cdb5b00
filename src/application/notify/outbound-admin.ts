import { maskUrl, NOTICE_KINDS, parseEndpointUrl, parseKinds, parseMailEndpoint, type Notice } from '../../domain/notices/notice.js';
import { changeSettings, type SettingsInput } from '../../domain/notices/channel-settings.js';
import { err, ok, type DomainError, type Result } from '../../domain/shared/result.js';
import type { Delivery } from './delivery-log.js';
import { endpointSettings, type OutboundEndpoint } from './endpoint-store.js';
import { outboundCheckpointName, type OutboundPorts } from './outbound-webhooks.js';
import { ENDPOINT_FORMATS, sinkFor, type EndpointFormat } from './chat-sink.js';

/** endpoints per tenant */
export const MAX_ENDPOINTS_PER_TENANT = 10;
/** how long a test delivery waits for an answer at most */
const TEST_TIMEOUT_MS = 15_000;

export interface OutboundAdminDeps extends OutboundPorts {
  /** a new endpoint id */
  readonly newId: () => string;
  /** a new signing secret: 32 random bytes, hex */
  readonly newSecret: () => string;
  /** this node changed an endpoint: the leader (if it is this node) picks it up at once */
  readonly changed: () => void;
}

export interface TestResult {
  readonly eventId: string;
  readonly delivered: boolean;
  readonly statusCode?: number;
  readonly error?: string;
}

const notFound = (): Result<never, DomainError> => err({ code: 'ENDPOINT_NOT_FOUND', message: 'no such outbound webhook endpoint' });

/**
 * An admin's outbound webhook endpoints (a tenant integration): create (the signing secret is
 * shown in that answer only), list (URLs masked), enable or disable, remove, the delivery log, and
 * a test delivery. Another tenant's endpoint ids answer ENDPOINT_NOT_FOUND like unknown ones. A
 * new or re-enabled endpoint starts at the log's head: it is not sent history.
 */
export class OutboundAdmin {
  constructor(private readonly deps: OutboundAdminDeps) {}

  list(tenantId: string): Promise<OutboundEndpoint[]> {
    return this.deps.endpoints.ofTenant(tenantId);
  }

  /** `kinds` absent: every kind */
  async create(tenantId: string, input: { url: string; kinds?: readonly string[]; format?: string }): Promise<Result<{ endpoint: OutboundEndpoint; secret: string }, DomainError>> {
    if (input.format !== undefined && !(ENDPOINT_FORMATS as readonly string[]).includes(input.format)) {
      return err({ code: 'UNKNOWN_FORMAT', message: `format is one of ${ENDPOINT_FORMATS.join(', ')}` });
    }
    const format = (input.format ?? 'patriot') as EndpointFormat;
    const parsed = format === 'email' ? parseMailEndpoint(input.url) : parseEndpointUrl(input.url);
    if (!parsed.ok) return parsed;
    const url = parsed.value instanceof URL ? parsed.value : parsed.value.url;
    const kinds = parseKinds(input.kinds ?? NOTICE_KINDS);
    if (!kinds.ok) return kinds;
    if ((await this.deps.endpoints.ofTenant(tenantId)).length >= MAX_ENDPOINTS_PER_TENANT) {
      return err({ code: 'TOO_MANY_ENDPOINTS', message: `a tenant has at most ${MAX_ENDPOINTS_PER_TENANT} outbound webhook endpoints: remove one first` });
    }
    const endpointId = this.deps.newId();
    const secret = this.deps.newSecret();
    const now = new Date(this.deps.clock.now()).toISOString();
    const endpoint: OutboundEndpoint = { endpointId, tenantId, maskedUrl: maskUrl(url), kinds: kinds.value, format, enabled: true, createdAt: now, changedAt: now };
    await this.startAtHead(endpointId); // before it is listed: the leader never sends it history
    await this.deps.endpoints.create(endpoint, { url: url.href, secret });
    this.deps.changed();
    return ok({ endpoint, secret });
  }

  async setEnabled(tenantId: string, endpointId: string, enabled: boolean): Promise<Result<OutboundEndpoint, DomainError>> {
    const endpoint = await this.deps.endpoints.get(tenantId, endpointId);
    if (!endpoint) return notFound();
    if (endpoint.enabled === enabled) return ok(endpoint);
    if (enabled) await this.startAtHead(endpointId);
    const changed = { ...endpoint, enabled, changedAt: new Date(this.deps.clock.now()).toISOString() };
    await this.deps.endpoints.put(changed);
    this.deps.changed();
    return ok(changed);
  }

  /** The channel's choices (issue 19): kinds, time zone, quiet hours, summary time; a bad field changes nothing. The leader restarts its runner with them. */
  async changeSettings(tenantId: string, endpointId: string, input: SettingsInput): Promise<Result<OutboundEndpoint, DomainError>> {
    const endpoint = await this.deps.endpoints.get(tenantId, endpointId);
    if (!endpoint) return notFound();
    const settings = changeSettings(endpointSettings(endpoint), input);
    if (!settings.ok) return settings;
    const { kinds, timeZone, quietHours, summaryAt } = settings.value;
    const { quietHours: _old, ...rest } = endpoint;
    const changed: OutboundEndpoint = { ...rest, kinds, timeZone, ...(quietHours ? { quietHours } : {}), summaryAt, changedAt: new Date(this.deps.clock.now()).toISOString() };
    await this.deps.endpoints.put(changed);
    this.deps.changed();
    return ok(changed);
  }

  async remove(tenantId: string, endpointId: string): Promise<Result<{ endpointId: string }, DomainError>> {
    const endpoint = await this.deps.endpoints.get(tenantId, endpointId);
    if (!endpoint) return notFound();
    await this.deps.endpoints.remove(endpoint);
    this.deps.changed();
    await this.deps.deliveries.removeAll(endpointId);
    await this.deps.held.releaseAll(endpointId);
    return ok({ endpointId });
  }

  async deliveries(tenantId: string, endpointId: string, limit: number): Promise<Result<Delivery[], DomainError>> {
    if (!(await this.deps.endpoints.get(tenantId, endpointId))) return notFound();
    return ok(await this.deps.deliveries.recent(endpointId, limit));
  }

  /** Sends one test notice now, once (no retry), signed like every other, and records it in the delivery log. */
  async sendTest(tenantId: string, endpointId: string): Promise<Result<TestResult, DomainError>> {
    const endpoint = await this.deps.endpoints.get(tenantId, endpointId);
    if (!endpoint) return notFound();
    const secrets = await this.deps.endpoints.secrets(endpointId);
    if (!secrets) return err({ code: 'ENDPOINT_UNREADABLE', message: 'the endpoint\'s URL and secret cannot be opened on this server (master key?): remove it and create it again' });
    const startedAt = this.deps.clock.now();
    const notice: Notice = {
      id: `test_${this.deps.newId()}`, type: 'Test', kind: 'test', time: new Date(startedAt).toISOString(), tenantId,
      data: { message: 'a test delivery from PATRIOT: the signature and the event id are those of every delivery' },
    };
    const outcome = await sinkFor(endpoint.format, this.deps, secrets.url, secrets.secret).deliver(notice, AbortSignal.timeout(TEST_TIMEOUT_MS));
    const at = new Date(this.deps.clock.now()).toISOString();
    const status = outcome.status !== undefined ? { lastStatusCode: outcome.status } : {};
    await this.deps.deliveries.put(endpointId, {
      eventId: notice.id, type: notice.type, kind: notice.kind, attempts: 1, firstAttemptAt: new Date(startedAt).toISOString(), lastAttemptAt: at, ...status,
      ...(outcome.ok ? { status: 'delivered', deliveredAt: at } : { status: 'failed', lastError: outcome.error }),
    });
    return ok({ eventId: notice.id, delivered: outcome.ok, ...(outcome.status !== undefined ? { statusCode: outcome.status } : {}), ...(outcome.ok ? {} : { error: outcome.error }) });
  }

  private async startAtHead(endpointId: string): Promise<void> {
    await this.deps.events.saveCheckpoint(outboundCheckpointName(endpointId), await this.deps.events.headPosition());
  }
}
