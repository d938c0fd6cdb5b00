/**
 * Per-channel choices and quiet hours (issue 19) on a Discord endpoint, with the clock injected:
 * a channel gets only the kinds it chose; during its quiet hours (22:00–07:00 Europe/Berlin) only
 * critical notices go out, the rest are held (not dropped) and go as ONE digest once the window
 * ended; a bad setting is refused with a stable code and changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { notifyWorld } from './test-support/notify-world.js';
import { ChatReceiver } from '../../../test/support/chat-receivers.js';
import { NOTICE_KINDS } from '../../domain/notices/notice.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const fill = (i: number, complete = true) => ({
  clientOrderId: `c${i}`, accountId: 'acc1', strategyId: 's1', tradeId: `tr${i}`, symbol: 'BTC/USDT', side: 'buy', quantity: '0.01', price: '97000', fee: '0.97', feeCurrency: 'USDT', liquidity: 'taker', filledAt: '2026-01-15T21:30:00.000Z', cumulativeQuantity: '0.01', complete,
});

async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function world(startAt: string) {
  let now = Date.parse(startAt);
  const w = await notifyWorld({ clock: { now: () => now } });
  closers.push(() => w.close());
  const chat = new ChatReceiver('/api/webhooks/9/quiet');
  await chat.up();
  closers.push(() => chat.down());
  const created = await w.admin.create('t1', { url: chat.url, format: 'discord' });
  if (!created.ok) throw new Error(created.error.message);
  const id = created.value.endpoint.endpointId;
  return { ...w, chat, id, setNow: (iso: string) => (now = Date.parse(iso)) };
}

describe('a channel\'s choices', () => {
  it('defaults to every kind, gets only the kinds it chose after a change, tells partial fills apart, and refuses a bad setting with nothing changed', async () => {
    const w = await world('2026-01-15T12:00:00Z');
    expect((await w.admin.list('t1'))[0]!.kinds).toContain('daily_summary');
    for (const [input, code] of [
      [{ kinds: ['fill', 'funding_paid'] }, 'UNKNOWN_EVENT_KIND'], [{ kinds: [] }, 'UNKNOWN_EVENT_KIND'], [{ timeZone: 'Europe/Nowhere' }, 'INVALID_TIME_ZONE'],
      [{ quietHours: { from: '22:00', to: '7' } }, 'INVALID_QUIET_HOURS'], [{ summaryAt: '24:00' }, 'INVALID_SUMMARY_TIME'],
    ] as const) {
      const refused = await w.admin.changeSettings('t1', w.id, input);
      expect(refused.ok ? 'changed' : refused.error.code, JSON.stringify(input)).toBe(code);
    }
    expect(await w.admin.changeSettings('t2', w.id, { kinds: ['fill'] })).toMatchObject({ ok: false, error: { code: 'ENDPOINT_NOT_FOUND' } });
    expect((await w.admin.list('t1'))[0]!.kinds).toEqual([...NOTICE_KINDS]); // nothing changed
    expect(await w.admin.changeSettings('t1', w.id, { kinds: ['partial_fill', 'order_unknown'] })).toMatchObject({ ok: true, value: { kinds: ['partial_fill', 'order_unknown'] } });

    await w.webhooks.start();
    await w.append('order-c1', 'OrderFilled', fill(1, true)); // a complete fill: not chosen
    await w.append('order-c2', 'OrderFilled', fill(2, false)); // a partial fill: chosen
    await w.append('order-c3', 'OrderStatusUnknown', { clientOrderId: 'c3', accountId: 'acc1', reason: 'timeout' });
    await until(() => w.chat.messages.length, (n) => n >= 2);
    expect(w.chat.messages.map((m) => m.text.replace('**PATRIOT** · ', '').slice(0, 20))).toEqual(['Partial fill: BUY 0.', 'Order state unknown ']);
  });
});

describe('quiet hours', () => {
  it('during 22:00–07:00 Europe/Berlin only critical notices go out; the others go as one digest when the window ends, each notice counted once', async () => {
    const w = await world('2026-01-15T21:30:00Z'); // 22:30 in Berlin: quiet
    const changed = await w.admin.changeSettings('t1', w.id, { timeZone: 'Europe/Berlin', quietHours: { from: '22:00', to: '07:00' } });
    expect(changed).toMatchObject({ ok: true, value: { timeZone: 'Europe/Berlin', quietHours: { from: '22:00', to: '07:00' } } });
    await w.webhooks.start();
    for (let i = 1; i <= 5; i++) await w.append(`order-c${i}`, 'OrderFilled', fill(i, i !== 3));
    await w.append('account-acc1', 'KillSwitchEngaged', { accountId: 'acc1', reason: 'daily loss limit' });
    await w.append('order-c9', 'OrderExpired', { clientOrderId: 'c9', accountId: 'acc1' });

    // the kill switch goes at once (after the fills in log order, so they were handled before it): the fills and the expiry wait
    await until(() => w.chat.messages.length, (n) => n >= 1);
    expect(w.chat.messages[0]!.text).toContain('Kill switch ENGAGED on acc1');
    const held = await until(() => w.held.all(w.id), (h) => h.length === 6);
    expect(held.map((h) => h.notice.type)).toEqual(['OrderFilled', 'OrderFilled', 'OrderFilled', 'OrderFilled', 'OrderFilled', 'OrderExpired']);
    expect(w.chat.messages).toHaveLength(1);

    // 06:59 in Berlin: still quiet; a pass holds what is new and sends nothing else
    w.setNow('2026-01-16T05:59:00Z');
    await w.append('order-c10', 'OrderFilled', fill(10));
    const allHeld = await until(() => w.held.all(w.id), (h) => h.length === 7);
    // 07:00 in Berlin: the window ended; the next poll's pass sends the digest
    w.setNow('2026-01-16T06:00:00Z');
    await w.webhooks.refresh();
    await until(() => w.chat.messages.length, (n) => n >= 2);
    const digest = w.chat.messages[1]!;
    expect(digest.text).toContain('Digest of 7 notices');
    expect(digest.text).toContain('held during quiet hours');
    expect(digest.text).toContain('5 fills, 1 partial fills, 1 orders expired');
    expect(digest.eventId).toBe(`digest_${allHeld[6]!.notice.id}`); // the same held notices make the same digest id again after a crash
    expect(await until(() => w.held.all(w.id), (h) => h.length === 0)).toEqual([]);
    expect((await w.deliveries.recent(w.id, 10)).find((d) => d.kind === 'digest')).toMatchObject({ status: 'delivered', attempts: 1 });

    // after the window, one message per notice again
    await w.append('order-c11', 'OrderFilled', fill(11));
    await until(() => w.chat.messages.length, (n) => n >= 3);
    expect(w.chat.messages[2]!.text).toContain('order c11');
    expect(w.chat.messages).toHaveLength(3);
  });

  it('what was held survives a restart (or a lead change): the next start sends the digest once the window ended', async () => {
    const w = await world('2026-07-01T21:00:00Z'); // 23:00 in Berlin (summer time)
    expect((await w.admin.changeSettings('t1', w.id, { timeZone: 'Europe/Berlin', quietHours: { from: '22:00', to: '07:00' } })).ok).toBe(true);
    await w.webhooks.start();
    await w.append('order-c1', 'OrderFilled', fill(1));
    await w.append('order-c2', 'OrderFilled', fill(2));
    await until(() => w.held.all(w.id), (h) => h.length === 2);
    await w.webhooks.stop(); // the lead is lost (or the node dies): the held notices are in the shared store
    w.setNow('2026-07-02T05:00:00Z'); // 07:00 in Berlin
    await w.webhooks.start();
    await until(() => w.chat.messages.length, (n) => n >= 1);
    expect(w.chat.messages[0]!.text).toContain('Digest of 2 notices');
    expect(await until(() => w.held.all(w.id), (h) => h.length === 0)).toEqual([]);
    expect(w.chat.messages).toHaveLength(1);
  });
});
