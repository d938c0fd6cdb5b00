/**
 * Runs `work` one pass at a time. A call made during a pass joins it and asks for one more
 * pass, so whatever triggered the call (e.g. a new commit) is seen before the promise resolves.
 */
export class SingleFlight {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly stopped: () => boolean = () => false,
  ) {}

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.work();
        } while (this.again && !this.stopped());
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Resolves when no pass is running (whether that pass succeeded or failed: its caller hears of a failure). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}
