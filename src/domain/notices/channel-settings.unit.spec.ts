import { describe, expect, it } from 'vitest';
import { changeSettings, defaultSettings, isQuiet, localTime, summaryDueDay } from './channel-settings.js';
import { isCritical, kindOfEvent, NOTICE_KINDS, storedKinds } from './notice.js';

const at = (iso: string) => Date.parse(iso);
const berlin = { timeZone: 'Europe/Berlin', quietHours: { from: '22:00', to: '07:00' } };

describe('quiet hours', () => {
  it('a window crossing midnight is quiet from its start to its end by the local clock, and not outside it', () => {
    // winter: Berlin is UTC+1
    expect(isQuiet(berlin, at('2026-01-15T20:59:00Z'))).toBe(false); // 21:59
    expect(isQuiet(berlin, at('2026-01-15T21:00:00Z'))).toBe(true); // 22:00
    expect(isQuiet(berlin, at('2026-01-15T23:30:00Z'))).toBe(true); // 00:30 the next day
    expect(isQuiet(berlin, at('2026-01-16T05:59:00Z'))).toBe(true); // 06:59
    expect(isQuiet(berlin, at('2026-01-16T06:00:00Z'))).toBe(false); // 07:00: the end is not quiet
    expect(isQuiet(berlin, at('2026-01-16T12:00:00Z'))).toBe(false);
  });

  it('follows the clock change: the same UTC instant is quiet before the spring change and not after it', () => {
    // 05:30 UTC is 06:30 CET on Saturday 28 March 2026 (quiet) and 07:30 CEST on Sunday 29 March (not quiet)
    expect(localTime(at('2026-03-28T05:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2026-03-28', minutes: 6 * 60 + 30 });
    expect(isQuiet(berlin, at('2026-03-28T05:30:00Z'))).toBe(true);
    expect(localTime(at('2026-03-29T05:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2026-03-29', minutes: 7 * 60 + 30 });
    expect(isQuiet(berlin, at('2026-03-29T05:30:00Z'))).toBe(false);
    // and in autumn (25 October 2026, back to UTC+1): 21:30 UTC is 22:30 CET, quiet; the day before 23:30 CEST, quiet; 20:30 UTC on the 24th is 22:30 CEST
    expect(isQuiet(berlin, at('2026-10-24T20:30:00Z'))).toBe(true);
    expect(isQuiet(berlin, at('2026-10-25T20:30:00Z'))).toBe(false); // 21:30 CET
    expect(isQuiet(berlin, at('2026-10-25T21:00:00Z'))).toBe(true); // 22:00 CET
  });

  it('a window inside one day; another zone; none set is never quiet', () => {
    const ny = { timeZone: 'America/New_York', quietHours: { from: '12:00', to: '13:30' } };
    expect(isQuiet(ny, at('2026-07-01T16:15:00Z'))).toBe(true); // 12:15 EDT
    expect(isQuiet(ny, at('2026-07-01T17:30:00Z'))).toBe(false); // 13:30 EDT
    expect(isQuiet({ timeZone: 'Europe/Berlin' }, at('2026-01-15T23:30:00Z'))).toBe(false);
  });
});

describe('the daily summary is due once per local day', () => {
  const s = { ...defaultSettings(), timeZone: 'Europe/Berlin', summaryAt: '08:00' };
  it('from the chosen local time on, until it was sent for that day', () => {
    expect(summaryDueDay(s, at('2026-01-15T06:59:00Z'), '2026-01-14')).toBeUndefined(); // 07:59
    expect(summaryDueDay(s, at('2026-01-15T07:00:00Z'), '2026-01-14')).toBe('2026-01-15');
    expect(summaryDueDay(s, at('2026-01-15T22:00:00Z'), '2026-01-15')).toBeUndefined(); // sent today
    expect(summaryDueDay(s, at('2026-01-15T23:30:00Z'), '2026-01-15')).toBeUndefined(); // 00:30 on the 16th: before 08:00
    expect(summaryDueDay({ ...s, kinds: ['fill'] }, at('2026-01-15T07:00:00Z'), undefined)).toBeUndefined();
  });
  it('on the night the clocks skip the chosen time, it goes at the first minute after it', () => {
    const early = { ...s, summaryAt: '02:30' }; // 29 March 2026: 02:00 CET becomes 03:00 CEST
    expect(summaryDueDay(early, at('2026-03-29T00:59:00Z'), '2026-03-28')).toBeUndefined(); // 01:59 CET
    expect(summaryDueDay(early, at('2026-03-29T01:00:00Z'), '2026-03-28')).toBe('2026-03-29'); // 03:00 CEST
  });
});

describe('changing a channel\'s settings', () => {
  it('checks each field and names what is wrong with a stable code', () => {
    const d = defaultSettings();
    expect(changeSettings(d, { kinds: ['fill', 'nope'] })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT_KIND' } });
    expect(changeSettings(d, { timeZone: 'Mars/Olympus' })).toMatchObject({ ok: false, error: { code: 'INVALID_TIME_ZONE' } });
    expect(changeSettings(d, { quietHours: { from: '25:00', to: '07:00' } })).toMatchObject({ ok: false, error: { code: 'INVALID_QUIET_HOURS' } });
    expect(changeSettings(d, { quietHours: { from: '07:00', to: '07:00' } })).toMatchObject({ ok: false, error: { code: 'INVALID_QUIET_HOURS' } });
    expect(changeSettings(d, { summaryAt: '8am' })).toMatchObject({ ok: false, error: { code: 'INVALID_SUMMARY_TIME' } });
    const changed = changeSettings(d, { kinds: ['kill_switch', 'fill'], timeZone: 'Europe/Berlin', quietHours: { from: '22:00', to: '07:00' }, summaryAt: '18:30' });
    expect(changed).toEqual({ ok: true, value: { kinds: ['fill', 'kill_switch'], timeZone: 'Europe/Berlin', quietHours: { from: '22:00', to: '07:00' }, summaryAt: '18:30' } });
    if (changed.ok) expect(changeSettings(changed.value, { quietHours: null })).toEqual({ ok: true, value: { kinds: ['fill', 'kill_switch'], timeZone: 'Europe/Berlin', summaryAt: '18:30' } });
  });
  it('defaults to every kind', () => {
    expect(defaultSettings().kinds).toEqual(NOTICE_KINDS);
  });
});

describe('kinds and criticality', () => {
  it('a fill that completes its order is a fill, one that does not a partial fill', () => {
    expect(kindOfEvent('OrderFilled', { complete: true })).toBe('fill');
    expect(kindOfEvent('OrderFilled', { complete: false })).toBe('partial_fill');
    expect(kindOfEvent('OrderStatusUnknown', {})).toBe('order_unknown');
    expect(kindOfEvent('OrderSubmitted', {})).toBeUndefined();
  });
  it('a choice stored before partial fills were a kind keeps them with its fills', () => {
    expect(storedKinds(['fill', 'kill_switch'], undefined)).toEqual(['fill', 'partial_fill', 'kill_switch']);
    expect(storedKinds(['fill', 'kill_switch'], 2)).toEqual(['fill', 'kill_switch']);
    expect(storedKinds(['kill_switch', 'gone'], undefined)).toEqual(['kill_switch']);
  });
  it('a choice of every kind stored before the connection kinds existed gets them; a narrower one does not', () => {
    const all2 = ['fill', 'partial_fill', 'order_rejected', 'order_unknown', 'order_expired', 'order_cancelled', 'alert_rejected', 'kill_switch', 'reconciliation', 'daily_summary'];
    expect(storedKinds(all2, 2)).toEqual(NOTICE_KINDS);
    expect(storedKinds(['fill', 'kill_switch'], 2)).toEqual(['fill', 'kill_switch']);
    expect(storedKinds(['fill', 'kill_switch'], 3)).toEqual(['fill', 'kill_switch']);
  });
  it('the circuit breaker, stale prices and a takeover from another node are kinds; a first owner is not told', () => {
    expect(kindOfEvent('ExchangeCircuitChanged', { state: 'open' })).toBe('circuit_breaker');
    expect(kindOfEvent('AccountPricesChanged', { state: 'stale' })).toBe('stale_prices');
    expect(kindOfEvent('AccountOwnerChanged', { nodeId: 'b', previousNodeId: 'a' })).toBe('takeover');
    expect(kindOfEvent('AccountOwnerChanged', { nodeId: 'a' })).toBeUndefined();
    expect(isCritical({ type: 'ExchangeCircuitChanged', data: { state: 'open' } })).toBe(true);
    expect(isCritical({ type: 'ExchangeCircuitChanged', data: { state: 'closed' } })).toBe(false);
    expect(isCritical({ type: 'AccountPricesChanged', data: { state: 'stale' } })).toBe(true);
    expect(isCritical({ type: 'AccountPricesChanged', data: { state: 'fresh' } })).toBe(false);
  });
  it('the kill switch engaged, an order stuck unknown and reconciliation differences are critical; the rest wait', () => {
    expect(isCritical({ type: 'KillSwitchEngaged', data: {} })).toBe(true);
    expect(isCritical({ type: 'GlobalKillSwitchEngaged', data: {} })).toBe(true);
    expect(isCritical({ type: 'OrderStatusUnknown', data: {} })).toBe(true);
    expect(isCritical({ type: 'AccountReconciled', data: { differences: [{ kind: 'balance' }] } })).toBe(true);
    expect(isCritical({ type: 'AccountReconciled', data: { differences: [] } })).toBe(false);
    expect(isCritical({ type: 'KillSwitchReleased', data: {} })).toBe(false);
    expect(isCritical({ type: 'OrderFilled', data: {} })).toBe(false);
  });
});
