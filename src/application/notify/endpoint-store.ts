import { KINDS_VERSION, storedKinds, type NoticeKind } from '../../domain/notices/notice.js';
import { DEFAULT_SUMMARY_AT, minutesOf, type ChannelSettings, type QuietHours } from '../../domain/notices/channel-settings.js';
import type { KeyValueStore } from '../ports/key-value.js';
import { ENDPOINT_FORMATS, type EndpointFormat } from './chat-sink.js';

/** Where endpoints live in the settings store: what is shown, by tenant (not secret) ... */
export const OUTBOUND_ENDPOINT_PREFIX = 'outbound-endpoint/';
/** ... and their URL and signing secret, sealed at rest (adapters/credentials/sealed-webhook-secrets.ts). */
export const OUTBOUND_SECRET_PREFIX = 'outbound-secret/';

/** An outbound webhook endpoint, as shown (never its URL in full nor its secret). */
export interface OutboundEndpoint {
  readonly endpointId: string;
  readonly tenantId: string;
  /** scheme://host/… */
  readonly maskedUrl: string;
  readonly kinds: readonly NoticeKind[];
  /** PATRIOT's signed JSON (absent: the same), or a Discord / Slack incoming webhook's message (issue 19) */
  readonly format?: EndpointFormat;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly changedAt: string;
  /** the channel's time zone, quiet hours and daily summary time (absent: UTC, none, 08:00) */
  readonly timeZone?: string;
  readonly quietHours?: QuietHours;
  readonly summaryAt?: string;
}

/** An endpoint's settings as a channel's (kinds, time zone, quiet hours, summary time). */
export const endpointSettings = (e: OutboundEndpoint): ChannelSettings => ({
  kinds: e.kinds, timeZone: e.timeZone ?? 'UTC', ...(e.quietHours ? { quietHours: e.quietHours } : {}), summaryAt: e.summaryAt ?? DEFAULT_SUMMARY_AT,
});

/** The sealed part: where to send and what to sign with. */
export interface EndpointSecrets {
  readonly url: string;
  /** 64 hex characters, the HMAC key as written */
  readonly secret: string;
}

const metaKey = (tenantId: string, endpointId: string) => `${OUTBOUND_ENDPOINT_PREFIX}${tenantId}/${endpointId}`;
const secretKey = (endpointId: string) => `${OUTBOUND_SECRET_PREFIX}${endpointId}`;

function parseEndpoint(raw: string): OutboundEndpoint | undefined {
  try {
    const e = JSON.parse(raw) as Partial<OutboundEndpoint> & { kindsVersion?: number };
    if (typeof e.endpointId === 'string' && typeof e.tenantId === 'string' && typeof e.maskedUrl === 'string' && Array.isArray(e.kinds) && typeof e.enabled === 'boolean' && typeof e.createdAt === 'string') {
      const format = (ENDPOINT_FORMATS as readonly unknown[]).includes(e.format) ? { format: e.format! } : {};
      const q = e.quietHours;
      const quiet = q && typeof q === 'object' && minutesOf(String(q.from)) !== undefined && minutesOf(String(q.to)) !== undefined ? { quietHours: { from: q.from, to: q.to } } : {};
      return {
        endpointId: e.endpointId, tenantId: e.tenantId, maskedUrl: e.maskedUrl, kinds: storedKinds(e.kinds, e.kindsVersion), ...format, enabled: e.enabled, createdAt: e.createdAt, changedAt: e.changedAt ?? e.createdAt,
        ...(typeof e.timeZone === 'string' ? { timeZone: e.timeZone } : {}), ...quiet, ...(typeof e.summaryAt === 'string' ? { summaryAt: e.summaryAt } : {}),
      };
    }
  } catch {
    // not an endpoint
  }
  return undefined;
}

/** Outbound endpoints over the settings store (shared by every node). */
export class EndpointStore {
  constructor(private readonly kv: KeyValueStore) {}

  async ofTenant(tenantId: string): Promise<OutboundEndpoint[]> {
    return this.parsed(await this.kv.entries(`${OUTBOUND_ENDPOINT_PREFIX}${tenantId}/`)).filter((e) => e.tenantId === tenantId);
  }

  /** every tenant's endpoints (the leader's runners follow the enabled ones) */
  async all(): Promise<OutboundEndpoint[]> {
    return this.parsed(await this.kv.entries(OUTBOUND_ENDPOINT_PREFIX));
  }

  async get(tenantId: string, endpointId: string): Promise<OutboundEndpoint | undefined> {
    const raw = await this.kv.get(metaKey(tenantId, endpointId));
    const endpoint = raw === undefined ? undefined : parseEndpoint(raw);
    return endpoint?.tenantId === tenantId ? endpoint : undefined;
  }

  /** undefined: none, or sealed under a key this node cannot open */
  async secrets(endpointId: string): Promise<EndpointSecrets | undefined> {
    const raw = await this.kv.get(secretKey(endpointId));
    if (raw === undefined) return undefined;
    try {
      const s = JSON.parse(raw) as Partial<EndpointSecrets>;
      return typeof s.url === 'string' && typeof s.secret === 'string' ? { url: s.url, secret: s.secret } : undefined;
    } catch {
      return undefined;
    }
  }

  /** the sealed part first: an endpoint is never listed without what it needs to deliver */
  async create(endpoint: OutboundEndpoint, secrets: EndpointSecrets): Promise<void> {
    await this.kv.set(secretKey(endpoint.endpointId), JSON.stringify(secrets));
    await this.put(endpoint);
  }

  async put(endpoint: OutboundEndpoint): Promise<void> {
    await this.kv.set(metaKey(endpoint.tenantId, endpoint.endpointId), JSON.stringify({ ...endpoint, kindsVersion: KINDS_VERSION }));
  }

  async remove(endpoint: OutboundEndpoint): Promise<void> {
    await this.kv.delete(metaKey(endpoint.tenantId, endpoint.endpointId));
    await this.kv.delete(secretKey(endpoint.endpointId));
  }

  private parsed(entries: [string, string][]): OutboundEndpoint[] {
    return entries.map(([, raw]) => parseEndpoint(raw)).filter((e): e is OutboundEndpoint => e !== undefined);
  }
}
