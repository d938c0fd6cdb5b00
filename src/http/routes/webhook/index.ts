import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { WebhookAck, WebhookHeaders, WebhookParams, WebhookQuery } from '../../../contracts/webhook.js';
import { ErrorBody } from '../../../contracts/common.js';
import { alertStatus, sendError } from '../../errors.js';
import type { SecurityLog } from '../../security-log.js';
import type { Taken } from '../../../application/ports/budgets.js';
import { sourceAllowlist } from '../../../application/shared/source-allowlist.js';
import { SIGNATURE_HEADER } from '../../../application/ingest/alert-signature.js';

/** A NUL character, raw or as a JSON escape: no alert needs one, and the stores cannot keep it (PostgreSQL refuses it in JSON). */
const NUL = /\u0000|\\u0000/i;

export const ALERT_BODY_LIMIT = 64 * 1024;

const SIGNATURE_CODES = new Set(['INVALID_SIGNATURE', 'SIGNATURE_REQUIRED']);

/**
 * POST /webhook/:strategyId — TradingView alert ingest. The body is read raw whatever its
 * content type (TradingView sends JSON as application/json and anything else as text/plain).
 * 202 only after the alert is durably in the log; a duplicate gets 200 and the original id.
 */
/** The dependencies these routes use (and nothing else). */
export type WebhookRouteDeps = Pick<HttpDeps, 'ingest' | 'limits' | 'onAlertAccepted' | 'rateLimits' | 'security'>;

export const webhookRoutes: FastifyPluginAsync<{ deps: WebhookRouteDeps; security?: SecurityLog }> = async (app, { deps, security }) => {
  // Only authenticated alerts spend a strategy's budget: nobody without its secret can block its
  // alerts. Failed authentication spends the sender address's budget; once it is spent, further
  // failures answer 429 (a valid alert from the same address still goes through: TradingView
  // sends everyone's alerts from a handful of addresses).
  const { webhookPerMinute, webhookAuthFailuresPerMinute } = deps.rateLimits;
  // counted across nodes on PostgreSQL (deps.limits, ADR 0016)
  const { budgets } = deps.limits;
  const perStrategy = webhookPerMinute > 0 ? { max: webhookPerMinute } : undefined;
  const failures = webhookAuthFailuresPerMinute > 0 ? { max: webhookAuthFailuresPerMinute } : undefined;
  const refusal = (taken: Taken) => (taken.ok ? undefined : { retryAfterMs: taken.retryAfterMs });
  const admit = perStrategy
    ? (strategyId: string) => {
        const taken = budgets.take(`alerts:strategy:${strategyId}`, perStrategy.max, 60_000);
        return taken instanceof Promise ? taken.then(refusal) : refusal(taken);
      }
    : undefined;
  const limited = (reply: FastifyReply, max: number, retryAfterMs: number, message: string) => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    void reply.header('retry-after', String(seconds)).header('ratelimit-limit', String(max)).header('ratelimit-remaining', '0').header('ratelimit-reset', String(seconds));
    return sendError(reply, 429, 'RATE_LIMITED', message);
  };
  /** failed authentication and refused sources spend the address's budget: 429 once it is spent */
  const failed = async (reply: FastifyReply, address: string): Promise<FastifyReply | undefined> => {
    const taken = failures ? await budgets.take(`alerts:failed:${address}`, failures.max, 60_000) : undefined;
    if (!taken || taken.ok) return undefined;
    return limited(reply, failures!.max, taken.retryAfterMs, `too many alerts that failed authentication from this address; retry in ${Math.ceil(taken.retryAfterMs / 1000)} s`);
  };
  // PATRIOT_WEBHOOK_ALLOW: checked on the client address before the body is read
  const serverWide = deps.security.webhookAllow ? sourceAllowlist(deps.security.webhookAllow) : undefined;
  const onRequest = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!serverWide || serverWide.allows(request.ip)) return;
    security?.note('webhook_source_refused', request.ip, 'SOURCE_NOT_ALLOWED');
    return (await failed(reply, request.ip)) ?? sendError(reply, 403, 'SOURCE_NOT_ALLOWED', 'this address may not send alerts');
  };
  app.removeAllContentTypeParsers();
  // the bytes as received (a signature covers them exactly), for this plugin's one route only
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ALERT_BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/webhook/:strategyId',
    {
      bodyLimit: ALERT_BODY_LIMIT,
      onRequest,
      schema: {
        tags: ['alerts'],
        summary: 'Receive a TradingView alert',
        description:
          'Send the alert message as the body (JSON or text, up to 64 KiB). Authenticate with the strategy secret in the body ("secret") or as ?token=. ' +
          'Answers 202 once the alert is durably recorded; a repeat of an alert already received answers 200 with the original signalId. ' +
          'A sender outside PATRIOT_WEBHOOK_ALLOW or the strategy\'s allowedSources gets 403 SOURCE_NOT_ALLOWED. ' +
          'Senders that can sign (not TradingView) may add X-Patriot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the strategy\'s signing key>, ' +
          'within 5 minutes of the server\'s clock; a wrong one is 401 INVALID_SIGNATURE, a missing one 401 SIGNATURE_REQUIRED when the strategy requires it.',
        params: WebhookParams,
        querystring: WebhookQuery,
        headers: WebhookHeaders,
        response: { 200: WebhookAck, 202: WebhookAck, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 422: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const receivedAtNs = process.hrtime.bigint();
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const body = rawBody.toString('utf8');
      const signatureHeader = request.headers[SIGNATURE_HEADER];
      const signature = Array.isArray(signatureHeader) ? signatureHeader.join(',') : signatureHeader;
      // refused before anything else: it would fail to be stored and be answered 503 "send it again" for ever
      if (NUL.test(body) || request.params.strategyId.includes('\u0000') || request.query.token?.includes('\u0000') === true) {
        return sendError(reply, 400, 'MALFORMED_BODY', 'the alert contains a NUL character');
      }
      let outcome;
      try {
        outcome = await deps.ingest({
          strategyId: request.params.strategyId, body, rawBody, source: request.ip,
          ...(request.query.token !== undefined ? { urlToken: request.query.token } : {}),
          ...(signature !== undefined ? { signature } : {}),
        }, admit);
      } catch (error) {
        request.log.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'alert could not be recorded');
        return sendError(reply, 503, 'STORE_UNAVAILABLE', 'the alert could not be recorded; it was not acknowledged, send it again');
      }
      switch (outcome.kind) {
        case 'accepted':
          deps.onAlertAccepted?.(outcome.signalId, receivedAtNs);
          return reply.code(202).send({ signalId: outcome.signalId, status: 'accepted' });
        case 'duplicate':
          return reply.code(200).send({ signalId: outcome.signalId, status: 'duplicate' });
        case 'refused':
          if (outcome.code === 'RATE_LIMITED' && perStrategy) return limited(reply, perStrategy.max, outcome.retryAfterMs ?? 60_000, outcome.message);
          if (outcome.unauthenticated) {
            const kind = outcome.code === 'SOURCE_NOT_ALLOWED' ? 'webhook_source_refused' : SIGNATURE_CODES.has(outcome.code) ? 'webhook_signature_invalid' : 'webhook_secret_invalid';
            security?.note(kind, request.ip, outcome.code, request.params.strategyId);
            const over = await failed(reply, request.ip);
            if (over) return over;
          }
          return sendError(reply, alertStatus(outcome.code), outcome.code, outcome.message, outcome.signalId !== undefined ? { signalId: outcome.signalId } : {});
      }
    },
  );
};
