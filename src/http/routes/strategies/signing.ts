import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { NewSigningKeyBody, NewSigningKeyDto, SigningRequiredBody, SigningStatusDto } from '../../../contracts/signing-api.js';
import type { DomainError } from '../../../domain/shared/result.js';
import { SIGNATURE_TOLERANCE_SECONDS } from '../../../application/ingest/alert-signature.js';
import { sendError } from '../../errors.js';

const StrategyParams = Type.Object({ strategyId: Type.String({ maxLength: 64 }) });
const STATUS: Readonly<Record<string, number>> = { STRATEGY_NOT_FOUND: 404, NO_SIGNING_KEY: 404, SIGNING_KEY_UNREADABLE: 409, CONFLICT: 409 };
const refused = (reply: FastifyReply, error: DomainError) => sendError(reply, STATUS[error.code] ?? 409, error.code, error.message);

/**
 * A strategy's signing key for signed alerts (senders that can sign; TradingView cannot): see the
 * status, create or rotate the key (shown in that answer only), require signatures or not, remove
 * it. Writes need the trader role, as for the webhook secret; another tenant's strategy is 404.
 */
/** The dependencies these routes use (and nothing else). */
export type SigningRouteDeps = Pick<HttpDeps, 'configuration' | 'tenantOf'>;

export const strategySigningRoutes: FastifyPluginAsync<{ deps: SigningRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const signing = deps.configuration.signing;

  r.get('/strategies/:strategyId/signing-key', {
    schema: { tags: ['strategies'], summary: 'Whether the strategy has a signing key for signed alerts and requires signatures (never the key)', params: StrategyParams, response: { 200: SigningStatusDto, 404: ErrorBody } },
  }, async (request, reply) => {
    const status = await signing.status(deps.tenantOf(request), request.params.strategyId);
    return status.ok ? status.value : refused(reply, status.error);
  });

  r.post('/strategies/:strategyId/signing-key', {
    schema: {
      tags: ['strategies'],
      summary: 'Create or rotate the signing key (the old one stops working at once); the key is shown in this answer only. Sign with X-Patriot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">',
      params: StrategyParams, body: NewSigningKeyBody, response: { 201: NewSigningKeyDto, 404: ErrorBody },
    },
    // a bare POST (no body) asks for the defaults, like `{}`
    preValidation: async (request) => {
      if (request.body === undefined) request.body = {};
    },
  }, async (request, reply) => {
    const created = await signing.create(deps.tenantOf(request), request.params.strategyId, request.body.required);
    if (!created.ok) return refused(reply, created.error);
    const { key, required, createdAt } = created.value;
    return reply.code(201).send({ key, required, createdAt, header: 'X-Patriot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">', toleranceSeconds: SIGNATURE_TOLERANCE_SECONDS });
  });

  r.put('/strategies/:strategyId/signing-key/required', {
    schema: {
      tags: ['strategies'], summary: 'Require signed alerts (unsigned ones get 401 SIGNATURE_REQUIRED) or stop requiring them (signed ones are still checked)',
      params: StrategyParams, body: SigningRequiredBody, response: { 200: SigningStatusDto, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request, reply) => {
    const changed = await signing.setRequired(deps.tenantOf(request), request.params.strategyId, request.body.required);
    return changed.ok ? changed.value : refused(reply, changed.error);
  });

  r.delete('/strategies/:strategyId/signing-key', {
    schema: { tags: ['strategies'], summary: 'Remove the signing key: alerts are neither checked for nor required to carry a signature', params: StrategyParams, response: { 200: SigningStatusDto, 404: ErrorBody } },
  }, async (request, reply) => {
    const removed = await signing.remove(deps.tenantOf(request), request.params.strategyId);
    return removed.ok ? removed.value : refused(reply, removed.error);
  });
};
