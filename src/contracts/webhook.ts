import { Type } from 'typebox';

export const WebhookParams = Type.Object({ strategyId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });
export const WebhookQuery = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 256, description: 'the strategy secret, for senders that cannot put it in the body' })),
});
export const WebhookAck = Type.Object({
  signalId: Type.String(),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate')], { description: 'duplicate: this alert was already received; signalId is the original' }),
});
/** Documented only (not limited here: a malformed signature is a 401 INVALID_SIGNATURE that counts against the sender's address). */
export const WebhookHeaders = Type.Object({
  'x-patriot-signature': Type.Optional(Type.String({ description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the strategy\'s signing key>; only for senders that can sign (not TradingView)' })),
});
