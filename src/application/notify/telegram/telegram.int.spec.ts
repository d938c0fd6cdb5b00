/**
 * Telegram (issue 19) against a local fake Bot API, through grammY's client: linking with one-time
 * codes, notices to linked chats only, 429 retry_after honoured with nothing lost, a flood of fills
 * digested, the Bot API down delaying only itself, the token sealed and never in a log line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteKeyValueStore } from '../../../adapters/kv/sqlite-key-value-store.js';
import { CHAT_TRIES, LINK_CODE_TTL_MS } from './telegram-linking.js';
import { NOT_LINKED } from './telegram-bot.js';
import { telegramCheckpointName } from './telegram-delivery.js';
import { telegramWorld } from './test-support/telegram-world.js';

type World = Awaited<ReturnType<typeof telegramWorld>>;
const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
});
const world = async (options: Parameters<typeof telegramWorld>[0] = {}) => {
  const w = await telegramWorld(options);
  worlds.push(w);
  return w;
};

/** Polls an observable condition (never a fixed sleep). */
async function until(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The count a message stands for: 1, or a digest's "Digest of N notices". */
const countOf = (text: string) => Number(/Digest of (\d+) notices/.exec(text)?.[1] ?? 1);

describe('linking a chat with a one-time code', () => {
  it('a good code links once; a wrong, reused or expired code does not; unlinked chats get nothing but the fixed answer to /start', async () => {
    const w = await world();
    await w.link(1001, 'user-trader'); // sets the bot up and links chat 1001
    expect((await w.store.links('t1')).map((l) => [l.chatId, l.userId])).toEqual([[1001, 'user-trader']]);

    // reused: the code that linked 1001 is gone
    const code = await w.admin.createLinkCode('t1', 'user-b');
    if (!code.ok) throw new Error('no code');
    w.fake.userSends(2002, `/start ${code.value.code}`);
    await w.fake.waitFor(2002, (m) => m.text.startsWith('Linked'), 'chat 2002 linked');
    w.fake.userSends(3003, `/link ${code.value.code}`);
    await w.fake.waitFor(3003, (m) => m.text.startsWith('That code is not valid'), 'the reused code refused');

    // wrong
    w.fake.userSends(3003, '/link ZZZZZZZZ');
    await w.fake.waitFor(3003, (m) => m.text.startsWith('That code is not valid'), 'the wrong code refused', 20_000, 1);

    // expired
    const late = await w.admin.createLinkCode('t1', 'user-c');
    if (!late.ok) throw new Error('no code');
    w.clock.shiftMs = LINK_CODE_TTL_MS + 1000;
    w.fake.userSends(3003, `/link ${late.value.code}`);
    await w.fake.waitFor(3003, (m) => m.text.startsWith('That code has expired'), 'the expired code refused');
    w.clock.shiftMs = 0;

    // not linked: /start answers the fixed text, a command gets nothing (observed: the next /start's answer comes right after)
    w.fake.userSends(3003, '/status');
    w.fake.userSends(3003, '/start');
    const answered = await w.fake.waitFor(3003, (m) => m.text === NOT_LINKED, 'the fixed answer');
    expect(w.fake.to(3003).indexOf(answered)).toBe(3); // reused, wrong, expired, then this: nothing for /status
    expect((await w.store.links('t1')).map((l) => l.chatId).sort()).toEqual([1001, 2002]);
  }, 60_000);

  it('wrong codes are rate limited per chat: after the limit even a good code is refused', async () => {
    const w = await world();
    await w.link(1001, 'user-trader');
    for (let i = 0; i < CHAT_TRIES; i++) w.fake.userSends(4004, `/link WRONG${i}X`);
    await w.fake.waitFor(4004, () => w.fake.to(4004).length === CHAT_TRIES, 'every wrong code answered');
    const good = await w.admin.createLinkCode('t1', 'user-d');
    if (!good.ok) throw new Error('no code');
    w.fake.userSends(4004, `/link ${good.value.code}`);
    await w.fake.waitFor(4004, (m) => m.text.startsWith('Too many wrong codes'), 'the limit');
    expect(await w.store.link('t1', 4004)).toBeUndefined();
  }, 60_000);

  it('a webhook left on the bot (getUpdates answers 409) is turned off, and linking works', async () => {
    const w = await world();
    w.fake.webhookUrl = 'https://elsewhere.example.com/hook';
    await w.link(1001, 'user-trader');
    expect(w.fake.webhookUrl).toBeUndefined();
    expect(w.fake.calls.some((c) => c.method === 'deleteWebhook')).toBe(true);
  }, 60_000);

  it('a group chat is never linked nor answered, even with a good code', async () => {
    const w = await world();
    await w.link(1001, 'user-trader');
    const code = await w.admin.createLinkCode('t1', 'user-e');
    if (!code.ok) throw new Error('no code');
    w.fake.userSends(5005, `/link ${code.value.code}`, -100500);
    w.fake.userSends(5005, '/start'); // a barrier: updates are handled in order, so its answer comes after the group's was handled
    await w.fake.waitFor(5005, (m) => m.text === NOT_LINKED, 'the private chat answered');
    expect(w.fake.to(-100500)).toEqual([]);
    expect(await w.store.link('t1', -100500)).toBeUndefined();
    // the code is still good in a private chat
    w.fake.userSends(5005, `/link ${code.value.code}`);
    await w.fake.waitFor(5005, (m) => m.text.startsWith('Linked'), 'the private chat linked');
  }, 60_000);
});

describe('notices to linked chats', () => {
  it('a fill reaches the linked chat (no history before the link), another tenant\'s does not; the token is sealed and in no log line', async () => {
    const w = await world();
    await w.fills(3); // before the link: not sent
    await w.link(1001, 'user-trader');
    await w.fills(1, 't2');
    await w.fills(1);
    const fill = await w.fake.waitFor(1001, (m) => m.text.includes('Filled'), 'the fill notice');
    expect(fill.text).toBe('PATRIOT · Filled: BUY 0.001 BTC/USDT @ 97000 on a1 (fee 0.01 USDT, order c0)');
    await w.service.stop(); // nothing in flight any more
    expect(w.fake.to(1001).filter((m) => m.text.includes('Filled'))).toHaveLength(1);

    const raw = new SqliteKeyValueStore(w.events.database);
    const stored = JSON.stringify(await raw.entries('telegram-'));
    expect(stored).not.toContain(w.fake.token.split(':')[1]);
    expect(stored).toContain('sealed');
    expect((await w.admin.status('t1', 'user-trader', 'admin')).bot?.maskedToken).toBe(`${w.fake.token.split(':')[0]}:…${w.fake.token.slice(-4)}`);
    expect(w.log.lines.join('\n')).not.toContain(w.fake.token.split(':')[1]);
  }, 60_000);

  it('stopped (the lead lost) and started again, a chat goes on from its checkpoint: what was appended meanwhile arrives once', async () => {
    const w = await world();
    await w.link(1001, 'user-trader');
    await w.fills(2);
    await w.fake.waitFor(1001, () => w.fake.to(1001).filter((m) => m.text.includes('Filled')).length === 2, 'two fills');
    await w.service.stop();
    await w.fills(3);
    await w.service.start();
    await w.fake.waitFor(1001, () => w.fake.to(1001).filter((m) => m.text.includes('Filled')).length === 5, 'the three appended while stopped');
    const head = await w.events.headPosition();
    await until(async () => (await w.events.loadCheckpoint(telegramCheckpointName('t1', 1001))) === head, 'the checkpoint at the head');
    expect(w.fake.to(1001).filter((m) => m.text.includes('Filled')).map((m) => /order (c\d+)/.exec(m.text)?.[1])).toEqual(['c0', 'c1', 'c0', 'c1', 'c2']);
  }, 60_000);

  it('the lead moving to another node: it goes on from the stored update offset and the chat\'s checkpoint, nothing handled or sent twice', async () => {
    const w = await world();
    await w.link(1001, 'user-trader');
    await w.fills(1);
    await w.fake.waitFor(1001, (m) => m.text.includes('Filled'), 'the first fill');
    await w.service.stop(); // node A loses the lead
    w.fake.userSends(1001, '/help'); // while no node polls
    await w.fills(2);
    const next = w.newService();
    try {
      await next.start(); // node B leads
      await w.fake.waitFor(1001, () => w.fake.to(1001).filter((m) => m.text.includes('Filled')).length === 3, 'the fills appended meanwhile');
      await w.fake.waitFor(1001, (m) => m.text.startsWith('PATRIOT commands'), 'the /help sent meanwhile answered');
      expect(w.fake.to(1001).filter((m) => m.text.startsWith('Linked'))).toHaveLength(1); // the /link update was not handled again
      expect(w.fake.to(1001).filter((m) => m.text.includes('Filled')).map((m) => /order (c\d+)/.exec(m.text)?.[1])).toEqual(['c0', 'c0', 'c1']);
    } finally {
      await next.stop();
    }
  }, 60_000);

  it('a 429 is waited out as Telegram asks, and no notice is lost', async () => {
    const w = await world();
    await w.link(1001, 'user-trader');
    w.fake.throttle(2, 1);
    await w.fills(5);
    await w.fake.waitFor(1001, () => w.fake.to(1001).filter((m) => m.text.includes('Filled')).length === 5, 'five fills');
    expect(w.fake.throttled).toBeGreaterThanOrEqual(2);
    expect(w.fake.violations).toBe(0); // no send came back before retry_after
    expect(w.fake.to(1001).filter((m) => m.text.includes('Filled')).map((m) => /order (c\d+)/.exec(m.text)?.[1])).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  }, 60_000);

  it('a flood of 1,000 fills becomes a handful of messages whose counts add up to 1,000', async () => {
    const w = await world({ maxMessages: 4, windowMs: 1500 });
    await w.link(1001, 'user-trader');
    const sentBefore = w.fake.to(1001).length;
    await w.fills(1000);
    const total = () => w.fake.to(1001).slice(sentBefore).reduce((n, m) => n + countOf(m.text), 0);
    await w.fake.waitFor(1001, () => total() >= 1000, 'every fill told, one by one or in a digest');
    const messages = w.fake.to(1001).slice(sentBefore);
    expect(total()).toBe(1000);
    expect(messages.length).toBeLessThanOrEqual(4);
    const digest = messages.find((m) => m.text.includes('Digest of'))!;
    expect(digest.text).toMatch(/fills, quantity/);
    const head = await w.events.headPosition();
    await until(async () => (await w.events.loadCheckpoint(telegramCheckpointName('t1', 1001))) === head, 'the checkpoint past the flood');
  }, 60_000);

  it('the Bot API down holds back only the chat\'s notices: they all arrive once it is back, in order', async () => {
    const w = await world();
    await w.link(1001, 'user-trader');
    w.fake.down();
    await w.fills(3);
    // the log goes on (trading is not held): later events are appended while Telegram is away
    await w.fills(2);
    await until(() => w.log.lines.some((l) => l.includes('a Telegram notice failed')), 'a failed try to be logged');
    w.fake.up();
    await w.fake.waitFor(1001, () => w.fake.to(1001).filter((m) => m.text.includes('Filled')).length === 5, 'the five fills after the outage');
    expect(w.fake.to(1001).filter((m) => m.text.includes('Filled')).map((m) => /order (c\d+)/.exec(m.text)?.[1])).toEqual(['c0', 'c1', 'c2', 'c0', 'c1']);
    expect(w.log.lines.join('\n')).not.toContain(w.fake.token.split(':')[1]);
  }, 60_000);
});
