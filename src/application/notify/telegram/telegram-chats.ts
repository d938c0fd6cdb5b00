import { ProcessorRunner } from '../../processors/processor-runner.js';
import { SingleFlight } from '../../shared/single-flight.js';
import { DeliveryStopped } from '../notice-delivery.js';
import type { TelegramBotDeps } from './telegram-bot.js';
import { telegramCheckpointName, telegramDelivery } from './telegram-delivery.js';
import { chatSettings, type TelegramLink } from './telegram-store.js';

interface Running {
  readonly runner: ProcessorRunner;
  readonly abort: AbortController;
  /** the settings it runs with: a change restarts it */
  readonly changedAt: string | undefined;
  /** it has clock-driven work (quiet hours' digest, daily summary): a pass at every refresh */
  readonly timed: boolean;
}

/**
 * The delivery runners of one bot's linked chats: one ProcessorRunner each (its own checkpoint,
 * so one chat's trouble delays only it), following the links in the settings store.
 */
export class TelegramChats {
  private readonly chats = new Map<number, Running>();
  private stopped = false;
  private readonly flight = new SingleFlight(() => this.sync(), () => false);

  constructor(private readonly deps: TelegramBotDeps) {}

  get linked(): number[] {
    return [...this.chats.keys()];
  }

  /** Reads the links again: starts the runners of new ones, stops those of removed ones. */
  refresh(): Promise<void> {
    return this.flight.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.flight.idle();
    await Promise.all([...this.chats.keys()].map((chatId) => this.stopChat(chatId)));
  }

  /** A chat linked just now gets what happens from now on, not the history. */
  async startAtHead(chatId: number): Promise<void> {
    if (!this.chats.has(chatId)) await this.deps.events.saveCheckpoint(telegramCheckpointName(this.deps.tenantId, chatId), await this.deps.events.headPosition());
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const wanted = new Map((await this.deps.store.links(this.deps.tenantId)).map((l) => [l.chatId, l]));
    await Promise.all([...this.chats].filter(([id, r]) => !wanted.has(id) || wanted.get(id)!.changedAt !== r.changedAt).map(([id]) => this.stopChat(id)));
    for (const link of wanted.values()) {
      if (this.stopped) return;
      const running = this.chats.get(link.chatId);
      if (!running) this.startChat(link);
      else if (running.timed) running.runner.background();
    }
  }

  private startChat(link: TelegramLink): void {
    const { chatId } = link;
    const abort = new AbortController();
    const { tenantId, api, events, clock, retry, digest, held, deliveries, log, kinds, observer, intervalMs } = this.deps;
    const settings = chatSettings(link, kinds);
    const summary = this.deps.dailySummary?.(`telegram@${tenantId}/${chatId}`, tenantId, settings);
    const processor = telegramDelivery(tenantId, chatId, settings, {
      api, checkpoints: events, clock, retry, digest, held, deliveries, signal: abort.signal, ...(summary ? { onCaughtUp: summary } : {}),
      onFailure: (f) => log.warn({ tenantId, chatId, attempts: f.attempts, error: f.error }, f.givenUp ? 'a Telegram notice was given up' : 'a Telegram notice failed; tried again with back-off'),
    });
    const runner = new ProcessorRunner(events, processor, {
      ...(intervalMs !== undefined ? { intervalMs } : {}),
      ...(observer ? { observer: { ...observer, failed: (id, error) => (error instanceof DeliveryStopped ? undefined : observer.failed(id, error)) } } : {}),
    });
    this.chats.set(chatId, { runner, abort, changedAt: link.changedAt, timed: settings.quietHours !== undefined || settings.kinds.includes('daily_summary') });
    // not awaited: a long catch-up must not hold the others (the runner follows appends made during it; failures are retried by it)
    void runner.start().catch(() => undefined);
  }

  private async stopChat(chatId: number): Promise<void> {
    const running = this.chats.get(chatId);
    if (!running) return;
    this.chats.delete(chatId);
    running.abort.abort();
    await running.runner.stop();
  }
}
