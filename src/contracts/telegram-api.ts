import { Type } from 'typebox';
import { ChannelSettingsFields } from './outbound-webhooks-api.js';

/** The tenant's bot as shown: never its token (masked: the bot id and the last 4 characters). */
export const TelegramBotDto = Type.Object({
  username: Type.String({ description: 'the bot\'s @username (send it /link <code>)' }),
  maskedToken: Type.String({ description: '<bot id>:…<last 4 characters>' }),
  kinds: Type.Array(Type.String(), { description: 'the event kinds told to linked chats' }),
  enabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  changedAt: Type.String({ format: 'date-time' }),
});

export const TelegramLinkDto = Type.Object({
  chatId: Type.Integer(),
  userId: Type.String(),
  linkedAt: Type.String({ format: 'date-time' }),
  kinds: Type.Array(Type.String(), { description: 'the kinds told to this chat (its own choice, or the bot\'s)' }),
  ...ChannelSettingsFields,
});

export const TelegramStatusDto = Type.Object({
  bot: Type.Optional(TelegramBotDto),
  links: Type.Array(TelegramLinkDto, { description: 'an admin sees every linked chat of the tenant; others their own' }),
});

export const TelegramBotBody = Type.Object({
  token: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the bot token from @BotFather (checked with getMe, stored sealed, never shown again)' })),
  kinds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32, description: 'fill, partial_fill, order_rejected, order_unknown, order_expired, order_cancelled, alert_rejected, kill_switch, reconciliation, daily_summary, circuit_breaker, stale_prices, takeover (default: all): what chats without a choice of their own get' })),
  enabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export const TelegramLinkCodeDto = Type.Object({
  code: Type.String({ description: 'one-time, for the caller\'s own chat; a new code replaces the last' }),
  expiresAt: Type.String({ format: 'date-time' }),
  botUsername: Type.String(),
  command: Type.String({ description: 'what to send the bot: /link <code>' }),
  url: Type.String({ description: 'https://t.me/<bot>?start=<code> (opens the chat and sends /start <code>)' }),
});
