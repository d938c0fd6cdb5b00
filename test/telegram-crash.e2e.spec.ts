/**
 * Telegram notices survive a crash (issue 19): a built server, SIGKILLed while a burst of fills is
 * being told to a linked chat through a slow fake Bot API, tells every fill at least once after
 * its restart; a fill told twice is the same message. Nothing here measures time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cleanupTempDirs, DEMO_PASSWORD, fetchJson, login, makeTempDir, marketAlert, postAlert, waitUntil } from './support/server.js';
import { ensureBuilt, killAll, killHard, spawnServer, stopGracefully } from './support/processes.js';
import { FakeTelegram } from './support/fake-telegram.js';
import { recordSecrets } from './support/secret-scan.js';

const fake = new FakeTelegram();
afterAll(async () => {
  await killAll();
  await fake.stop();
  cleanupTempDirs();
});

const CHAT = 6001;
const orderOf = (text: string) => /order ([^)\s]+)\)/.exec(text)?.[1];

describe('a server SIGKILLed during a burst of Telegram notices', () => {
  it('tells every fill at least once after its restart; a repeat is the same message', async () => {
    ensureBuilt();
    await fake.start();
    recordSecrets(fake.token);
    const dir = makeTempDir('patriot-telegram-');
    const env = {
      PATRIOT_DATA_DIR: dir, PATRIOT_FEED_INTERVAL_MS: '50', PATRIOT_DEMO_PASSWORD: DEMO_PASSWORD, PATRIOT_WEBHOOK_RATE_PER_MIN: '0',
      PATRIOT_OUTBOUND_RETRY_BASE_MS: '20', PATRIOT_OUTBOUND_RETRY_MAX_MS: '200', PATRIOT_OUTBOUND_POLL_MS: '200',
      PATRIOT_TELEGRAM_API_ROOT: fake.apiRoot, PATRIOT_TELEGRAM_POLL_TIMEOUT_S: '1', PATRIOT_TELEGRAM_DIGEST_MAX: '100',
    };
    const fills = (): string[] => {
      const db = new Database(join(dir, 'patriot.db'), { readonly: true, fileMustExist: true });
      try {
        return (db.prepare("SELECT json_extract(data, '$.clientOrderId') FROM events WHERE type = 'OrderFilled' ORDER BY global_position").pluck().all() as string[]);
      } finally {
        db.close();
      }
    };
    const told = () => fake.to(CHAT).filter((m) => m.text.startsWith('PATRIOT · Filled')).map((m) => orderOf(m.text)!);

    const first = await spawnServer(env, 30_000);
    const secret = await waitUntil(() => /"secret":"([^"]+)"/.exec(first.output())?.[1], 'the serve banner');
    const token = await login(first, 'demo', DEMO_PASSWORD);
    expect((await fetchJson(first, '/api/v1/telegram/bot', { method: 'PUT', json: { token: fake.token, kinds: ['fill'] }, token })).status).toBe(200);
    const code = await fetchJson<{ code: string }>(first, '/api/v1/telegram/link-codes', { method: 'POST', token });
    fake.userSends(CHAT, `/link ${code.body.code}`);
    await fake.waitFor(CHAT, (m) => m.text.startsWith('Linked'), 'the link', 60_000);

    fake.delayMs = 50; // a slow Bot API: the notices trail the fills
    const ALERTS = 30;
    for (let i = 0; i < ALERTS; i++) expect((await postAlert(first, marketAlert(secret, { quantity: '0.001', id: `tg-burst-${i}` }))).status).toBe(202);
    await waitUntil(() => told().length >= 3, 'the first notices', 60_000);
    await killHard(first);
    const toldBeforeKill = new Set(told()).size;

    const second = await spawnServer(env, 30_000);
    const expected = await waitUntil(() => {
      const all = fills();
      const got = new Set(told());
      return all.length >= ALERTS && all.every((id) => got.has(id)) ? all : undefined;
    }, 'every fill told', 120_000, 100).catch((error: unknown) => {
      const got = new Set(told());
      const db = new Database(join(dir, 'patriot.db'), { readonly: true, fileMustExist: true });
      const tail = db.prepare("SELECT global_position, type, recorded_time, json_extract(data, '$.clientOrderId') AS o FROM events ORDER BY global_position DESC LIMIT 12").all();
      const checkpoints = db.prepare("SELECT * FROM checkpoints WHERE name LIKE 'telegram%'").all();
      db.close();
      throw new Error(`${String(error)}: tail ${JSON.stringify(tail)} checkpoints ${JSON.stringify(checkpoints)} now ${new Date().toISOString()}; ${fills().length} fills, ${got.size} told (${toldBeforeKill} before the kill), missing ${JSON.stringify(fills().filter((id) => !got.has(id)))}; messages ${JSON.stringify(fake.to(CHAT).map((m) => m.text.slice(0, 60)))}; the server said:\n${second.output().slice(-3000)}`);
    });
    expect(await stopGracefully(second)).toBe(0);
    expect(toldBeforeKill).toBeLessThan(expected.length); // the kill interrupted the burst
    expect([...new Set(told())]).toEqual(expected); // in log order, each at least once
    const byOrder = new Map<string, string>();
    for (const m of fake.to(CHAT).filter((x) => x.text.startsWith('PATRIOT · Filled'))) {
      const id = orderOf(m.text)!;
      expect(byOrder.get(id) ?? m.text).toBe(m.text);
      byOrder.set(id, m.text);
    }
    expect(first.output() + second.output()).not.toContain(fake.token.split(':')[1]);
  }, 240_000);
});
