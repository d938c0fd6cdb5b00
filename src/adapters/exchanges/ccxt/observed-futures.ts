import type { CcxtProClient } from './ccxt-types.js';

type WsClient = { future(messageHash: string): Promise<unknown> };
type WithClients = { client?: (url: string) => WsClient };

const observed = new WeakSet<object>();

/**
 * ccxt pro makes some websocket futures that nobody awaits (Binance creates its "authenticated"
 * future ahead of the subscribe request, for concurrent callers to find). When the socket closes,
 * every pending future is rejected, and an unawaited one becomes an unhandled rejection — which
 * ends a Node process, and a trading server with it. Every future the instance's websocket
 * clients make is marked handled here; whoever awaits one still gets its error.
 */
export function observeFutures(pro: CcxtProClient): void {
  const instance = pro as unknown as WithClients;
  const makeClient = instance.client;
  if (typeof makeClient !== 'function') return;
  instance.client = (url: string): WsClient => {
    const client = makeClient.call(instance, url);
    if (!observed.has(client)) {
      observed.add(client);
      const future = client.future.bind(client);
      client.future = (messageHash: string) => {
        const made = future(messageHash);
        made.catch(() => undefined);
        return made;
      };
    }
    return client;
  };
}
