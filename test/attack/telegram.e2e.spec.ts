/**
 * Telegram under attack (issue 19): another tenant's admin sees, unlinks and takes over nothing
 * (not the bot, not its chats, not its codes); a viewer cannot set the bot up; a user disabled or
 * demoted after linking is no longer obeyed from the chat; the token is in no answer and no log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, login, startTestServer, type TestServer } from '../support/server.js';
import { FakeTelegram, type SentMessage } from '../support/fake-telegram.js';
import { recordSecrets } from '../support/secret-scan.js';
import { addUser } from './support.js';

const FAST = { allowPrivate: true, timeoutMs: 5000, retryBaseMs: 20, retryMaxMs: 200, giveUpAfterMs: 86_400_000, pollMs: 200 };

describe('Telegram: tenants, roles and revocation', () => {
  const ours = new FakeTelegram();
  let server: TestServer;
  let mallory: string;

  beforeAll(async () => {
    await ours.start();
    recordSecrets(ours.token);
    server = await startTestServer({ config: { outbound: { ...FAST, telegram: { apiRoot: ours.apiRoot, pollTimeoutS: 1, digestMaxMessages: 10, digestWindowMs: 60_000 } } } });
    await server.runtime.auth.setLogin('mallory', { userId: 'usr_mallory', tenantId: 'tnt_mallory', role: 'admin' }, 'mallory-password-1');
    recordSecrets('mallory-password-1');
    mallory = (await login(server.runtime, 'mallory', 'mallory-password-1'))!;
    const set = await fetchJson(server.runtime, '/api/v1/telegram/bot', { method: 'PUT', json: { token: ours.token } });
    expect(set.status, set.text).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
    await ours.stop();
    cleanupTempDirs();
  });

  const say = async (chatId: number, text: string): Promise<SentMessage> => {
    const before = ours.to(chatId).length;
    ours.userSends(chatId, text);
    return ours.waitFor(chatId, (m) => !m.text.startsWith('PATRIOT · '), `an answer to ${text}`, 20_000, before);
  };

  it('another tenant\'s admin sees no bot and no chat, cannot unlink ours, cannot take our bot over', async () => {
    const code = await fetchJson<{ code: string }>(server.runtime, '/api/v1/telegram/link-codes', { method: 'POST' });
    expect((await say(9101, `/link ${code.body.code}`)).text).toMatch(/^Linked/);

    const seen = await fetchJson<{ bot?: unknown; links: unknown[] }>(server.runtime, '/api/v1/telegram', { token: mallory });
    expect(seen.body).toEqual({ links: [] });
    const unlink = await fetchJson<{ error: { code: string } }>(server.runtime, '/api/v1/telegram/links/9101', { method: 'DELETE', token: mallory });
    expect([unlink.status, unlink.body.error.code]).toEqual([404, 'LINK_NOT_FOUND']);
    const takeOver = await fetchJson<{ error: { code: string } }>(server.runtime, '/api/v1/telegram/bot', { method: 'PUT', json: { token: ours.token }, token: mallory });
    expect([takeOver.status, takeOver.body.error.code]).toEqual([409, 'BOT_IN_USE']);
    const noBot = await fetchJson<{ error: { code: string } }>(server.runtime, '/api/v1/telegram/link-codes', { method: 'POST', token: mallory });
    expect([noBot.status, noBot.body.error.code]).toEqual([409, 'TELEGRAM_NOT_CONFIGURED']);
    expect((await fetchJson<{ links: { chatId: number }[] }>(server.runtime, '/api/v1/telegram')).body.links.map((l) => l.chatId)).toEqual([9101]);
  });

  it('a viewer cannot set the bot up; every answer shows the token masked only', async () => {
    await addUser(server, 'tg-viewer', 'viewer', 'tg-viewer-password-1');
    const viewer = (await login(server.runtime, 'tg-viewer', 'tg-viewer-password-1'))!;
    const refused = await fetchJson<{ error: { code: string } }>(server.runtime, '/api/v1/telegram/bot', { method: 'PUT', json: { kinds: ['fill'] }, token: viewer });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const status = await fetchJson<{ bot: { maskedToken: string } }>(server.runtime, '/api/v1/telegram', { token: viewer });
    expect(status.body.bot.maskedToken).toBe(`${ours.token.split(':')[0]}:…${ours.token.slice(-4)}`);
    expect(status.text).not.toContain(ours.token.split(':')[1]);
  });

  it('a trader demoted to viewer after linking cannot /kill from the chat; once disabled, the chat is not obeyed at all', async () => {
    const traderId = await addUser(server, 'tg-trader', 'trader', 'tg-trader-password-1');
    const trader = (await login(server.runtime, 'tg-trader', 'tg-trader-password-1'))!;
    const code = await fetchJson<{ code: string }>(server.runtime, '/api/v1/telegram/link-codes', { method: 'POST', token: trader });
    expect((await say(9202, `/link ${code.body.code}`)).text).toMatch(/^Linked/);
    const ask = await say(9202, '/kill');
    expect(ask.replyMarkup?.inline_keyboard?.[0]?.[0]?.text).toBe('Yes, engage');

    const demoted = await fetchJson(server.runtime, `/api/v1/users/${traderId}/role`, { method: 'PUT', json: { role: 'viewer' } });
    expect(demoted.status, demoted.text).toBe(200);
    // the button asked for before the demotion is checked again when pressed
    ours.userPresses(9202, ask, ask.replyMarkup!.inline_keyboard![0]![0]!.callback_data!);
    await ours.waitFor(9202, () => ours.edited.some((e) => e.messageId === ask.messageId), 'the button answered');
    expect(ours.edited.find((e) => e.messageId === ask.messageId)!.text).toBe('Refused: your role is viewer; this needs the trader role.');
    expect((await fetchJson<{ engaged: boolean }>(server.runtime, '/api/v1/kill-switch')).body.engaged).toBe(false);

    const disabled = await fetchJson(server.runtime, `/api/v1/users/${traderId}/disable`, { method: 'POST' });
    expect(disabled.status, disabled.text).toBe(200);
    expect((await say(9202, '/status')).text).toBe('Your PATRIOT user is disabled or removed: this chat is not answered.');
    expect(server.logs.text()).not.toContain(ours.token.split(':')[1]);
  });
});
