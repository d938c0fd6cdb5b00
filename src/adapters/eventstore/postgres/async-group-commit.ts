/**
 * Group commit for an asynchronous backend: at most one flush (one database transaction) is in
 * flight; jobs submitted meanwhile accumulate and form the next batch. The first job of an idle
 * queue waits one setImmediate so that calls made in the same event-loop turn share a batch.
 * The flush callback settles each job itself and must not throw.
 */
export class AsyncGroupCommitQueue<Job> {
  private pending: Job[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly flush: (jobs: Job[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  enqueue(job: Job): void {
    this.pending.push(job);
    if (this.running === undefined) this.running = this.run();
  }

  private async run(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.pending.length > 0) {
        const jobs = this.pending.length <= this.maxBatch ? this.pending : this.pending.slice(0, this.maxBatch);
        this.pending = jobs === this.pending ? [] : this.pending.slice(this.maxBatch);
        try {
          await this.flush(jobs);
        } catch {
          // flush settles its jobs; an escaped error must not stop the queue
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Resolves once every job queued so far has been flushed. */
  async drain(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }
}
