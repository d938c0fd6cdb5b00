import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { TelegramBotBody, TelegramBotDto, TelegramLinkCodeDto, TelegramLinkDto, TelegramStatusDto } from '../../../contracts/telegram-api.js';
import { ChannelSettingsBody, OutboundDeliveryDto } from '../../../contracts/outbound-webhooks-api.js';
import { chatSettings, type TelegramLink } from '../../../application/notify/telegram/telegram-store.js';
import { NOTICE_KINDS, type NoticeKind } from '../../../domain/notices/notice.js';
import type { DomainError } from '../../../domain/shared/result.js';
import { sendError } from '../../errors.js';
import { principalOf } from '../../auth-hook.js';

const STATUS: Readonly<Record<string, number>> = {
  INVALID_BOT_TOKEN: 400, BOT_TOKEN_REQUIRED: 400, UNKNOWN_EVENT_KIND: 400, INVALID_TIME_ZONE: 400, INVALID_QUIET_HOURS: 400, INVALID_SUMMARY_TIME: 400, LINK_NOT_FOUND: 404, BOT_IN_USE: 409, TELEGRAM_NOT_CONFIGURED: 409, BOT_API_UNREACHABLE: 502,
};
const refused = (reply: FastifyReply, error: DomainError) => sendError(reply, STATUS[error.code] ?? 409, error.code, error.message);
const linkDto = (l: TelegramLink, botKinds: readonly NoticeKind[]) => {
  const { kinds, timeZone, quietHours, summaryAt } = chatSettings(l, botKinds);
  return { chatId: l.chatId, userId: l.userId, linkedAt: l.linkedAt, kinds: [...kinds], timeZone, ...(quietHours ? { quietHours } : {}), summaryAt };
};
const LinkParams = Type.Object({ chatId: Type.Integer({ minimum: -1e15, maximum: 1e15 }) });

/** The dependencies these routes use (and nothing else). */
export type TelegramRouteDeps = Pick<HttpDeps, 'telegram'>;

/**
 * Telegram (issue 19): the tenant's bot (admins: the token is checked with Telegram, sealed, and
 * only shown masked), one-time link codes and linked chats (every user, for their own chat; an
 * admin sees and unlinks any of the tenant's). A refused request changes nothing.
 */
export const telegramRoutes: FastifyPluginAsync<{ deps: TelegramRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['notifications'];
  const anyone = { minimumRole: 'viewer' as const };
  const admin = { minimumRole: 'admin' as const };

  r.get('/telegram', {
    config: anyone, schema: { tags, summary: 'Telegram: the tenant\'s bot (token masked) and the linked chats you may see', response: { 200: TelegramStatusDto } },
  }, async (request) => {
    const p = principalOf(request);
    const status = await deps.telegram.status(p.tenantId, p.userId, p.role);
    return { ...(status.bot ? { bot: { ...status.bot, kinds: [...status.bot.kinds] } } : {}), links: status.links.map((l) => linkDto(l, status.bot?.kinds ?? NOTICE_KINDS)) };
  });

  r.put('/telegram/bot', {
    config: admin,
    schema: { tags, summary: 'Set up or change the tenant\'s bot (admins): a new token is checked with getMe, then stored sealed', body: TelegramBotBody, response: { 200: TelegramBotDto, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody, 502: ErrorBody } },
  }, async (request, reply) => {
    const set = await deps.telegram.setBot(principalOf(request).tenantId, request.body);
    return set.ok && set.value ? { ...set.value, kinds: [...set.value.kinds] } : refused(reply, set.ok ? { code: 'TELEGRAM_NOT_CONFIGURED', message: 'no bot' } : set.error);
  });

  r.delete('/telegram/bot', {
    config: admin, schema: { tags, summary: 'Remove the tenant\'s bot, its token and every linked chat (admins)', response: { 200: Type.Object({ removed: Type.Literal(true) }), 409: ErrorBody } },
  }, async (request, reply) => {
    const removed = await deps.telegram.removeBot(principalOf(request).tenantId);
    return removed.ok ? removed.value : refused(reply, removed.error);
  });

  r.post('/telegram/link-codes', {
    config: anyone,
    schema: { tags, summary: 'A one-time code (10 minutes) linking your own Telegram chat: send /link <code> to the bot', response: { 201: TelegramLinkCodeDto, 409: ErrorBody } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const code = await deps.telegram.createLinkCode(p.tenantId, p.userId);
    return code.ok ? reply.code(201).send(code.value) : refused(reply, code.error);
  });

  r.put('/telegram/links/:chatId/settings', {
    config: anyone,
    schema: {
      tags, summary: 'A linked chat\'s choices (your own; an admin any of the tenant\'s): kinds, time zone, quiet hours (only critical notices in them; the rest as one digest at their end), daily summary time',
      params: LinkParams, body: ChannelSettingsBody, response: { 200: TelegramLinkDto, 400: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const p = principalOf(request);
    const changed = await deps.telegram.changeChatSettings(p.tenantId, p.userId, p.role, request.params.chatId, request.body);
    return changed.ok ? linkDto(changed.value, NOTICE_KINDS) : refused(reply, changed.error);
  });

  r.get('/telegram/links/:chatId/deliveries', {
    config: anyone,
    schema: {
      tags, summary: 'A linked chat\'s delivery log, newest first (your own; an admin any of the tenant\'s): status, attempts, last error (never the token)',
      params: LinkParams, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }),
      response: { 200: Type.Object({ items: Type.Array(OutboundDeliveryDto) }), 404: ErrorBody },
    },
  }, async (request, reply) => {
    const p = principalOf(request);
    const found = await deps.telegram.deliveries(p.tenantId, p.userId, p.role, request.params.chatId, request.query.limit ?? 100);
    return found.ok ? { items: found.value } : refused(reply, found.error);
  });

  r.delete('/telegram/links/:chatId', {
    config: anyone, schema: { tags, summary: 'Unlink a chat (your own; an admin any of the tenant\'s)', params: LinkParams, response: { 200: Type.Object({ chatId: Type.Integer() }), 404: ErrorBody } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const unlinked = await deps.telegram.unlink(p.tenantId, p.userId, p.role, request.params.chatId);
    return unlinked.ok ? unlinked.value : refused(reply, unlinked.error);
  });
};
