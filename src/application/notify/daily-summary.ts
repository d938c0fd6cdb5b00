import { summaryDueDay, type ChannelSettings } from '../../domain/notices/channel-settings.js';
import { dailySummaryNotice, type SummaryFigures } from '../../domain/notices/daily-summary.js';
import type { Notice } from '../../domain/notices/notice.js';
import type { Clock } from '../ports/clock.js';
import type { KeyValueStore } from '../ports/key-value.js';

/** Where each channel's last daily summary is recorded (shared by every node). */
export const DAILY_SUMMARY_PREFIX = 'daily-summary/';
const DAY_MS = 86_400_000;

/** The figures of a tenant over a window: the same queries as the API's analytics and positions. */
export type SummarySource = (tenantId: string, from: string, to: string) => Promise<SummaryFigures>;

/** A channel's record: the day last claimed, its notice (kept so a resend is the same), and whether it went. */
interface SummaryRecord {
  readonly day: string;
  readonly sent: boolean;
  /** absent in the baseline written when the channel is first seen */
  readonly notice?: Notice;
}

const parse = (raw: string | undefined): SummaryRecord | undefined => {
  if (raw === undefined) return undefined;
  try {
    const r = JSON.parse(raw) as SummaryRecord;
    return typeof r.day === 'string' && typeof r.sent === 'boolean' ? r : undefined;
  } catch {
    return undefined;
  }
};

export interface DailySummaryDeps {
  readonly kv: KeyValueStore;
  readonly clock: Clock;
  readonly source: SummarySource;
}

/**
 * The daily summary of one channel (issue 19), run at the end of its delivery runner's passes.
 * Exactly once per channel and local day across nodes and restarts: the day is claimed first by a
 * compare-and-set of the channel's record (so two nodes that both think they lead cannot both
 * claim it), with the notice made once and stored in the claim; only then is it sent, and then
 * recorded sent. A crash between the claim and "sent" sends the stored notice again once the
 * runner is back — the same id (`summary_<day>`) and the same text, so a receiver can drop it.
 */
export function dailySummary(destinationId: string, tenantId: string, settings: ChannelSettings, deps: DailySummaryDeps): (deliver: (notice: Notice) => Promise<void>) => Promise<void> {
  const key = `${DAILY_SUMMARY_PREFIX}${destinationId}`;
  return async (deliver) => {
    const raw = await deps.kv.get(key);
    let record = parse(raw);
    const now = deps.clock.now();
    if (record === undefined) {
      // first seen: today's summary is owed only if its time is still to come (a channel made at noon gets tomorrow's 08:00 one first)
      const baseline = JSON.stringify({ day: summaryDueDay(settings, now, undefined) ?? '', sent: true });
      if (raw === undefined) await deps.kv.setIfAbsent(key, baseline);
      else await deps.kv.compareAndSet(key, raw, baseline); // unreadable: started afresh
      return;
    }
    if (!record.sent && record.notice) {
      await deliver(record.notice); // claimed, not recorded sent: a crash or a lead change came between
    } else {
      const day = summaryDueDay(settings, now, record.day === '' ? undefined : record.day);
      if (day === undefined) return;
      const figures = await deps.source(tenantId, new Date(now - DAY_MS).toISOString(), new Date(now).toISOString());
      const notice = dailySummaryNotice(tenantId, day, settings.timeZone, figures);
      const claim: SummaryRecord = { day, sent: false, notice };
      if (!(await deps.kv.compareAndSet(key, raw!, JSON.stringify(claim)))) return; // another node claimed it meanwhile
      record = claim;
      await deliver(notice);
    }
    await deps.kv.set(key, JSON.stringify({ ...record, sent: true }));
  };
}
