import type { TelegramApiFactory } from '../../ports/telegram-api.js';
import { LeaderPoll } from '../leader-poll.js';
import { TelegramBotRunner, type TelegramBotDeps } from './telegram-bot.js';
import type { TelegramBot } from './telegram-store.js';

/** What every bot's runner gets (TelegramBotDeps without its tenant, client and kinds), how to make a client, and how often to poll. */
export interface TelegramServiceDeps extends Omit<TelegramBotDeps, 'tenantId' | 'api' | 'kinds'> {
  readonly apiOf: TelegramApiFactory;
  /** how often bots and links are read again (changed on another node) */
  readonly pollMs: number;
}

/**
 * Telegram on the routing leader (one node: getUpdates allows one poller per bot; ADR-0023): one
 * TelegramBotRunner per enabled bot (per tenant). Bots and links are read every `pollMs` (changed
 * on any node) and at once after a change made on this node (`refresh`). Losing the lead stops
 * them; the next leader goes on from the stored update offset and the chats' checkpoints.
 */
export class TelegramService extends LeaderPoll {
  private readonly running = new Map<string, { bot: TelegramBot; runner: TelegramBotRunner }>();

  constructor(private readonly deps: TelegramServiceDeps) {
    super(deps.pollMs);
  }

  /** the tenants whose bot runs on this node now */
  get active(): string[] {
    return [...this.running.keys()];
  }

  protected async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((t) => this.stopOne(t)));
  }

  protected async sync(): Promise<void> {
    if (!this.leading) return;
    let bots: TelegramBot[];
    try {
      bots = (await this.deps.store.bots()).filter((b) => b.enabled);
    } catch (error) {
      this.deps.log.warn({ reason: String(error) }, 'reading the Telegram bots failed; tried again at the next poll');
      return;
    }
    const wanted = new Map(bots.map((b) => [b.tenantId, b]));
    for (const [tenantId, { bot }] of this.running) {
      const now = wanted.get(tenantId);
      if (!now || now.changedAt !== bot.changedAt) await this.stopOne(tenantId); // removed, or changed (token, kinds): started again below
    }
    for (const bot of wanted.values()) {
      if (!this.leading) return;
      const running = this.running.get(bot.tenantId);
      if (running) await running.runner.refreshChats();
      else await this.startOne(bot);
    }
  }

  private async startOne(bot: TelegramBot): Promise<void> {
    const token = await this.deps.store.token(bot.tenantId);
    if (!token) {
      this.deps.log.warn({ tenantId: bot.tenantId }, 'a Telegram bot token cannot be opened on this node (master key?): not running the bot');
      return;
    }
    const { apiOf, pollMs: _pollMs, ...shared } = this.deps;
    const runner = new TelegramBotRunner({ ...shared, tenantId: bot.tenantId, api: apiOf(token), kinds: bot.kinds });
    this.running.set(bot.tenantId, { bot, runner });
    await runner.start();
  }

  private async stopOne(tenantId: string): Promise<void> {
    const running = this.running.get(tenantId);
    if (!running) return;
    this.running.delete(tenantId);
    await running.runner.stop();
  }
}
