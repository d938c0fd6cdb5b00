import { Type } from 'typebox';

const KINDS = 'fill, partial_fill, order_rejected, order_unknown, order_expired, order_cancelled, alert_rejected, kill_switch, reconciliation, daily_summary, circuit_breaker, stale_prices, takeover';
const HH_MM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

/** A channel's quiet hours: local HH:MM in its time zone; `to` before `from` crosses midnight. */
export const QuietHoursDto = Type.Object({
  from: Type.String({ maxLength: 5, description: 'local start, HH:MM (24 h)' }),
  to: Type.String({ maxLength: 5, description: 'local end, HH:MM; before `from`: the window crosses midnight' }),
}, { additionalProperties: false });

/** A channel's choices (issue 19): each field optional (absent: unchanged). Bad values: 400 UNKNOWN_EVENT_KIND, INVALID_TIME_ZONE, INVALID_QUIET_HOURS, INVALID_SUMMARY_TIME. */
export const ChannelSettingsBody = Type.Object({
  kinds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32, description: KINDS })),
  timeZone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' })),
  quietHours: Type.Optional(Type.Union([QuietHoursDto, Type.Null()], { description: 'only critical notices (kill switch engaged, order stuck unknown, reconciliation differences) go during them; the rest go as one digest at their end. null: none' })),
  summaryAt: Type.Optional(Type.String({ maxLength: 5, description: `local time of the daily summary, HH:MM (when daily_summary is among the kinds); pattern ${HH_MM}` })),
}, { additionalProperties: false });

/** A channel's settings as shown. */
export const ChannelSettingsFields = {
  timeZone: Type.String({ description: 'IANA time zone of the quiet hours and the daily summary' }),
  quietHours: Type.Optional(QuietHoursDto),
  summaryAt: Type.String({ description: 'local HH:MM of the daily summary' }),
};

/** An outbound webhook endpoint as shown: never its full URL (paths often carry a secret), never its signing secret. */
export const OutboundEndpointDto = Type.Object({
  endpointId: Type.String(),
  url: Type.String({ description: 'scheme://host/… only' }),
  kinds: Type.Array(Type.String(), { description: 'the event kinds sent to it' }),
  format: Type.Optional(Type.String({ description: 'patriot (signed JSON), discord or slack (an incoming webhook: one line of text per event)' })),
  enabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  changedAt: Type.String({ format: 'date-time' }),
  ...ChannelSettingsFields,
});

export const NewOutboundEndpointBody = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 8192, description: 'http(s) URL the events are POSTed to' }),
  kinds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32, description: `${KINDS} (default: all)` })),
  format: Type.Optional(Type.String({ maxLength: 16, description: 'patriot (default: signed JSON), discord or slack (their incoming webhook URL: each event as one line of text; the URL is the secret), email (an smtp(s):// URL)' })),
}, { additionalProperties: false });

export const NewOutboundEndpointDto = Type.Object({
  endpoint: OutboundEndpointDto,
  secret: Type.String({ description: 'shown once: 64 hex characters, the HMAC-SHA256 key (as written) the deliveries are signed with; stored sealed' }),
  signature: Type.String({ description: 'how deliveries are signed' }),
});

export const OutboundEnabledBody = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });

export const OutboundDeliveryDto = Type.Object({
  eventId: Type.String({ description: 'the idempotency key: the same event always has the same id (header X-Patriot-Event-Id)' }),
  type: Type.String(),
  kind: Type.String(),
  status: Type.Union([Type.Literal('delivered'), Type.Literal('pending'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastError: Type.Optional(Type.String()),
  lastStatusCode: Type.Optional(Type.Integer()),
  firstAttemptAt: Type.String({ format: 'date-time' }),
  lastAttemptAt: Type.String({ format: 'date-time' }),
  nextAttemptAt: Type.Optional(Type.String({ format: 'date-time' })),
  deliveredAt: Type.Optional(Type.String({ format: 'date-time' })),
});

export const OutboundTestDto = Type.Object({
  eventId: Type.String(),
  delivered: Type.Boolean(),
  statusCode: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String()),
});

export const OutboundKindsDto = Type.Object({ kinds: Type.Array(Type.Object({ kind: Type.String(), eventTypes: Type.Array(Type.String()) })) });
