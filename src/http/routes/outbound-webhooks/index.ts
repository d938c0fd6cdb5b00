import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { ChannelSettingsBody, NewOutboundEndpointBody, NewOutboundEndpointDto, OutboundDeliveryDto, OutboundEnabledBody, OutboundEndpointDto, OutboundKindsDto, OutboundTestDto } from '../../../contracts/outbound-webhooks-api.js';
import { endpointSettings, type OutboundEndpoint } from '../../../application/notify/endpoint-store.js';
import { EVENT_TYPES_OF_KIND, NOTICE_KINDS } from '../../../domain/notices/notice.js';
import type { DomainError } from '../../../domain/shared/result.js';
import { sendError } from '../../errors.js';
import { principalOf } from '../../auth-hook.js';

const EndpointParams = Type.Object({ endpointId: Type.String({ maxLength: 64 }) });
const DeliveriesQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) });
const STATUS: Readonly<Record<string, number>> = { INVALID_URL: 400, UNKNOWN_EVENT_KIND: 400, UNKNOWN_FORMAT: 400, INVALID_TIME_ZONE: 400, INVALID_QUIET_HOURS: 400, INVALID_SUMMARY_TIME: 400, ENDPOINT_NOT_FOUND: 404, TOO_MANY_ENDPOINTS: 409, ENDPOINT_UNREADABLE: 409 };
const refused = (reply: FastifyReply, error: DomainError) => sendError(reply, STATUS[error.code] ?? 409, error.code, error.message);
const dto = (e: OutboundEndpoint): Static<typeof OutboundEndpointDto> => {
  const { timeZone, quietHours, summaryAt } = endpointSettings(e);
  return { endpointId: e.endpointId, url: e.maskedUrl, kinds: [...e.kinds], format: e.format ?? 'patriot', enabled: e.enabled, createdAt: e.createdAt, changedAt: e.changedAt, timeZone, ...(quietHours ? { quietHours } : {}), summaryAt };
};
const SIGNATURE = 'X-Patriot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>; X-Patriot-Event-Id: the idempotency key';

/**
 * Signed outbound webhooks, a tenant integration (admins only): endpoints (URL shown masked; the
 * signing secret only in the answer that creates it), enable or disable, remove, the delivery log
 * and a test delivery. Another tenant's endpoint ids answer 404 like unknown ones; a refused
 * request changes nothing.
 */
/** The dependencies these routes use (and nothing else). */
export type OutboundWebhookRouteDeps = Pick<HttpDeps, 'outboundWebhooks'>;

export const outboundWebhookRoutes: FastifyPluginAsync<{ deps: OutboundWebhookRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { minimumRole: 'admin' as const };
  const tags = ['notifications'];
  const outbound = deps.outboundWebhooks;

  r.get('/outbound-webhooks/kinds', {
    config: admin, schema: { tags, summary: 'The event kinds an endpoint may choose, with the event types each sends', response: { 200: OutboundKindsDto } },
  }, async () => ({ kinds: NOTICE_KINDS.map((kind) => ({ kind, eventTypes: [...EVENT_TYPES_OF_KIND[kind]] })) }));

  r.get('/outbound-webhooks', {
    config: admin, schema: { tags, summary: "The tenant's outbound webhook endpoints (URLs masked; admins only)", response: { 200: Type.Object({ items: Type.Array(OutboundEndpointDto) }), 403: ErrorBody } },
  }, async (request) => ({ items: (await outbound.list(principalOf(request).tenantId)).map(dto) }));

  r.post('/outbound-webhooks', {
    config: admin,
    schema: {
      tags, summary: 'Add an endpoint: the chosen kinds of events are POSTed to it, signed; the signing secret is shown in this answer only. It starts at the log\'s head (no history).',
      body: NewOutboundEndpointBody, response: { 201: NewOutboundEndpointDto, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody },
    },
  }, async (request, reply) => {
    const created = await outbound.create(principalOf(request).tenantId, request.body);
    if (!created.ok) return refused(reply, created.error);
    return reply.code(201).send({ endpoint: dto(created.value.endpoint), secret: created.value.secret, signature: SIGNATURE });
  });

  r.put('/outbound-webhooks/:endpointId/enabled', {
    config: admin,
    schema: { tags, summary: 'Enable (from the log\'s head: what happened meanwhile is not sent) or disable an endpoint', params: EndpointParams, body: OutboundEnabledBody, response: { 200: OutboundEndpointDto, 404: ErrorBody } },
  }, async (request, reply) => {
    const changed = await outbound.setEnabled(principalOf(request).tenantId, request.params.endpointId, request.body.enabled);
    return changed.ok ? dto(changed.value) : refused(reply, changed.error);
  });

  r.put('/outbound-webhooks/:endpointId/settings', {
    config: admin,
    schema: {
      tags, summary: 'The channel\'s choices: which kinds, its time zone, quiet hours (only critical notices in them; the rest as one digest at their end) and the daily summary\'s time',
      params: EndpointParams, body: ChannelSettingsBody, response: { 200: OutboundEndpointDto, 400: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const changed = await outbound.changeSettings(principalOf(request).tenantId, request.params.endpointId, request.body);
    return changed.ok ? dto(changed.value) : refused(reply, changed.error);
  });

  r.delete('/outbound-webhooks/:endpointId', {
    config: admin, schema: { tags, summary: 'Remove an endpoint and its delivery log', params: EndpointParams, response: { 200: Type.Object({ endpointId: Type.String() }), 404: ErrorBody } },
  }, async (request, reply) => {
    const removed = await outbound.remove(principalOf(request).tenantId, request.params.endpointId);
    return removed.ok ? removed.value : refused(reply, removed.error);
  });

  r.get('/outbound-webhooks/:endpointId/deliveries', {
    config: admin,
    schema: { tags, summary: 'The endpoint\'s delivery log, newest first: status, attempts, last error', params: EndpointParams, querystring: DeliveriesQuery, response: { 200: Type.Object({ items: Type.Array(OutboundDeliveryDto) }), 404: ErrorBody } },
  }, async (request, reply) => {
    const found = await outbound.deliveries(principalOf(request).tenantId, request.params.endpointId, request.query.limit ?? 100);
    return found.ok ? { items: found.value } : refused(reply, found.error);
  });

  r.post('/outbound-webhooks/:endpointId/test', {
    config: admin,
    schema: { tags, summary: 'Send one test delivery now (signed like every other, not retried) and answer how it went', params: EndpointParams, response: { 200: OutboundTestDto, 404: ErrorBody, 409: ErrorBody } },
  }, async (request, reply) => {
    const sent = await outbound.sendTest(principalOf(request).tenantId, request.params.endpointId);
    return sent.ok ? sent.value : refused(reply, sent.error);
  });
};
