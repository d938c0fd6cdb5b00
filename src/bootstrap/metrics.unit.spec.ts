import { describe, expect, it } from 'vitest';
import { PatriotMetrics } from './metrics.js';

/** The alert → exchange histogram's count and sum, as /metrics shows them. */
async function alertToExchange(metrics: PatriotMetrics): Promise<{ count: number; sum: number }> {
  const values = (await metrics.alertToExchange.get()).values;
  return {
    count: values.find((v) => v.metricName === 'patriot_alert_to_exchange_seconds_count')?.value ?? 0,
    sum: values.find((v) => v.metricName === 'patriot_alert_to_exchange_seconds_sum')?.value ?? 0,
  };
}

describe('PatriotMetrics: alert -> exchange', () => {
  it('given an order that leaves after its alert was answered, then the time from receipt is observed once', async () => {
    const metrics = new PatriotMetrics();
    metrics.alertAccepted('s1', process.hrtime.bigint() - 2_000_000n);
    metrics.orderLeaving('s1');
    metrics.orderLeaving('s1'); // a second order of the same signal
    const seen = await alertToExchange(metrics);
    expect(seen.count).toBe(1);
    expect(seen.sum).toBeGreaterThanOrEqual(0.002);
  });

  it('given an order that leaves before its alert is answered (routed in the alert\'s commit), then it is observed when the answer comes, from receipt', async () => {
    const metrics = new PatriotMetrics();
    const received = process.hrtime.bigint() - 3_000_000n;
    metrics.orderLeaving('s1');
    expect((await alertToExchange(metrics)).count).toBe(0);
    metrics.alertAccepted('s1', received);
    const seen = await alertToExchange(metrics);
    expect(seen.count).toBe(1);
    expect(seen.sum).toBeGreaterThanOrEqual(0.003);
    metrics.alertAccepted('s1', received); // the early departure was used up: a new answer waits afresh
    metrics.orderLeaving('s1');
    expect((await alertToExchange(metrics)).count).toBe(2);
  });

  it('given a signal whose routing approved nothing, before or after its answer, then nothing is observed and nothing waits', async () => {
    const metrics = new PatriotMetrics();
    metrics.signalDone('early');
    metrics.alertAccepted('early', process.hrtime.bigint());
    metrics.alertAccepted('late', process.hrtime.bigint());
    metrics.signalDone('late');
    // had either been left waiting, these would be observed
    metrics.orderLeaving('early');
    metrics.orderLeaving('late');
    expect((await alertToExchange(metrics)).count).toBe(0);
  });
});
