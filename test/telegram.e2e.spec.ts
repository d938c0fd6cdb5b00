/**
 * Telegram end to end (issue 19): a whole server with the Bot API root pointed at a local fake
 * Bot API. The bot is set up over the API (token checked, sealed, shown masked), users link their
 * chats with one-time codes, a fill reaches the linked chat, a viewer's /kill is refused while a
 * trader's engages the kill switch after the confirmation button (recorded with who), /pnl equals
 * the API's numbers, /pause and /resume a strategy, and a Bot API that is down holds up no trading:
 * its notices arrive once it is back. Nothing here sleeps: every wait is for an observable event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dec, shownDec } from '../src/domain/shared/decimal.js';
import { cleanupTempDirs, demoOf, fetchJson, login, marketAlert, postAlert, quiesce, startTestServer, waitUntil, type PositionWithPnl, type TestServer } from './support/server.js';
import { FakeTelegram, type SentMessage } from './support/fake-telegram.js';
import { recordSecrets } from './support/secret-scan.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const FAST_OUTBOUND = { allowPrivate: true, timeoutMs: 5000, retryBaseMs: 20, retryMaxMs: 200, giveUpAfterMs: 86_400_000, pollMs: 200 };
const TRADER_CHAT = 7001;
const VIEWER_CHAT = 7002;

describe('Telegram against a fake Bot API', () => {
  const fake = new FakeTelegram();
  let server: TestServer;
  let alerts = 0;
  const users: Record<'trader' | 'viewer', { userId: string; token: string }> = {} as never;

  beforeAll(async () => {
    await fake.start();
    recordSecrets(fake.token);
    server = await startTestServer({ config: { snapshotIntervalMs: 1000, outbound: { ...FAST_OUTBOUND, telegram: { apiRoot: fake.apiRoot, pollTimeoutS: 1, digestMaxMessages: 10, digestWindowMs: 60_000 } } } });
    server.runtime.feed.setPrice('BTC/USDT', '97000');
  });
  afterAll(async () => {
    await server?.close();
    await fake.stop();
    cleanupTempDirs();
  });

  const rt = () => server.runtime;
  const say = async (chatId: number, text: string): Promise<SentMessage> => {
    const before = fake.to(chatId).length;
    fake.userSends(chatId, text);
    return fake.waitFor(chatId, (m) => !m.text.startsWith('PATRIOT · '), `an answer to ${text}`, 20_000, before); // notices start so; answers never
  };
  const trade = async (): Promise<void> => {
    const res = await postAlert(rt(), marketAlert(demoOf(rt()).secret, { id: `tg-${++alerts}`, quantity: '0.01' }));
    expect(res.status, res.text).toBe(202);
    await quiesce(rt());
  };

  it('sets the bot up over the API: bad tokens refused with stable codes, the token checked with getMe and shown masked only (sealed at rest: telegram.int.spec.ts)', async () => {
    const bad = await fetchJson<{ error: { code: string } }>(rt(), '/api/v1/telegram/bot', { method: 'PUT', json: { token: 'not-a-token' } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'INVALID_BOT_TOKEN']);
    const unknown = await fetchJson<{ error: { code: string } }>(rt(), '/api/v1/telegram/bot', { method: 'PUT', json: { token: '123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    expect([unknown.status, unknown.body.error.code]).toEqual([400, 'INVALID_BOT_TOKEN']);
    const noCode = await fetchJson<{ error: { code: string } }>(rt(), '/api/v1/telegram/link-codes', { method: 'POST' });
    expect([noCode.status, noCode.body.error.code]).toEqual([409, 'TELEGRAM_NOT_CONFIGURED']);

    const set = await fetchJson<{ username: string; maskedToken: string; kinds: string[] }>(rt(), '/api/v1/telegram/bot', { method: 'PUT', json: { token: fake.token, kinds: ['fill', 'kill_switch'] } });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ username: fake.username, maskedToken: `${fake.token.split(':')[0]}:…${fake.token.slice(-4)}`, kinds: ['fill', 'kill_switch'] });
    expect(set.text).not.toContain(fake.token.split(':')[1]);
  });

  it('links a trader\'s and a viewer\'s chats with one-time codes; a reused code links nothing', async () => {
    for (const role of ['trader', 'viewer'] as const) {
      const password = `telegram-${role}-password-1234`;
      const created = await fetchJson<{ userId: string }>(rt(), '/api/v1/users', { method: 'POST', json: { username: `tg-${role}`, name: role, role, password } });
      expect(created.status, created.text).toBe(201);
      users[role] = { userId: created.body.userId, token: (await login(rt(), `tg-${role}`, password))! };
    }
    const codeOf = async (role: 'trader' | 'viewer') => {
      const res = await fetchJson<{ code: string; command: string; url: string }>(rt(), '/api/v1/telegram/link-codes', { method: 'POST', token: users[role].token });
      expect(res.status, res.text).toBe(201);
      expect(res.body.url).toBe(`https://t.me/${fake.username}?start=${res.body.code}`);
      return res.body.code;
    };
    const traderCode = await codeOf('trader');
    expect((await say(TRADER_CHAT, `/link ${traderCode}`)).text).toMatch(new RegExp(`^Linked to PATRIOT user ${users.trader.userId}`));
    expect((await say(VIEWER_CHAT, `/start ${traderCode}`)).text).toMatch(/^That code is not valid/);
    expect((await say(VIEWER_CHAT, `/start ${await codeOf('viewer')}`)).text).toMatch(/^Linked/);
    const mine = await fetchJson<{ links: { chatId: number; userId: string }[] }>(rt(), '/api/v1/telegram', { token: users.viewer.token });
    expect(mine.body.links).toEqual([{ chatId: VIEWER_CHAT, userId: users.viewer.userId, linkedAt: expect.any(String), kinds: expect.arrayContaining(['fill']), timeZone: 'UTC', summaryAt: '08:00' }]);
  });

  it('a fill reaches the linked chats', async () => {
    const before = fake.to(TRADER_CHAT).length;
    await trade();
    const notice = await fake.waitFor(TRADER_CHAT, (m) => m.text.startsWith('PATRIOT · Filled: BUY 0.01 BTC/USDT'), 'the fill notice', 20_000, before);
    expect(notice.text).toContain(demoOf(rt()).accountId);
  });

  it('a viewer\'s /kill is refused; a trader\'s engages the global kill switch after the confirmation button, recorded with who', async () => {
    const refused = await say(VIEWER_CHAT, '/kill');
    expect(refused.text).toBe('Refused: your role is viewer; /kill needs the trader role.');
    expect(refused.replyMarkup).toBeUndefined();
    expect((await fetchJson<{ engaged: boolean }>(rt(), '/api/v1/kill-switch')).body.engaged).toBe(false);

    const ask = await say(TRADER_CHAT, '/kill');
    const yes = ask.replyMarkup!.inline_keyboard![0]!.find((b) => b.text.startsWith('Yes'))!;
    expect((await fetchJson<{ engaged: boolean }>(rt(), '/api/v1/kill-switch')).body.engaged).toBe(false); // nothing before the button
    fake.userPresses(TRADER_CHAT, ask, yes.callback_data!);
    await waitUntil(() => fake.edited.find((e) => e.messageId === ask.messageId && e.text.startsWith('Global kill switch ENGAGED')), 'the confirmation answered');
    const ks = await fetchJson<{ engaged: boolean; reason: string }>(rt(), '/api/v1/kill-switch');
    expect(ks.body).toEqual({ engaged: true, reason: `engaged from Telegram by user ${users.trader.userId}` });
    // a used button does nothing again
    fake.userPresses(TRADER_CHAT, ask, yes.callback_data!);
    await waitUntil(() => fake.edited.find((e) => e.messageId === ask.messageId && e.text.startsWith('This button has expired')), 'the reused button refused');
    // the kill switch notice reaches the chats
    await fake.waitFor(VIEWER_CHAT, (m) => m.text === `PATRIOT · Global kill switch ENGAGED: engaged from Telegram by user ${users.trader.userId}`, 'the kill switch notice');

    const release = await say(TRADER_CHAT, '/resume');
    fake.userPresses(TRADER_CHAT, release, release.replyMarkup!.inline_keyboard![0]![0]!.callback_data!);
    await waitUntil(() => fake.edited.find((e) => e.messageId === release.messageId && e.text === 'Global kill switch released.'), 'the release answered');
    expect((await fetchJson<{ engaged: boolean }>(rt(), '/api/v1/kill-switch')).body.engaged).toBe(false);
  });

  it('/pause and /resume a strategy go through the same command as the API; a viewer cannot', async () => {
    const strategyId = demoOf(rt()).strategyId;
    expect((await say(VIEWER_CHAT, `/pause ${strategyId}`)).text).toBe('Refused: your role is viewer; /pause needs the trader role.');
    expect((await say(TRADER_CHAT, `/pause ${strategyId}`)).text).toBe(`Strategy ${strategyId} paused.`);
    expect((await fetchJson<{ status: string }>(rt(), `/api/v1/strategies/${strategyId}`)).body.status).toBe('paused');
    expect((await say(TRADER_CHAT, '/pause nope')).text).toMatch(/^Refused: .*STRATEGY_NOT_FOUND/);
    expect((await say(TRADER_CHAT, `/resume ${strategyId}`)).text).toBe(`Strategy ${strategyId} resumed.`);
    expect((await fetchJson<{ status: string }>(rt(), `/api/v1/strategies/${strategyId}`)).body.status).toBe('active');
  });

  it('/pnl answers the numbers of the API: realised + unrealised − fees per account, and the day\'s equity change from the equity curve', async () => {
    rt().feed.setPrice('BTC/USDT', '97500'); // an unrealised gain on the position bought above
    const items = (await fetchJson<{ items: PositionWithPnl[] }>(rt(), '/api/v1/positions')).body.items;
    const accountId = demoOf(rt()).accountId;
    const mine = items.filter((p) => p.accountId === accountId);
    const sum = (values: (string | undefined)[]) => values.reduce((a, v) => a.plus(v ?? '0'), new Dec(0));
    const realised = sum(mine.map((p) => p.realizedPnl));
    const unrealised = sum(mine.map((p) => p.unrealizedPnl));
    const fees = sum(mine.map((p) => p.feesPaid));
    expect(unrealised.isZero()).toBe(false);
    const signed = (d: Dec) => `${d.isNegative() ? '' : '+'}${shownDec(d.toFixed())}`;
    const answer = await say(TRADER_CHAT, '/pnl');
    expect(answer.text).toContain(`(${accountId}): PnL after fees ${signed(realised.plus(unrealised).minus(fees))} USDT (realised ${signed(realised)}, unrealised ${signed(unrealised)}, fees ${shownDec(fees.toFixed())})`);
    expect((await say(TRADER_CHAT, '/pnl year')).text).toBe('Usage: /pnl, /pnl day or /pnl week');

    // the day's equity change: the first and last points of the API's equity curve (1 s grid: two snapshots a grid step apart)
    const curve = async () => (await fetchJson<{ points: { equity: string }[] }>(rt(), `/api/v1/accounts/${accountId}/equity`)).body.points;
    let price = 98000;
    const points = await waitUntil(async () => {
      rt().feed.setPrice('BTC/USDT', String((price += 10))); // each snapshot at another price: the grid's first and last points differ
      await rt().snapshotNow();
      const got = await curve();
      return got.length >= 2 && got[0]!.equity !== got[got.length - 1]!.equity ? got : undefined;
    }, 'two snapshots of different equity', 20_000, 200);
    const day = await say(TRADER_CHAT, '/pnl day');
    expect(day.text).toContain(`(${accountId}): equity ${signed(new Dec(points[points.length - 1]!.equity).minus(points[0]!.equity))} USDT over the last day (${points[0]!.equity} → ${points[points.length - 1]!.equity})`);
    expect((await say(VIEWER_CHAT, '/status')).text).toMatch(/^Global kill switch: released/);
  });

  it('the Bot API down holds up no trading and no other channel; the notices arrive once it is back', async () => {
    const receiver = new WebhookReceiver('/telegram-e2e/path-token-tttttttttttt');
    recordSecrets(receiver.path);
    await receiver.up();
    const endpoint = await fetchJson<{ secret: string }>(rt(), '/api/v1/outbound-webhooks', { json: { url: receiver.url, kinds: ['fill'] } });
    expect(endpoint.status, endpoint.text).toBe(201);
    receiver.secret = endpoint.body.secret;
    const before = fake.to(TRADER_CHAT).length;
    fake.down();
    await trade(); // trading goes on: the order is filled and recorded while Telegram is away
    await trade();
    const orders = await fetchJson<{ items: { status: string }[] }>(rt(), '/api/v1/orders?limit=2');
    expect(orders.body.items.map((o) => o.status)).toEqual(['filled', 'filled']);
    // another channel gets both fills while Telegram is away
    await waitUntil(() => receiver.received.filter((r) => r.type === 'OrderFilled').length === 2, 'the webhook receiver to get both fills', 20_000);
    await waitUntil(() => server.logs.text().includes('a Telegram notice failed'), 'a failed try to be logged', 20_000);
    expect(fake.to(TRADER_CHAT).length).toBe(before);
    await receiver.down();
    fake.up();
    await fake.waitFor(TRADER_CHAT, () => fake.to(TRADER_CHAT).slice(before).filter((m) => m.text.startsWith('PATRIOT · Filled')).length === 2, 'both fills after the outage');
    expect(server.logs.text()).not.toContain(fake.token.split(':')[1]);
  });
});
