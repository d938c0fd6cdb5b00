/**
 * A linked Telegram chat's own choices (issue 19) against the local fake Bot API: its kinds (not
 * only the bot's), its quiet hours in its time zone (only critical notices in them; the rest held
 * and sent as one digest message when they end), changed only by its user or an admin.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HeldNotices } from '../held-notices.js';
import { telegramWorld } from './test-support/telegram-world.js';

type World = Awaited<ReturnType<typeof telegramWorld>>;
const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
});

async function until(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const CHAT = 2001;

describe('a linked chat\'s settings', () => {
  it('its own kinds and quiet hours: the kill switch goes at once at night, the fills wait and come as one digest at 07:00 Berlin time', async () => {
    const w = await telegramWorld();
    worlds.push(w);
    await w.link(CHAT, 'user-trader', ['fill', 'kill_switch', 'alert_rejected', 'order_expired']);
    const at = (iso: string) => (w.clock.shiftMs = Date.parse(iso) - Date.now());
    at('2026-01-15T21:30:00Z'); // 22:30 in Berlin

    // only its user or an admin; bad values refused, nothing changed
    expect(await w.admin.changeChatSettings('t1', 'someone-else', 'trader', CHAT, { kinds: ['fill'] })).toMatchObject({ ok: false, error: { code: 'LINK_NOT_FOUND' } });
    expect(await w.admin.changeChatSettings('t1', 'user-trader', 'trader', CHAT, { quietHours: { from: '22:00', to: '22:00' } })).toMatchObject({ ok: false, error: { code: 'INVALID_QUIET_HOURS' } });
    expect((await w.store.link('t1', CHAT))?.quietHours).toBeUndefined();
    const changed = await w.admin.changeChatSettings('t1', 'user-trader', 'trader', CHAT, { kinds: ['fill', 'kill_switch'], timeZone: 'Europe/Berlin', quietHours: { from: '22:00', to: '07:00' } });
    expect(changed).toMatchObject({ ok: true, value: { kinds: ['fill', 'kill_switch'], timeZone: 'Europe/Berlin' } });
    await w.service.refresh(); // the runner starts again with the chat's settings

    const before = w.fake.to(CHAT).length;
    await w.fills(3);
    await w.events.append({ streamId: 'account-a1', expectedVersion: 'any', metadata: { tenantId: 't1', time: new Date().toISOString() }, events: [
      { type: 'OrderExpired', data: { clientOrderId: 'x1', accountId: 'a1' } }, // a kind the chat did not choose (the bot has it)
      { type: 'KillSwitchEngaged', data: { accountId: 'a1', reason: 'daily loss limit' } },
    ] });
    await until(() => w.fake.to(CHAT).length > before, 'the kill switch notice');
    expect(w.fake.to(CHAT).slice(before).map((m) => m.text)).toEqual(['PATRIOT · Kill switch ENGAGED on a1: daily loss limit']);
    const held = new HeldNotices(w.kv);
    expect((await held.all(`telegram@t1/${CHAT}`)).map((h) => h.notice.type)).toEqual(['OrderFilled', 'OrderFilled', 'OrderFilled']);

    at('2026-01-16T06:00:00Z'); // 07:00 in Berlin: the window ended; the next poll's pass sends the digest
    await w.service.refresh();
    await until(() => w.fake.to(CHAT).length > before + 1, 'the digest');
    const digest = w.fake.to(CHAT)[before + 1]!.text;
    expect(digest).toContain('Digest of 3 notices');
    expect(digest).toContain('held during quiet hours');
    await until(async () => (await held.all(`telegram@t1/${CHAT}`)).length === 0, 'the held notices released');
    expect(w.fake.to(CHAT)).toHaveLength(before + 2);

    // the chat's delivery log: each message with its status and attempts, for its user (or an admin) only
    const log = await w.admin.deliveries('t1', 'user-trader', 'trader', CHAT, 10);
    expect(log.ok && log.value.map((d) => [d.type, d.status, d.attempts])).toEqual([['Digest', 'delivered', 1], ['KillSwitchEngaged', 'delivered', 1]]);
    expect(await w.admin.deliveries('t1', 'someone-else', 'viewer', CHAT, 10)).toMatchObject({ ok: false, error: { code: 'LINK_NOT_FOUND' } });
  });
});

describe('a linked chat\'s delivery log', () => {
  it('shows a message pending with its attempts and last error while the Bot API is down (never the token), then delivered', async () => {
    const w = await telegramWorld();
    worlds.push(w);
    await w.link(CHAT, 'user-trader');
    w.fake.down();
    await w.fills(1);
    const pending = async () => {
      const log = await w.admin.deliveries('t1', 'user-trader', 'admin', CHAT, 10);
      return log.ok ? log.value : [];
    };
    await until(async () => (await pending()).some((d) => d.status === 'pending' && d.attempts >= 2), 'a pending delivery tried twice');
    const shown = await pending();
    expect(shown[0]).toMatchObject({ type: 'OrderFilled', kind: 'fill', status: 'pending', lastError: expect.any(String) });
    expect(JSON.stringify(shown)).not.toContain(w.fake.token.split(':')[1]);
    w.fake.up();
    await until(async () => (await pending())[0]?.status === 'delivered', 'the delivery recorded delivered');
    expect((await pending())[0]!.attempts).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
