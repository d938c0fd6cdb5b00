import { randomBytes } from 'node:crypto';
import type { Auth } from '../../application/ports/auth.js';
import type { SignalProcessor } from '../../application/workflows/signal-processor.js';
import type { TradingView } from '../../application/workflows/trading-state.js';
import { TelegramStore } from '../../application/notify/telegram/telegram-store.js';
import { HeldNotices } from '../../application/notify/held-notices.js';
import { DeliveryLog } from '../../application/notify/delivery-log.js';
import { dailySummary } from '../../application/notify/daily-summary.js';
import { summarySource } from './summary-source.js';
import { linkCodeFrom, TelegramLinking } from '../../application/notify/telegram/telegram-linking.js';
import { TelegramService } from '../../application/notify/telegram/telegram-service.js';
import { TelegramAdmin } from '../../application/notify/telegram/telegram-admin.js';
import type { TelegramControl } from '../../application/notify/telegram/telegram-commands.js';
import { grammyTelegram } from '../../adapters/notify/grammy-telegram.js';
import { telegramDefaults } from '../outbound-config.js';
import { processorObserver } from '../processor-observer.js';
import type { Core } from './core.js';
import type { ReadSide } from './read-side.js';
import { killSwitchCommand, strategyControlCommand } from './http.js';

export interface Telegram {
  /** the leader's bots (started and stopped with the lead) */
  readonly service: TelegramService;
  readonly admin: TelegramAdmin;
}

/**
 * Telegram (issue 19, ADR-0023): the bots run on the routing leader; their commands use the same
 * queries and command functions as the API (killSwitchCommand, strategyControlCommand).
 */
export function wireTelegram(core: Core, w: { readonly readSide: ReadSide; readonly view: TradingView; readonly processor: SignalProcessor; readonly auth: Auth }): Telegram {
  const { config, clock, log, events } = core;
  const settings = config.outbound.telegram ?? telegramDefaults;
  const deliveries = new DeliveryLog(core.kv);
  const held = new HeldNotices(core.kv);
  const store = new TelegramStore(core.kv); // the token sealed on its way in (telegram-secret/)
  const linking = new TelegramLinking(store, clock, () => linkCodeFrom(randomBytes(8)));
  const apiOf = grammyTelegram({ apiRoot: settings.apiRoot, timeoutMs: config.outbound.timeoutMs });
  const setKillSwitch = killSwitchCommand(core, w);
  const control: TelegramControl = {
    access: (userId) => w.auth.access(userId),
    queries: w.readSide.queries,
    setKillSwitch: (tenantId, engaged, reason) => setKillSwitch(tenantId, {}, engaged, reason),
    strategyControl: strategyControlCommand(core, w),
    equityCurve: (tenantId, accountId, from, to, limit) => core.storage.snapshots.equityCurve({ tenantId, accountId, from, to, limit }),
    waitForProjection: (position) => w.readSide.projections.waitFor(position),
    now: () => clock.now(),
  };
  const service = new TelegramService({
    apiOf, store, linking, control, events, held, deliveries, clock, log, pollTimeoutS: settings.pollTimeoutS, pollMs: config.outbound.pollMs, observer: processorObserver(log, core.metrics),
    retry: { baseMs: config.outbound.retryBaseMs, maxMs: config.outbound.retryMaxMs, giveUpAfterMs: config.outbound.giveUpAfterMs },
    digest: { maxMessages: settings.digestMaxMessages, windowMs: settings.digestWindowMs },
    newNonce: () => randomBytes(9).toString('base64url'),
    dailySummary: (destinationId, tenantId, chat) => (chat.kinds.includes('daily_summary') ? dailySummary(destinationId, tenantId, chat, { kv: core.kv, clock, source: summarySource(w.readSide.analytics, w.readSide.queries) }) : undefined),
  });
  const admin = new TelegramAdmin({
    store, linking, deliveries, held, apiOf, clock,
    changed: () => void service.refresh().catch((error: unknown) => log.warn({ reason: String(error) }, 'picking up a Telegram change failed; the next poll does')),
  });
  return { service, admin };
}
