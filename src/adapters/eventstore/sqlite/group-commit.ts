/**
 * Group commit: work submitted during one event-loop turn is collected and handed to a single
 * synchronous flush (one write transaction, one fsync) scheduled with setImmediate.
 * The flush callback settles each job itself.
 */
export class GroupCommitQueue<Job> {
  private pending: Job[] = [];
  private scheduled: Promise<void> | undefined;

  constructor(private readonly flush: (jobs: Job[]) => void) {}

  enqueue(job: Job): void {
    this.pending.push(job);
    if (this.scheduled === undefined) {
      this.scheduled = new Promise<void>((resolve) => {
        setImmediate(() => {
          const jobs = this.pending;
          this.pending = [];
          this.scheduled = undefined;
          try {
            this.flush(jobs);
          } finally {
            resolve();
          }
        });
      });
    }
  }

  /** Resolves once every job queued so far has been flushed. */
  async drain(): Promise<void> {
    while (this.scheduled !== undefined) {
      await this.scheduled;
    }
  }
}
