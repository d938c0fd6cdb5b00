import { HeldNotices } from '../../held-notices.js';
import { DeliveryLog } from '../../delivery-log.js';
import { randomBytes } from 'node:crypto';
import { SqliteEventStore } from '../../../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { SqliteKeyValueStore } from '../../../../adapters/kv/sqlite-key-value-store.js';
import { kekFrom } from '../../../../adapters/crypto/envelope.js';
import { sealingWebhookSecrets } from '../../../../adapters/credentials/sealed-webhook-secrets.js';
import { grammyTelegram } from '../../../../adapters/notify/grammy-telegram.js';
import { FakeTelegram } from '../../../../../test/support/fake-telegram.js';
import { recordSecrets } from '../../../../../test/support/secret-scan.js';
import type { Clock } from '../../../ports/clock.js';
import type { Logger } from '../../../ports/logger.js';
import type { TelegramControl } from '../telegram-commands.js';
import { TelegramStore } from '../telegram-store.js';
import { linkCodeFrom, TelegramLinking } from '../telegram-linking.js';
import { TelegramService } from '../telegram-service.js';
import { TelegramAdmin } from '../telegram-admin.js';

/** Log lines kept, to check no token reaches them. */
export class LinesLogger implements Logger {
  readonly lines: string[] = [];
  info = (fields: Record<string, unknown>, message: string) => void this.lines.push(JSON.stringify({ ...fields, message }));
  warn = (fields: Record<string, unknown>, message: string) => void this.lines.push(JSON.stringify({ ...fields, message }));
  error = (fields: Record<string, unknown>, message: string) => void this.lines.push(JSON.stringify({ ...fields, message }));
}

/** A clock the test moves forward (link codes' expiry); it follows the real time otherwise. */
export class ShiftedClock implements Clock {
  shiftMs = 0;
  now = () => Date.now() + this.shiftMs;
}

/** The application's control with nothing in it (test/telegram.e2e.spec.ts has the real one). */
const emptyControl = (clock: Clock): TelegramControl => ({
  access: async (userId) => ({ tenantId: 't1', role: userId.startsWith('viewer') ? 'viewer' : 'trader', disabled: false }),
  queries: {
    system: async () => ({ killSwitch: { engaged: false } }), accounts: async () => [], positions: async () => [], balances: async () => [],
    openOrders: async () => ({ items: [], total: 0 }), strategies: async () => [],
  },
  setKillSwitch: async () => ({ ok: true, value: { changed: true } }),
  strategyControl: async () => ({ ok: true, value: { changed: true } }),
  equityCurve: async () => [], waitForProjection: async () => undefined, now: () => clock.now(),
});

/**
 * Telegram on an in-memory SQLite log with sealed settings, grammY's client against a local fake
 * Bot API, fast retries, and the digest policy the test picks.
 */
export async function telegramWorld(options: { maxMessages?: number; windowMs?: number } = {}) {
  const fake = new FakeTelegram();
  await fake.start();
  recordSecrets(fake.token);
  const events = await SqliteEventStore.open({ path: ':memory:' });
  const key = kekFrom(randomBytes(32));
  const kv = sealingWebhookSecrets(new SqliteKeyValueStore(events.database), { current: key, all: new Map([[key.id, key]]) });
  const store = new TelegramStore(kv);
  const deliveries = new DeliveryLog(kv);
  const held = new HeldNotices(kv);
  const clock = new ShiftedClock();
  const log = new LinesLogger();
  const linking = new TelegramLinking(store, clock, () => linkCodeFrom(randomBytes(8)));
  const apiOf = grammyTelegram({ apiRoot: fake.apiRoot, timeoutMs: 2000 });
  let n = 0;
  /** another node's service on the same stores (it leads once started) */
  const newService = () => new TelegramService({
    apiOf, store, linking, control: emptyControl(clock), events, held, deliveries, clock, log, pollTimeoutS: 1, pollMs: 60_000, intervalMs: 5, newNonce: () => `n${++n}`,
    retry: { baseMs: 20, maxMs: 200, giveUpAfterMs: 600_000 }, digest: { maxMessages: options.maxMessages ?? 20, windowMs: options.windowMs ?? 60_000 },
  });
  const service = newService();
  const admin = new TelegramAdmin({ store, linking, deliveries, held, apiOf, clock, changed: () => void service.refresh() });
  const fills = async (count: number, tenantId = 't1') => {
    await events.append({
      streamId: `fills-${Math.random()}`, expectedVersion: 'any', metadata: { tenantId, time: new Date().toISOString() },
      events: Array.from({ length: count }, (_, i) => ({ type: 'OrderFilled', data: { clientOrderId: `c${i}`, accountId: 'a1', symbol: 'BTC/USDT', side: i % 2 === 0 ? 'buy' : 'sell', quantity: '0.001', price: '97000', fee: '0.01', feeCurrency: 'USDT', complete: true } })),
    });
  };
  /** sets the bot up (the first time), links `chatId` to `userId` through the bot, waits for the confirmation */
  const link = async (chatId: number, userId: string, kinds: string[] = ['fill', 'kill_switch', 'alert_rejected']) => {
    if (!(await store.bot('t1'))) {
      const set = await admin.setBot('t1', { token: fake.token, kinds });
      if (!set.ok) throw new Error(set.error.message);
      await service.start();
    }
    const code = await admin.createLinkCode('t1', userId);
    if (!code.ok) throw new Error(code.error.message);
    const before = fake.to(chatId).length;
    fake.userSends(chatId, `/link ${code.value.code}`);
    await fake.waitFor(chatId, (m) => m.text.startsWith('Linked'), 'the link confirmation', 20_000, before);
  };
  const close = async () => {
    await service.stop();
    await fake.stop();
    events.close();
  };
  return { fake, events, kv, deliveries, store, clock, log, linking, service, newService, admin, fills, link, close };
}
