import { describe, expect, it } from 'vitest';
import { observeFutures } from './observed-futures.js';
import type { CcxtProClient } from './ccxt-types.js';

/** A websocket client as ccxt pro has it: futures by message hash, all rejected when the socket closes. */
function fakePro() {
  const futures = new Map<string, { promise: Promise<unknown>; reject: (e: unknown) => void }>();
  const wsClient = {
    future(hash: string): Promise<unknown> {
      let reject!: (e: unknown) => void;
      const promise = new Promise((_resolve, r) => (reject = r));
      futures.set(hash, { promise, reject });
      return promise;
    },
    closed(error: Error): void {
      for (const f of futures.values()) f.reject(error);
    },
  };
  const pro = { client: (_url: string) => wsClient };
  return { pro, wsClient };
}

const unhandledDuring = async (work: () => Promise<void>): Promise<unknown[]> => {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await work();
    // Node reports a promise left rejected without a handler once the microtasks of the turn that
    // rejected it have run: a later turn (setImmediate) is past that point
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
};

describe('observeFutures', () => {
  it('a future nobody awaits, rejected when the socket closes, is no unhandled rejection; one that is awaited still rejects', async () => {
    const { pro, wsClient } = fakePro();
    observeFutures(pro as unknown as CcxtProClient);
    const seen = await unhandledDuring(async () => {
      const client = pro.client('wss://x');
      client.future('authenticate:signature:spot'); // made ahead, never awaited (as ccxt's binance does)
      const awaited = client.future('orders');
      wsClient.closed(new Error('connection closed by remote server, closing code 1006'));
      await expect(awaited).rejects.toThrow(/closing code 1006/);
    });
    expect(seen).toEqual([]);
  });
});
