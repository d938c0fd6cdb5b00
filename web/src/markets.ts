import { api } from './api.js';
import { priceText, quantityText } from './decimals.js';
import type { Market } from './types.js';

/**
 * Each account's markets as its own exchange lists them (tick and step, issue 20), asked once per
 * account and symbol (GET /markets?accountId&q) and kept for the page's life. A market the list
 * does not hold is remembered as such; a failed or not-yet-loaded answer is asked again later.
 * Until a market is known its numbers are shown at up to 8 places, never cut.
 */
const known = new Map<string, Market | null>();
const asking = new Map<string, Promise<void>>();
const retryAt = new Map<string, number>();
const RETRY_MS = 30_000;

interface Where { readonly accountId: string; readonly symbol: string }
const keyOf = (w: Where): string => `${w.accountId}\n${w.symbol}`;

/** The market of an account's symbol, once loaded (undefined: not known yet, or not listed). */
export function marketOf(w: Where): Market | undefined {
  return known.get(keyOf(w)) ?? undefined;
}

/** Loads the markets of these account/symbol pairs that are not known yet (errors are swallowed: the fallback is shown). */
export async function loadMarkets(pairs: readonly Where[]): Promise<void> {
  const now = Date.now();
  const wanted = new Map<string, Where>();
  for (const w of pairs) {
    const key = keyOf(w);
    if (!known.has(key) && (retryAt.get(key) ?? 0) <= now) wanted.set(key, w);
  }
  await Promise.all([...wanted].map(([key, w]) => asking.get(key) ?? ask(key, w)));
}

function ask(key: string, w: Where): Promise<void> {
  const request = (async () => {
    try {
      if (w.symbol.length > 40) return void known.set(key, null); // longer than the route's filter takes: not a listed symbol
      const answer = await api<{ loaded?: boolean; items?: Market[] }>(`/markets?accountId=${encodeURIComponent(w.accountId)}&q=${encodeURIComponent(w.symbol)}`);
      const market = answer.items?.find((m) => m.symbol === w.symbol);
      if (market) known.set(key, market);
      else if (answer.loaded === false) retryAt.set(key, Date.now() + RETRY_MS);
      else known.set(key, null);
    } catch {
      retryAt.set(key, Date.now() + RETRY_MS);
    } finally {
      asking.delete(key);
    }
  })();
  asking.set(key, request);
  return request;
}

/** A price (limit, trigger, fill, entry, mark…) of an account's market, at the market's tick. */
export const shownPrice = (w: Where, value: string): string => priceText(value, marketOf(w)?.precision.price);

/** A quantity of an account's market, at the market's step. */
export const shownQuantity = (w: Where, value: string): string => quantityText(value, marketOf(w)?.precision.amount);
