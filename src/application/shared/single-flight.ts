/**
 * Runs `work` one pass at a time. A call made during a pass asks for one more pass and resolves
 * once that pass is done, so whatever triggered the call (e.g. a new commit) is seen before the
 * promise resolves — and no later: under a steady stream of calls the passes go on back to back,
 * but each caller waits for one pass that started after it called, never for the stream to stop.
 */
export class SingleFlight {
  private running: Promise<void> | undefined;
  private again = false;
  /** callers waiting for the next pass to start and finish */
  private next: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(
    private readonly work: () => Promise<void>,
    private readonly stopped: () => boolean = () => false,
  ) {}

  run(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.next.push({ resolve, reject }));
    if (this.running) {
      this.again = true;
      return done;
    }
    this.running = (async () => {
      let failure: { error: unknown } | undefined;
      try {
        do {
          this.again = false;
          const waiting = this.next;
          this.next = [];
          try {
            await this.work();
          } catch (error) {
            failure = { error };
            for (const w of waiting) w.reject(error);
            throw error;
          }
          for (const w of waiting) w.resolve();
        } while (this.again && !this.stopped());
      } finally {
        // a pass that failed fails whoever waits for the next one too; stopped: nothing more will run
        const left = this.next;
        this.next = [];
        for (const w of left) if (failure) w.reject(failure.error); else w.resolve();
        this.running = undefined;
      }
    })();
    this.running.catch(() => undefined); // each caller hears of a failure through its own promise
    return done;
  }

  /** Resolves when no pass is running (whether that pass succeeded or failed: its caller hears of a failure). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}
