/**
 * Stale-signal guard. Pure: "now" is passed in (the application's Clock).
 *
 * Decisions:
 *   - maxAgeSeconds <= 0 disables the guard entirely (neither age nor future check).
 *   - An alert without a time passes: there is nothing to check. Our alert template always
 *     sends {{timenow}}; 3Commas sends it as "timestamp".
 *   - age > maxAgeSeconds -> STALE_SIGNAL (exactly maxAgeSeconds old still passes).
 *   - An alert time more than MAX_FUTURE_SKEW_SECONDS ahead of now -> CLOCK_SKEW: TradingView's
 *     {{timenow}} is server time to the second, so a large lead means a wrong clock or time zone
 *     on one side, and the age cannot be trusted. A lead up to the skew passes (second truncation,
 *     small NTP drift).
 */
import { err, ok, type DomainError, type Result } from '../shared/result.js';

export const MAX_FUTURE_SKEW_SECONDS = 60;

export function checkStaleness(alertTime: string | undefined, nowIso: string, maxAgeSeconds: number): Result<void, DomainError> {
  if (!(maxAgeSeconds > 0) || alertTime === undefined) return ok(undefined);
  const alertMs = Date.parse(alertTime);
  const nowMs = Date.parse(nowIso);
  if (Number.isNaN(alertMs)) {
    return err({ code: 'INVALID_TIME', message: `Alert time ${JSON.stringify(alertTime.slice(0, 40))} is not an ISO-8601 time.` });
  }
  if (Number.isNaN(nowMs)) {
    return err({ code: 'INVALID_TIME', message: `Receive time ${JSON.stringify(nowIso.slice(0, 40))} is not an ISO-8601 time.` });
  }
  const ageMs = nowMs - alertMs;
  if (ageMs > maxAgeSeconds * 1000) {
    return err({
      code: 'STALE_SIGNAL',
      message:
        `Alert fired at ${alertTime} and arrived ${formatSeconds(ageMs)} s later, more than the strategy's maximum of ${maxAgeSeconds} s; ` +
        'it was not traded. If the alert sends {{time}} (the bar\'s open time), send {{timenow}} instead, or raise the maximum age.',
    });
  }
  if (-ageMs > MAX_FUTURE_SKEW_SECONDS * 1000) {
    return err({
      code: 'CLOCK_SKEW',
      message:
        `Alert time ${alertTime} is ${formatSeconds(-ageMs)} s ahead of the server clock (${nowIso}); ` +
        `more than ${MAX_FUTURE_SKEW_SECONDS} s means a wrong clock or time zone. Send {{timenow}} (UTC) and check the server's time.`,
    });
  }
  return ok(undefined);
}

function formatSeconds(ms: number): string {
  const tenths = Math.round(ms / 100);
  return tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1);
}
