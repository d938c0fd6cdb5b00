/**
 * The daily summary (issue 19) with the clock injected, on a real SQLite settings store: once per
 * channel and local day at the chosen local time, claimed before it is sent, so two nodes send it
 * once and a crash between the claim and "sent" sends the same notice (same id, same text) once
 * more; a channel first seen after the day's time gets the next day's first. Nothing sleeps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { notifyWorld } from './test-support/notify-world.js';
import { ChatReceiver } from '../../../test/support/chat-receivers.js';
import { DAILY_SUMMARY_PREFIX, dailySummary, type SummarySource } from './daily-summary.js';
import { defaultSettings } from '../../domain/notices/channel-settings.js';
import type { Notice } from '../../domain/notices/notice.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const figures: SummarySource = async (_tenantId, from, to) => ({
  from, to, accounts: [{ accountId: 'acc1', realizedPnl: '12.5', fees: '0.97', trades: 3 }], openPositions: [{ accountId: 'acc1', symbol: 'BTC/USDT', quantity: '0.01', unrealizedPnl: '1.2' }],
});

describe('the daily summary of an endpoint', () => {
  it('goes once at 08:00 Berlin time with the figures, then again the next day with a new id', async () => {
    let now = Date.parse('2026-01-15T06:00:00Z'); // 07:00 in Berlin
    const w = await notifyWorld({ clock: { now: () => now }, summaries: figures });
    closers.push(() => w.close());
    const chat = new ChatReceiver('/api/webhooks/9/summary');
    await chat.up();
    closers.push(() => chat.down());
    const created = await w.admin.create('t1', { url: chat.url, format: 'discord', kinds: ['fill', 'daily_summary'] });
    if (!created.ok) throw new Error(created.error.message);
    const id = created.value.endpoint.endpointId;
    expect((await w.admin.changeSettings('t1', id, { timeZone: 'Europe/Berlin', summaryAt: '08:00' })).ok).toBe(true);
    await w.webhooks.start();
    // first seen before 08:00: a baseline, nothing owed yet
    await until(() => w.kv.get(`${DAILY_SUMMARY_PREFIX}${id}`), (r) => r !== undefined);
    expect(chat.messages).toHaveLength(0);

    now = Date.parse('2026-01-15T07:00:00Z'); // 08:00 in Berlin
    await w.webhooks.refresh();
    await until(() => chat.messages.length, (n) => n >= 1);
    expect(chat.messages[0]).toMatchObject({ eventId: 'summary_2026-01-15' });
    expect(chat.messages[0]!.text).toContain('Daily summary for 2026-01-15 (Europe/Berlin)');
    expect(chat.messages[0]!.text).toContain('acc1: PnL after fees 12.5, fees 0.97, 3 trades');
    expect(chat.messages[0]!.text).toContain('acc1 BTC/USDT 0.01 (unrealised 1.2)');
    const recorded = await until(() => w.kv.get(`${DAILY_SUMMARY_PREFIX}${id}`), (r) => r !== undefined && JSON.parse(r).sent === true);
    expect(JSON.parse(recorded!)).toMatchObject({ day: '2026-01-15', sent: true });
    expect((await w.deliveries.recent(id, 5)).find((d) => d.eventId === 'summary_2026-01-15')).toMatchObject({ status: 'delivered', kind: 'daily_summary' });

    // a fill after it: the summary is not sent again by later passes (the fill's message is the barrier)
    await w.append('order-c1', 'OrderFilled', { clientOrderId: 'c1', accountId: 'acc1', strategyId: 's1', tradeId: 't1', symbol: 'BTC/USDT', side: 'buy', quantity: '0.01', price: '97000', fee: '0.97', feeCurrency: 'USDT', liquidity: 'taker', filledAt: '2026-01-15T07:00:00Z', cumulativeQuantity: '0.01', complete: true });
    await w.webhooks.refresh();
    await until(() => chat.messages.length, (n) => n >= 2);
    await w.append('order-c2', 'OrderFilled', { clientOrderId: 'c2', accountId: 'acc1', strategyId: 's1', tradeId: 't2', symbol: 'BTC/USDT', side: 'buy', quantity: '0.01', price: '97000', fee: '0.97', feeCurrency: 'USDT', liquidity: 'taker', filledAt: '2026-01-15T07:00:00Z', cumulativeQuantity: '0.01', complete: true });
    await until(() => chat.messages.length, (n) => n >= 3);
    expect(chat.messages.map((m) => m.eventId.startsWith('summary_'))).toEqual([true, false, false]);

    now = Date.parse('2026-01-16T07:00:00Z');
    await w.webhooks.refresh();
    await until(() => chat.messages.length, (n) => n >= 4);
    expect(chat.messages[3]!.eventId).toBe('summary_2026-01-16');
  });
});

describe('exactly once per channel and day', () => {
  const settings = { ...defaultSettings(), timeZone: 'Europe/Berlin', summaryAt: '08:00' };

  it('two nodes running it at once: one claims the day and sends it, the other sends nothing', async () => {
    const now = Date.parse('2026-01-15T07:30:00Z');
    const w = await notifyWorld();
    closers.push(() => w.close());
    await w.kv.set(`${DAILY_SUMMARY_PREFIX}ch1`, JSON.stringify({ day: '2026-01-14', sent: true }));
    const sent: Notice[] = [];
    const node = () => dailySummary('ch1', 't1', settings, { kv: w.kv, clock: { now: () => now }, source: figures });
    await Promise.all([node()(async (n) => void sent.push(n)), node()(async (n) => void sent.push(n)), node()(async (n) => void sent.push(n))]);
    expect(sent.map((n) => n.id)).toEqual(['summary_2026-01-15']);
    await node()(async (n) => void sent.push(n));
    expect(sent).toHaveLength(1);
  });

  it('a crash between the claim and "sent" sends the same notice once more after the restart, then never again that day', async () => {
    let now = Date.parse('2026-01-15T07:30:00Z');
    const w = await notifyWorld();
    closers.push(() => w.close());
    await w.kv.set(`${DAILY_SUMMARY_PREFIX}ch1`, JSON.stringify({ day: '2026-01-14', sent: true }));
    const sent: Notice[] = [];
    const run = () => dailySummary('ch1', 't1', settings, { kv: w.kv, clock: { now: () => now }, source: figures });
    // the process dies while sending (after the claim): the send throws, "sent" is never recorded
    await expect(run()(async (n) => {
      sent.push(n);
      throw new Error('killed');
    })).rejects.toThrow('killed');
    now += 60_000; // restarted a minute later: the figures would differ, the resend must not
    await run()(async (n) => void sent.push(n));
    await run()(async (n) => void sent.push(n));
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]); // the same id, the same text and figures
    expect(sent[0]!.id).toBe('summary_2026-01-15');
  });

  it('a channel first seen after the day\'s time gets the next day\'s summary first', async () => {
    let now = Date.parse('2026-01-15T11:00:00Z'); // noon in Berlin
    const w = await notifyWorld();
    closers.push(() => w.close());
    const sent: Notice[] = [];
    const run = () => dailySummary('ch2', 't1', settings, { kv: w.kv, clock: { now: () => now }, source: figures });
    await run()(async (n) => void sent.push(n));
    await run()(async (n) => void sent.push(n));
    expect(sent).toHaveLength(0);
    now = Date.parse('2026-01-16T07:00:00Z');
    await run()(async (n) => void sent.push(n));
    expect(sent.map((n) => n.id)).toEqual(['summary_2026-01-16']);
  });
});
