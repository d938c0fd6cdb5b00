import { describe, expect, it } from 'vitest';
import { digestText, messagesLeft, nextSlotAt, planSends } from './digest.js';
import type { Notice } from './notice.js';

const fill = (i: number, side: string, quantity: string): Notice => ({ id: `evt_${i}`, type: 'OrderFilled', kind: 'fill', time: `2026-12-07T00:00:${String(i % 60).padStart(2, '0')}.000Z`, tenantId: 't1', data: { side, quantity, symbol: 'BTC/USDT' } });

describe('chat digests (issue 19)', () => {
  it('counts the messages of the window and says when the next may go', () => {
    const policy = { maxMessages: 3, windowMs: 1000 };
    expect(messagesLeft(policy, [100, 200], 1000)).toBe(1); // the window is (now - 1000, now]
    expect(messagesLeft(policy, [100, 200], 1100)).toBe(2); // 100 has left it
    expect(messagesLeft(policy, [100, 200, 900, 950], 1050)).toBe(0);
    expect(nextSlotAt(policy, [100, 200, 900, 950], 1050)).toBe(1200);
    expect(nextSlotAt(policy, [900], 1050)).toBe(1050);
  });

  it('sends one by one what fits, and the rest as one digest', () => {
    expect(planSends(2, 5)).toEqual({ single: 2, digest: false });
    expect(planSends(5, 5)).toEqual({ single: 5, digest: false });
    expect(planSends(1000, 5)).toEqual({ single: 4, digest: true });
    expect(planSends(1000, 1)).toEqual({ single: 0, digest: true });
    expect(planSends(1000, 0)).toEqual({ single: 0, digest: false });
  });

  it('a digest counts every notice and sums the quantities exactly', () => {
    const notices = [...Array.from({ length: 500 }, (_, i) => fill(i, 'buy', '0.001')), ...Array.from({ length: 498 }, (_, i) => fill(500 + i, 'sell', '0.1'))];
    notices.push({ id: 'evt_2000', type: 'SignalRejected', kind: 'alert_rejected', time: '2026-12-07T00:01:00.000Z', tenantId: 't1', data: {} });
    const text = digestText(notices);
    expect(text).toMatch(/^Digest of 999 notices \(2026-12-07T00:00:00.000Z … 2026-12-07T00:01:00.000Z, evt_0 … evt_2000\)/);
    expect(text).toContain('998 fills, 1 alerts refused');
    expect(text).toContain('• BUY BTC/USDT: 500 fills, quantity 0.5');
    expect(text).toContain('• SELL BTC/USDT: 498 fills, quantity 49.8');
  });
});
