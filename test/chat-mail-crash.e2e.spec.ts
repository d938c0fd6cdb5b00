/**
 * Discord, Slack and e-mail notices survive a crash (issue 19), like the signed webhooks and
 * Telegram: a built server, SIGKILLed while a burst of fills is being told to a slow local Discord
 * receiver, a slow Slack receiver and a slow SMTP server, tells every fill to each at least once
 * after its restart; a fill told twice carries the same event id and the same text. Nothing here
 * measures time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cleanupTempDirs, DEMO_PASSWORD, fetchJson, login, makeTempDir, marketAlert, postAlert, waitUntil } from './support/server.js';
import { ensureBuilt, killAll, killHard, spawnServer, stopGracefully } from './support/processes.js';
import { ChatReceiver, MailReceiver, type ChatMessage } from './support/chat-receivers.js';
import { recordSecrets } from './support/secret-scan.js';

afterAll(async () => {
  await killAll();
  cleanupTempDirs();
});

const MAIL_PASSWORD = 'smtp-crash-pass-9d1e77';

/** each event id once, in the order first received */
const unique = (messages: readonly ChatMessage[]) => [...new Set(messages.map((m) => m.eventId))];

describe('a server SIGKILLed during a burst of chat and e-mail notices', () => {
  it('tells every fill to Discord, Slack and e-mail at least once after its restart; a repeat carries the same event id and text', async () => {
    ensureBuilt();
    const dir = makeTempDir('patriot-chat-crash-');
    const env = {
      PATRIOT_DATA_DIR: dir, PATRIOT_FEED_INTERVAL_MS: '50', PATRIOT_DEMO_PASSWORD: DEMO_PASSWORD, PATRIOT_WEBHOOK_RATE_PER_MIN: '0',
      PATRIOT_OUTBOUND_ALLOW_PRIVATE: 'true', PATRIOT_OUTBOUND_RETRY_BASE_MS: '20', PATRIOT_OUTBOUND_RETRY_MAX_MS: '200', PATRIOT_OUTBOUND_POLL_MS: '200',
    };
    const discord = new ChatReceiver('/api/webhooks/1/discord-token-dddddddddd');
    const slack = new ChatReceiver('/services/T0/B0/slack-token-ssssssssss');
    const mail = new MailReceiver('bot@example.com', MAIL_PASSWORD);
    recordSecrets(discord.path, slack.path, MAIL_PASSWORD);
    await Promise.all([discord.up(), slack.up(), mail.up()]);
    const fills = (): string[] => {
      const db = new Database(join(dir, 'patriot.db'), { readonly: true, fileMustExist: true });
      try {
        return (db.prepare("SELECT global_position FROM events WHERE type = 'OrderFilled' ORDER BY global_position").pluck().all() as number[]).map((p) => `evt_${p}`);
      } finally {
        db.close();
      }
    };
    const sinks = { discord: discord.messages, slack: slack.messages, email: mail.messages };

    try {
      const first = await spawnServer(env, 30_000);
      const secret = await waitUntil(() => /"secret":"([^"]+)"/.exec(first.output())?.[1], 'the serve banner');
      const token = await login(first, 'demo', DEMO_PASSWORD);
      for (const [format, url] of [['discord', discord.url], ['slack', slack.url], ['email', `smtp://bot%40example.com:${MAIL_PASSWORD}@127.0.0.1:${mail.port}?to=me@example.com&tls=none`]]) {
        const created = await fetchJson(first, '/api/v1/outbound-webhooks', { json: { url, kinds: ['fill'], format }, token });
        expect(created.status, created.text).toBe(201);
      }
      discord.delayMs = 40; // slow receivers: the notices trail the fills
      slack.delayMs = 40;
      mail.delayMs = 40;
      const ALERTS = 30;
      for (let i = 0; i < ALERTS; i++) expect((await postAlert(first, marketAlert(secret, { quantity: '0.001', id: `chat-burst-${i}` }))).status).toBe(202);
      await waitUntil(() => Object.values(sinks).every((m) => m.length >= 3) || undefined, 'the first notices on every channel', 60_000, 20);
      await killHard(first);
      const before = Object.fromEntries(Object.entries(sinks).map(([name, m]) => [name, unique(m).length]));

      const second = await spawnServer(env, 30_000);
      const expected = await waitUntil(() => {
        const all = fills();
        return all.length >= ALERTS && Object.values(sinks).every((m) => all.every((id) => unique(m).includes(id))) ? all : undefined;
      }, 'every fill told on every channel', 180_000, 100).catch((error: unknown) => {
        const got = Object.entries(sinks).map(([name, m]) => `${name}: ${unique(m).length} (${before[name]} before the kill)`).join(', ');
        throw new Error(`${String(error)}: ${fills().length} fills; ${got}; the server said:\n${second.output().slice(-3000)}`);
      });
      expect(await stopGracefully(second)).toBe(0);
      for (const [name, messages] of Object.entries(sinks)) {
        expect(before[name], name).toBeLessThan(expected.length); // the kill interrupted the burst
        expect(unique(messages), name).toEqual(expected); // in log order, each at least once
        const textOf = new Map<string, string>();
        for (const m of messages) {
          expect(m.text, name).toContain('Filled');
          expect(textOf.get(m.eventId) ?? m.text, `${name} ${m.eventId}`).toBe(m.text); // a repeat is the same notice
          textOf.set(m.eventId, m.text);
        }
      }
      const output = first.output() + second.output();
      for (const s of [discord.path, slack.path, MAIL_PASSWORD]) expect(output).not.toContain(s);
    } finally {
      await Promise.all([discord.down(), slack.down(), mail.down()]);
    }
  }, 300_000);
});
