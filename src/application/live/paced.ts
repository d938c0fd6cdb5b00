import type { Clock } from '../ports/clock.js';

/**
 * Runs `run` at most once per `intervalMs`: a request runs it at once when it last ran at least
 * that long ago, else at the end of the interval; requests in between are one run.
 */
export class Paced {
  private timer: NodeJS.Timeout | undefined;
  private lastRunAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly run: () => void,
  ) {}

  request(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastRunAt = this.clock.now();
      this.run();
    }, Math.max(0, this.lastRunAt + this.intervalMs - this.clock.now()));
    this.timer.unref();
  }

  /** Drops a pending run. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
