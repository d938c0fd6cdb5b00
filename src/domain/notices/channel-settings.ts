import { err, ok, type DomainError, type Result } from '../shared/result.js';
import { NOTICE_KINDS, parseKinds, type NoticeKind } from './notice.js';

/**
 * What a channel's owner chose (issue 19), per channel (a Telegram chat, a Discord, Slack or
 * e-mail endpoint): which kinds of notices, in which IANA time zone, quiet hours in it (only
 * critical notices go out in them; the rest wait and go as one digest at their end), and when the
 * daily summary goes (if `daily_summary` is among the kinds). Pure: the clock is passed in; local
 * time comes from Intl (the time zone data of the runtime), so daylight saving time is followed.
 */
export interface QuietHours {
  /** local start, HH:MM (24 h) */
  readonly from: string;
  /** local end, HH:MM; before `from`: the window crosses midnight */
  readonly to: string;
}

export interface ChannelSettings {
  readonly kinds: readonly NoticeKind[];
  /** IANA name, e.g. Europe/Berlin */
  readonly timeZone: string;
  readonly quietHours?: QuietHours;
  /** local time of the daily summary, HH:MM */
  readonly summaryAt: string;
}

export const DEFAULT_SUMMARY_AT = '08:00';

/** Every kind, UTC, no quiet hours, the summary at 08:00: what a channel gets until its owner chooses. */
export const defaultSettings = (kinds: readonly NoticeKind[] = NOTICE_KINDS): ChannelSettings => ({ kinds, timeZone: 'UTC', summaryAt: DEFAULT_SUMMARY_AT });

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight of an HH:MM (undefined: not one). */
export function minutesOf(hhmm: string): number | undefined {
  const m = HH_MM.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatOf(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formats.set(timeZone, f);
  }
  return f;
}

/** The canonical name of an IANA time zone (undefined: the runtime does not know it). */
export function canonicalTimeZone(raw: string): string | undefined {
  if (raw.length === 0 || raw.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The local date (YYYY-MM-DD) and minutes after local midnight of an instant in a time zone. */
export function localTime(instantMs: number, timeZone: string): { readonly date: string; readonly minutes: number } {
  const parts = Object.fromEntries(formatOf(timeZone).formatToParts(new Date(instantMs)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/**
 * Whether an instant is inside the channel's quiet hours, by the local wall clock of its time
 * zone: [from, to), crossing midnight when `to` is before `from`. On the night the clocks change,
 * the window follows the wall clock (it is an hour shorter or longer in absolute time).
 */
export function isQuiet(settings: Pick<ChannelSettings, 'timeZone' | 'quietHours'>, nowMs: number): boolean {
  const q = settings.quietHours;
  if (!q) return false;
  const from = minutesOf(q.from);
  const to = minutesOf(q.to);
  if (from === undefined || to === undefined || from === to) return false;
  const { minutes } = localTime(nowMs, settings.timeZone);
  return from < to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
}

/**
 * The local day whose daily summary is due at `nowMs` (undefined: none): today's, once the local
 * time reached `summaryAt` (on a day the clocks skip that time, the first minute after it), unless
 * `lastDay` (the last day sent) is already today.
 */
export function summaryDueDay(settings: Pick<ChannelSettings, 'timeZone' | 'summaryAt' | 'kinds'>, nowMs: number, lastDay: string | undefined): string | undefined {
  if (!settings.kinds.includes('daily_summary')) return undefined;
  const at = minutesOf(settings.summaryAt) ?? minutesOf(DEFAULT_SUMMARY_AT)!;
  const { date, minutes } = localTime(nowMs, settings.timeZone);
  if (minutes < at || (lastDay !== undefined && lastDay >= date)) return undefined;
  return date;
}

/** What an API caller may send: each field optional (absent: unchanged); `quietHours: null` removes them. */
export interface SettingsInput {
  readonly kinds?: readonly string[];
  readonly timeZone?: string;
  readonly quietHours?: { readonly from: string; readonly to: string } | null;
  readonly summaryAt?: string;
}

/** New settings from the current ones and an input, checked; 4xx codes: UNKNOWN_EVENT_KIND, INVALID_TIME_ZONE, INVALID_QUIET_HOURS, INVALID_SUMMARY_TIME. */
export function changeSettings(current: ChannelSettings, input: SettingsInput): Result<ChannelSettings, DomainError> {
  let kinds = current.kinds;
  if (input.kinds !== undefined) {
    const parsed = parseKinds(input.kinds);
    if (!parsed.ok) return parsed;
    kinds = parsed.value;
  }
  let timeZone = current.timeZone;
  if (input.timeZone !== undefined) {
    const tz = canonicalTimeZone(input.timeZone);
    if (!tz) return err({ code: 'INVALID_TIME_ZONE', message: 'timeZone is an IANA time zone such as Europe/Berlin or America/New_York' });
    timeZone = tz;
  }
  let quietHours = current.quietHours;
  if (input.quietHours === null) quietHours = undefined;
  else if (input.quietHours !== undefined) {
    const { from, to } = input.quietHours;
    if (minutesOf(from) === undefined || minutesOf(to) === undefined) return err({ code: 'INVALID_QUIET_HOURS', message: 'quiet hours are from and to as HH:MM (24 h), e.g. 22:00 and 07:00' });
    if (from === to) return err({ code: 'INVALID_QUIET_HOURS', message: 'quiet hours need a start and an end that differ' });
    quietHours = { from, to };
  }
  let summaryAt = current.summaryAt;
  if (input.summaryAt !== undefined) {
    if (minutesOf(input.summaryAt) === undefined) return err({ code: 'INVALID_SUMMARY_TIME', message: 'summaryAt is a local time as HH:MM (24 h), e.g. 08:00' });
    summaryAt = input.summaryAt;
  }
  return ok({ kinds, timeZone, ...(quietHours ? { quietHours } : {}), summaryAt });
}
