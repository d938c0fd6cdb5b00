import { Dec } from '../shared/decimal.js';
import type { Notice } from './notice.js';

/**
 * Chat floods (issue 19): at most `maxMessages` notices per chat per `windowMs`, one message
 * each; beyond that, what is waiting becomes one digest message. Pure: the sender keeps the times.
 */
export interface DigestPolicy {
  readonly maxMessages: number;
  readonly windowMs: number;
}

/** How many messages a chat may still get now, given when the last ones went (ms). */
export function messagesLeft(policy: DigestPolicy, sentAt: readonly number[], now: number): number {
  return Math.max(0, policy.maxMessages - sentAt.filter((t) => t > now - policy.windowMs).length);
}

/** When the next message may go (ms): now when one is left, else when the oldest in the window leaves it. */
export function nextSlotAt(policy: DigestPolicy, sentAt: readonly number[], now: number): number {
  const inWindow = sentAt.filter((t) => t > now - policy.windowMs).sort((a, b) => a - b);
  if (inWindow.length < policy.maxMessages) return now;
  return inWindow[inWindow.length - policy.maxMessages]! + policy.windowMs;
}

/**
 * What to send of `pending` notices with `left` messages allowed now: all one by one when they
 * fit; otherwise `left - 1` one by one and the rest in one digest; nothing while none is left.
 */
export function planSends(pending: number, left: number): { readonly single: number; readonly digest: boolean } {
  if (left <= 0 || pending === 0) return { single: 0, digest: false };
  if (pending <= left) return { single: pending, digest: false };
  if (left === 1) return { single: 0, digest: true };
  return { single: left - 1, digest: true };
}

const KIND_WORDS: Readonly<Record<string, string>> = {
  fill: 'fills', partial_fill: 'partial fills', order_rejected: 'orders refused', order_unknown: 'orders in unknown state', order_expired: 'orders expired', order_cancelled: 'orders cancelled',
  alert_rejected: 'alerts refused', kill_switch: 'kill switch changes', reconciliation: 'reconciliations', daily_summary: 'daily summaries', digest: 'digests', test: 'test messages',
};

/**
 * One message for many notices: how many of each kind, and for fills the count and quantity per
 * symbol and side (summed exactly), from the first to the last event. The counts add up to the
 * notices given: nothing is left out of a digest.
 */
export function digestText(notices: readonly Notice[], why = 'too many to send one by one'): string {
  const byKind = new Map<string, number>();
  const fills = new Map<string, { count: number; quantity: Dec }>();
  for (const n of notices) {
    byKind.set(n.kind, (byKind.get(n.kind) ?? 0) + 1);
    if (n.type === 'OrderFilled') {
      const key = `${String(n.data.side ?? '').toUpperCase()} ${String(n.data.symbol ?? '?')}`;
      const seen = fills.get(key) ?? { count: 0, quantity: new Dec(0) };
      let quantity = seen.quantity;
      try {
        quantity = quantity.plus(new Dec(String(n.data.quantity ?? '0')));
      } catch {
        // a quantity that is not a number is counted, not summed
      }
      fills.set(key, { count: seen.count + 1, quantity });
    }
  }
  const kinds = [...byKind].map(([kind, count]) => `${count} ${KIND_WORDS[kind] ?? kind}`).join(', ');
  const fillLines = [...fills].sort(([a], [b]) => a.localeCompare(b)).map(([key, f]) => `• ${key}: ${f.count} fills, quantity ${f.quantity.toFixed()}`);
  const first = notices[0];
  const last = notices[notices.length - 1];
  const span = first && last ? ` (${first.time} … ${last.time}, ${first.id} … ${last.id})` : '';
  return [`Digest of ${notices.length} notices${span}: ${why}.`, kinds, ...fillLines].join('\n');
}

/**
 * The digest of the notices held during quiet hours, as one notice: its id is the last held
 * notice's (`digest_<id>`), so the same held notices make the same digest again after a crash
 * (a receiver dedupes it like any notice); `data.eventIds` names every notice it stands for.
 */
export function quietDigest(held: readonly Notice[], time: string): Notice {
  const last = held[held.length - 1]!;
  return {
    id: `digest_${last.id}`, type: 'Digest', kind: 'digest', time, tenantId: last.tenantId,
    data: { text: digestText(held, 'held during quiet hours'), count: held.length, eventIds: held.map((n) => n.id) },
  };
}
