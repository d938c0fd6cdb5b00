/**
 * The follow-ups of one write batch (ADR-0030): each is planned right after the append it follows
 * is written, inside the batch's transaction, and settled once the batch committed or failed.
 * A plan that throws, or asks for an append that does not validate, is settled `failed` and
 * writes nothing; the append it follows is not affected.
 */
import type { AppendResult, FollowUp } from '../../application/ports/event-store.js';
import { prepareRequest, type PreparedRequest } from './prepare-request.js';

interface Planned {
  readonly followUp: FollowUp;
  result?: AppendResult;
  error?: unknown;
}

export class BatchFollowUps {
  private planned: Planned[] = [];

  constructor(private readonly report: (error: unknown) => void) {}

  /** Asks the follow-up what to write after an append; undefined when nothing is to be written. */
  plan(followUp: FollowUp, appended: { firstPosition: number; lastPosition: number }, committedHead: number): PreparedRequest[] | undefined {
    const entry: Planned = { followUp };
    try {
      const requests = followUp.plan(appended, committedHead);
      if (requests === undefined || requests.length === 0) return undefined;
      const prepared = requests.map(prepareRequest);
      this.planned.push(entry);
      return prepared;
    } catch (error) {
      entry.error = error;
      this.planned.push(entry);
      return undefined;
    }
  }

  /** The result of writing the follow-up planned last (a conflict or duplicate wrote nothing). */
  wrote(result: AppendResult): void {
    const last = this.planned[this.planned.length - 1];
    if (last) last.result = result;
  }

  /** The batch committed: each follow-up learns its own result. */
  committed(): void {
    this.settle((p) => (p.result !== undefined && p.error === undefined ? { kind: 'committed', result: p.result } : { kind: 'failed', error: p.error ?? new Error('follow-up not written') }));
  }

  /** The batch did not commit: nothing of any follow-up is in the log. */
  failed(error: unknown): void {
    this.settle((p) => ({ kind: 'failed', error: p.error ?? error }));
  }

  private settle(outcome: (p: Planned) => Parameters<FollowUp['settled']>[0]): void {
    const planned = this.planned;
    this.planned = [];
    for (const p of planned) {
      try {
        p.followUp.settled(outcome(p));
      } catch (error) {
        this.report(error);
      }
    }
  }
}
