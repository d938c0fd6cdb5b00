import { listedAs } from './ws-connection.js';
import type { ProMarketClient } from './ccxt-market-shapes.js';

/**
 * The venue's markets, loaded over REST once and handed to every later client of the venue
 * (ccxt `setMarketsFromExchange`), so recycling a connection does not reload them.
 */
export class SharedMarkets {
  private source: ProMarketClient | undefined;
  private markets: Readonly<Record<string, unknown>> | undefined;
  private loading: Promise<Readonly<Record<string, unknown>>> | undefined;

  /** The symbols the venue lists, once its markets are known (all of them before). */
  listed(symbols: readonly string[]): readonly string[] {
    const markets = this.markets;
    return markets === undefined ? symbols : symbols.filter((symbol) => listedAs(markets, symbol) !== undefined);
  }

  /** Gives `client` the markets (loading them on it when nobody has yet) and returns them. */
  async prepare(client: ProMarketClient): Promise<Readonly<Record<string, unknown>>> {
    if (this.loading !== undefined) {
      try {
        await this.loading;
      } catch {
        // the other client's load failed: this one tries itself below
      }
    }
    if (this.source !== undefined && this.markets !== undefined && client.setMarketsFromExchange !== undefined) {
      client.setMarketsFromExchange(this.source);
      return this.markets;
    }
    const load = client.loadMarkets();
    this.loading = load;
    try {
      const markets = await load;
      this.source = client;
      this.markets = markets;
      return markets;
    } finally {
      if (this.loading === load) this.loading = undefined;
    }
  }
}
