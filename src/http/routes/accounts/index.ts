import { killSwitchOptions } from '../../kill-switch-options.js';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { AccountConnectionDto, AccountDto, FuturesSettingsBody, FuturesSettingsDto, CredentialsBody, CredentialsHint, KillSwitchBody, KillSwitchState, UserDto } from '../../../contracts/read-api.js';
import { sendError } from '../../errors.js';
import { NewAccountBody } from '../../../contracts/strategy-api.js';

const AccountParams = Type.Object({ accountId: Type.String({ maxLength: 64 }) });

/** Another tenant's account answers exactly like one that does not exist. */
const noSuchAccount = (reply: FastifyReply) => sendError(reply, 404, 'ACCOUNT_NOT_FOUND', 'no such account');

/** The dependencies these routes use (and nothing else). */
export type AccountRouteDeps = Pick<HttpDeps, 'configuration' | 'connectionOf' | 'credentials' | 'queries' | 'setKillSwitch' | 'tenantOf' | 'userOf' | 'waitForProjection'>;

export const accountRoutes: FastifyPluginAsync<{ deps: AccountRouteDeps }> = async (app, { deps }) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/me', {
    schema: { tags: ['accounts'], summary: 'The user this request acts for', response: { 200: UserDto, 404: ErrorBody } },
  }, async (request, reply) => (await deps.queries.user(deps.tenantOf(request), deps.userOf(request))) ?? sendError(reply, 404, 'USER_NOT_FOUND', 'no such user'));

  r.get('/accounts', {
    schema: { tags: ['accounts'], summary: 'Exchange accounts', response: { 200: Type.Object({ items: Type.Array(AccountDto) }) } },
  }, async (request) => ({ items: await deps.queries.accounts(deps.tenantOf(request)) }));

  r.post('/accounts', {
    schema: {
      tags: ['accounts'], summary: "Add an exchange account: 'paper' (the built-in simulator, with a starting balance) or a ccxt exchange (then set its API key with PUT /accounts/{id}/credentials)",
      body: NewAccountBody, response: { 201: AccountDto, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const tenantId = deps.tenantOf(request);
    const opened = await deps.configuration.openAccount(tenantId, request.body);
    if (!opened.ok) return sendError(reply, 422, opened.error.code, opened.error.message);
    if (opened.value.lastPosition !== undefined) await deps.waitForProjection(opened.value.lastPosition);
    return reply.code(201).send((await deps.queries.account(tenantId, opened.value.accountId))!);
  });

  r.get('/accounts/:accountId', {
    schema: { tags: ['accounts'], summary: 'One exchange account', params: AccountParams, response: { 200: AccountDto, 404: ErrorBody } },
  }, async (request, reply) => {
    const account = await deps.queries.account(deps.tenantOf(request), request.params.accountId);
    return account ?? noSuchAccount(reply);
  });

  r.get('/accounts/:accountId/connection', {
    schema: { tags: ['accounts'], summary: "The account's exchange connection: fill stream and circuit breaker", params: AccountParams, response: { 200: AccountConnectionDto, 404: ErrorBody } },
  }, async (request, reply) => {
    const account = await deps.queries.account(deps.tenantOf(request), request.params.accountId);
    return account ? deps.connectionOf(account.accountId, account.exchange) : noSuchAccount(reply);
  });

  r.put('/accounts/:accountId/credentials', {
    config: { rateClass: 'trading' },
    schema: {
      tags: ['accounts'], summary: "Set the account's exchange API key (write-only: stored encrypted, answered with a masked hint)",
      params: AccountParams, body: CredentialsBody, response: { 200: CredentialsHint, 404: ErrorBody, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const tenantId = deps.tenantOf(request);
    const account = await deps.queries.account(tenantId, request.params.accountId);
    if (!account) return noSuchAccount(reply);
    if (account.exchange === 'paper') return sendError(reply, 422, 'NO_CREDENTIALS_NEEDED', 'a paper account trades the built-in simulator and takes no API key');
    const { apiKey, secret, password } = request.body;
    const result = await deps.credentials.set(tenantId, account.accountId, { apiKey, secret, ...(password !== undefined ? { password } : {}) });
    if ('refused' in result) return sendError(reply, 422, result.refused.code, result.refused.message);
    if (result.lastPosition !== undefined) await deps.waitForProjection(result.lastPosition);
    return result.hint;
  });

  r.get('/accounts/:accountId/credentials', {
    schema: { tags: ['accounts'], summary: "The account's exchange API key, masked", params: AccountParams, response: { 200: CredentialsHint, 404: ErrorBody } },
  }, async (request, reply) => {
    const tenantId = deps.tenantOf(request);
    const account = await deps.queries.account(tenantId, request.params.accountId);
    if (!account) return noSuchAccount(reply);
    return (await deps.credentials.hint(tenantId, account.accountId)) ?? sendError(reply, 404, 'NO_CREDENTIALS', 'no API key is set for this account');
  });

  r.delete('/accounts/:accountId/credentials', {
    config: { rateClass: 'trading' },
    schema: { tags: ['accounts'], summary: "Remove the account's exchange API key", params: AccountParams, response: { 204: Type.Null(), 404: ErrorBody } },
  }, async (request, reply) => {
    const tenantId = deps.tenantOf(request);
    const account = await deps.queries.account(tenantId, request.params.accountId);
    if (!account) return noSuchAccount(reply);
    const result = await deps.credentials.remove(tenantId, account.accountId);
    if (!result.removed) return sendError(reply, 404, 'NO_CREDENTIALS', 'no API key is set for this account');
    if (result.lastPosition !== undefined) await deps.waitForProjection(result.lastPosition);
    return reply.code(204).send(null);
  });

  r.get('/accounts/:accountId/futures', {
    schema: { tags: ['accounts'], summary: "A swap account's leverage and margin mode (default and per symbol)", params: AccountParams, response: { 200: FuturesSettingsDto, 404: ErrorBody } },
  }, async (request, reply) => {
    const account = await deps.queries.account(deps.tenantOf(request), request.params.accountId);
    if (!account) return noSuchAccount(reply);
    return account.futures ?? sendError(reply, 404, 'NO_FUTURES_SETTINGS', 'no leverage or margin mode is set for this account: the exchange keeps its own');
  });

  r.put('/accounts/:accountId/futures', {
    config: { rateClass: 'trading' },
    schema: {
      tags: ['accounts'], summary: "Set a swap account's leverage and margin mode (default and per symbol): set on the exchange before the next order of each symbol",
      params: AccountParams, body: FuturesSettingsBody, response: { 200: FuturesSettingsDto, 404: ErrorBody, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const tenantId = deps.tenantOf(request);
    const account = await deps.queries.account(tenantId, request.params.accountId);
    if (!account) return noSuchAccount(reply);
    const result = await deps.configuration.setFuturesSettings(tenantId, account.accountId, request.body, `user:${deps.userOf(request)}`);
    if (!result.ok) return result.error.code === 'ACCOUNT_NOT_FOUND' ? noSuchAccount(reply) : sendError(reply, 422, result.error.code, result.error.message);
    if (result.value.lastPosition !== undefined) await deps.waitForProjection(result.value.lastPosition);
    return (await deps.queries.account(tenantId, account.accountId))!.futures;
  });

  r.put('/accounts/:accountId/kill-switch', {
    schema: {
      tags: ['risk'], summary: "Engage or release one account's kill switch (every new order of the account is refused while engaged); optionally cancel its open orders and flatten its positions",
      params: AccountParams, body: KillSwitchBody, response: { 200: KillSwitchState, 404: ErrorBody, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const tenantId = deps.tenantOf(request);
    const account = await deps.queries.account(tenantId, request.params.accountId);
    if (!account) return noSuchAccount(reply);
    const reason = request.body.reason ?? 'engaged through the API';
    const options = killSwitchOptions(request.body, `user:${deps.userOf(request)}`);
    if (!options.ok) return sendError(reply, 422, options.error.code, options.error.message);
    const result = await deps.setKillSwitch(tenantId, { accountId: account.accountId }, request.body.engaged, reason, options.value);
    if (!result.ok) return sendError(reply, 422, result.error.code, result.error.message);
    if (result.value.lastPosition !== undefined) await deps.waitForProjection(result.value.lastPosition);
    return (await deps.queries.account(tenantId, account.accountId))!.killSwitch;
  });
};
