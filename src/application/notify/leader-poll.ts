import { SingleFlight } from '../shared/single-flight.js';

/**
 * What the notification channels share (outbound endpoints, Telegram bots): while this node leads,
 * the configuration is read every `pollMs` and the channel's runners are kept in line with it, one
 * pass at a time; losing the lead stops them all. Subclasses say how to sync and how to stop.
 */
export abstract class LeaderPoll {
  protected leading = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly flight = new SingleFlight(() => this.sync(), () => false);

  constructor(private readonly pollMs: number) {}

  async start(): Promise<void> {
    if (this.leading) return;
    this.leading = true;
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.pollMs);
    this.timer.unref();
    await this.refresh();
  }

  async stop(): Promise<void> {
    this.leading = false;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flight.idle();
    await this.stopAll();
  }

  /** Reads the configuration again and starts or stops runners (a no-op while not leading). */
  refresh(): Promise<void> {
    return this.flight.run();
  }

  protected abstract sync(): Promise<void>;
  protected abstract stopAll(): Promise<void>;
}
