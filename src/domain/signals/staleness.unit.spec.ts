import { describe, expect, it } from 'vitest';
import { checkStaleness, MAX_FUTURE_SKEW_SECONDS } from './staleness.js';

const NOW = '2024-05-01T12:00:00.000Z';

describe('checkStaleness', () => {
  it.each<[string, string | undefined, number, string | undefined]>([
    ['fresh alert', '2024-05-01T11:59:58.000Z', 30, undefined],
    ['exactly max age passes', '2024-05-01T11:59:30.000Z', 30, undefined],
    ['one ms over max age', '2024-05-01T11:59:29.999Z', 30, 'STALE_SIGNAL'],
    ['an hour old', '2024-05-01T11:00:00.000Z', 300, 'STALE_SIGNAL'],
    ['guard disabled (0) lets an old alert through', '2020-01-01T00:00:00.000Z', 0, undefined],
    ['guard disabled (0) lets a future alert through', '2030-01-01T00:00:00.000Z', 0, undefined],
    ['negative max age disables too', '2020-01-01T00:00:00.000Z', -5, undefined],
    ['no alert time passes', undefined, 30, undefined],
    ['same instant', NOW, 30, undefined],
    ['slightly in the future (second truncation / drift)', '2024-05-01T12:00:59.000Z', 30, undefined],
    ['exactly the allowed skew', '2024-05-01T12:01:00.000Z', 30, undefined],
    ['beyond the allowed skew', '2024-05-01T12:01:00.001Z', 30, 'CLOCK_SKEW'],
    ['hours in the future (time zone mistake)', '2024-05-01T14:00:00.000Z', 30, 'CLOCK_SKEW'],
    ['unparseable alert time', 'not a time', 30, 'INVALID_TIME'],
  ])('%s', (_name, alertTime, maxAge, code) => {
    const r = checkStaleness(alertTime, NOW, maxAge);
    if (code === undefined) expect(r.ok).toBe(true);
    else expect(r).toMatchObject({ ok: false, error: { code } });
  });

  it('the skew allowance is 60 s', () => {
    expect(MAX_FUTURE_SKEW_SECONDS).toBe(60);
  });

  it('tells the trader the age, the limit and what to change', () => {
    const r = checkStaleness('2024-05-01T11:58:00.000Z', NOW, 60);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain('120 s');
      expect(r.error.message).toContain('60 s');
      expect(r.error.message).toContain('{{timenow}}');
    }
  });

  it('reports the lead of a future alert', () => {
    const r = checkStaleness('2024-05-01T13:00:00.000Z', NOW, 60);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('3600 s ahead');
  });

  it('an invalid receive time is INVALID_TIME', () => {
    expect(checkStaleness(NOW, 'garbage', 30)).toMatchObject({ ok: false, error: { code: 'INVALID_TIME' } });
  });
});
