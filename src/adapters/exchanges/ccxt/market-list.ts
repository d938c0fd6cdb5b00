import type { Market } from '../../../application/ports/exchange.js';
import type { CcxtClient } from './ccxt-types.js';
import { isOfType, type VenueSpec } from './venue.js';
import { portSymbolOf, toPortMarket } from './order-mapping.js';
import { exchangeFamily } from './exchange-family.js';
import { nativeTriggersOf } from './native-triggers.js';

/**
 * A venue's market list as PATRIOT keeps it: every market of the venue's type, with its
 * precision and limits, halted ones marked (ccxt `active: false`). Loads fresh each call.
 */
export async function loadMarketList(spec: VenueSpec, client: CcxtClient): Promise<Market[]> {
  const markets = await client.loadMarkets(true);
  const precisionMode = client.precisionMode ?? 4;
  const seen = new Set<string>();
  const out: Market[] = [];
  for (const market of Object.values(markets)) {
    if (!market || !isOfType(market, spec.marketType)) continue;
    const symbol = portSymbolOf(market);
    if (seen.has(symbol)) continue;
    seen.add(symbol);
    out.push({
      ...toPortMarket(market, precisionMode),
      ...nativeTriggersOf(exchangeFamily(spec.exchangeId), spec.marketType, market),
      status: market.active === false ? 'halted' : 'trading',
      ...(market.symbol !== symbol ? { exchangeSymbol: market.symbol } : {}),
    });
  }
  return out.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}
