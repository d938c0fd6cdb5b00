import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight.js';

/** A pass the test finishes by hand. */
function manualPasses() {
  const passes: { finish: () => void; fail: (e: Error) => void }[] = [];
  const flight = new SingleFlight(() => new Promise<void>((resolve, reject) => passes.push({ finish: resolve, fail: reject })));
  const settled = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { flight, passes, settled };
}

describe('SingleFlight', () => {
  it('a caller waits for one pass that started after its call, not for a steady stream of calls to stop', async () => {
    const { flight, passes, settled } = manualPasses();
    let firstDone = false;
    void flight.run().then(() => (firstDone = true));
    await settled();
    let secondDone = false;
    void flight.run().then(() => (secondDone = true)); // during pass 1: needs pass 2
    passes[0]!.finish();
    await settled();
    expect(firstDone).toBe(true);
    expect(secondDone).toBe(false);
    expect(passes).toHaveLength(2);
    void flight.run(); // another call during pass 2: a pass 3 follows, but the second caller is done with pass 2
    passes[1]!.finish();
    await settled();
    expect(secondDone).toBe(true);
    expect(passes).toHaveLength(3);
    passes[2]!.finish();
    await flight.idle();
  });

  it('a failed pass fails its callers and those waiting for the next one; the flight runs again afterwards', async () => {
    const { flight, passes, settled } = manualPasses();
    const first = flight.run();
    await settled();
    const second = flight.run();
    passes[0]!.fail(new Error('store away'));
    await expect(first).rejects.toThrow('store away');
    await expect(second).rejects.toThrow('store away');
    const third = flight.run();
    await settled();
    passes[1]!.finish();
    await expect(third).resolves.toBeUndefined();
  });
});
