import { describe, expect, it } from 'vitest';
import { eventTypesOf, givenUp, maskUrl, noticeOf, parseEndpointUrl, parseKinds, retryDelay } from './notice.js';

describe('notices', () => {
  it('tells only the chosen kinds, with an id stable per log position', () => {
    const event = { globalPosition: 42, type: 'OrderExchangeRejected', data: { clientOrderId: 'c1' }, metadata: { tenantId: 't1', time: '2026-01-01T00:00:00.000Z' } };
    expect(noticeOf(event)).toEqual({ id: 'evt_42', type: 'OrderExchangeRejected', kind: 'order_rejected', time: '2026-01-01T00:00:00.000Z', tenantId: 't1', data: { clientOrderId: 'c1' } });
    expect(noticeOf({ ...event, type: 'AccountBalancesObserved' })).toBeUndefined();
    expect(eventTypesOf(['kill_switch'])).toEqual(['KillSwitchEngaged', 'KillSwitchReleased', 'GlobalKillSwitchEngaged', 'GlobalKillSwitchReleased']);
  });

  it('checks kinds and URLs with stable codes, never repeating the URL', () => {
    expect(parseKinds(['fill', 'fill', 'reconciliation'])).toEqual({ ok: true, value: ['fill', 'reconciliation'] });
    expect(parseKinds(['nope'])).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT_KIND' } });
    for (const bad of ['', 'hooks.example.com', 'ftp://x.example.com/', 'https://x.example.com/a#b', `https://x.example.com/${'a'.repeat(2100)}`]) {
      const parsed = parseEndpointUrl(bad);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.code).toBe('INVALID_URL');
    }
    const slack = parseEndpointUrl('https://hooks.slack.com/services/T0/B0/SECRETPART');
    expect(slack.ok && maskUrl(slack.value)).toBe('https://hooks.slack.com/…');
  });

  it('backs off exponentially up to the longest wait, and gives up after the deadline from the first try', () => {
    const policy = { baseMs: 1000, maxMs: 600_000, giveUpAfterMs: 86_400_000 };
    expect([1, 2, 3, 4].map((n) => retryDelay(policy, n))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(policy, 40)).toBe(600_000);
    expect(givenUp(policy, 0, 86_399_999)).toBe(false);
    expect(givenUp(policy, 0, 86_400_000)).toBe(true);
  });
});
