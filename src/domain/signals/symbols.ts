/**
 * Alert ticker -> unified symbol (`BASE/QUOTE` spot, `BASE/QUOTE:SETTLE` perpetual).
 *
 * Order of resolution:
 *   1. the strategy's explicit symbolMap: the exact ticker (e.g. "BINANCE:BTCUSDT.P"), then the
 *      ticker without its exchange prefix ("BTCUSDT.P"), then both case-insensitively.
 *      A mapped symbol is trusted as configured.
 *   2. automatic, against the listed unified symbols:
 *      - a ticker that already is a listed unified symbol (any case) is taken as is;
 *      - strip an `EXCHANGE:` prefix, then a `.P` or `PERP` suffix (which asks for the perpetual);
 *      - split `BTC/USDT`, `BTC-USDT`, `BTC_USDT`, or match `BTCUSDT` against BASE+QUOTE;
 *      - `.P`/`PERP` tickers prefer the linear perpetual (settle = quote), then any perpetual, then spot;
 *        plain tickers prefer spot, then the linear perpetual (an account that only lists perps),
 *        then any perpetual. Dated futures (`BTC/USDT:USDT-240329`) are never chosen automatically.
 */
import { err, ok, type DomainError, type Result } from '../shared/result.js';

interface Listed {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly settle: string | undefined;
}

/** What is known of the markets a ticker is resolved against. */
export interface ListingContext {
  /** the exchanges' names, for messages ("binance") */
  readonly venues?: readonly string[];
  /**
   * false while some account's market list is not known yet (its exchange not reached): a ticker
   * that matches nothing listed is then read as BASE/QUOTE by its quote currency, and each account
   * checks it against its own list when the order is routed, rather than losing the alert.
   */
  readonly complete?: boolean;
}

/** Quote currencies a compact ticker may end with, longest first. */
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'DAI', 'USD', 'EUR', 'GBP', 'TRY', 'BRL', 'JPY', 'AUD', 'BTC', 'ETH', 'BNB'];

/** `DOGEUSDT` -> `DOGE/USDT` by its quote currency; undefined when none fits. */
function guessUnified(name: string): string | undefined {
  const sep = /[/\-_]/.exec(name);
  if (sep !== null) {
    const base = name.slice(0, sep.index);
    const quote = name.slice(sep.index + 1);
    return /^[A-Z0-9]{1,20}$/.test(base) && /^[A-Z0-9]{2,10}$/.test(quote) ? `${base}/${quote}` : undefined;
  }
  for (const quote of QUOTES) {
    if (name.length > quote.length && name.endsWith(quote)) {
      const base = name.slice(0, -quote.length);
      return /^[A-Z0-9]{1,20}$/.test(base) ? `${base}/${quote}` : undefined;
    }
  }
  return undefined;
}

export function resolveSymbol(
  ticker: string,
  listed: readonly string[],
  symbolMap: Readonly<Record<string, string>>,
  listing: ListingContext = {},
): Result<string, DomainError> {
  const raw = ticker.trim();
  if (raw.length === 0) {
    return err({ code: 'MISSING_SYMBOL', message: 'The alert names no instrument: send "ticker": "{{ticker}}".' });
  }

  const withoutExchange = stripExchange(raw);
  const mapped = lookupMap(symbolMap, raw, withoutExchange);
  if (mapped !== undefined) return ok(mapped);

  const upperRaw = raw.toUpperCase();
  for (const symbol of listed) {
    if (symbol.toUpperCase() === upperRaw) return ok(symbol);
  }

  let name = withoutExchange.toUpperCase();
  let wantsPerp = false;
  if (name.endsWith('.P')) {
    name = name.slice(0, -2);
    wantsPerp = true;
  } else if (name.endsWith('PERP')) {
    name = name.slice(0, -4).replace(/[-_/]+$/, '');
    wantsPerp = true;
  }

  const candidates = matchListed(name, listed.map(parseUnified).filter((l): l is Listed => l !== undefined));
  const chosen = choose(candidates, wantsPerp);
  if (chosen === 'ambiguous') {
    return err({
      code: 'AMBIGUOUS_SYMBOL',
      message: `Ticker "${raw}" matches several markets (${candidates.map((c) => c.symbol).join(', ')}); add it to the strategy's symbol map.`,
    });
  }
  if (chosen === undefined) {
    const guess = listing.complete === false ? guessUnified(name) : undefined;
    if (guess !== undefined) return ok(guess);
    const where = listing.venues && listing.venues.length > 0 ? listing.venues.join(' or ') : "this strategy's accounts' exchanges";
    return err({
      code: 'UNKNOWN_SYMBOL',
      message: `Ticker "${raw}" matches no market listed on ${where}. If the exchange lists this instrument under another name, map the ticker to that market in the strategy's symbol map.`,
    });
  }
  return ok(chosen.symbol);
}

/** `BINANCE:BTCUSDT.P` -> `BTCUSDT.P`; a unified `BTC/USDT:USDT` is left alone. */
function stripExchange(ticker: string): string {
  const colon = ticker.indexOf(':');
  if (colon <= 0) return ticker;
  const prefix = ticker.slice(0, colon);
  return prefix.includes('/') ? ticker : ticker.slice(colon + 1).trim();
}

function lookupMap(map: Readonly<Record<string, string>>, raw: string, stripped: string): string | undefined {
  const own = (key: string): string | undefined => (Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined);
  const exact = own(raw) ?? own(stripped);
  if (exact !== undefined) return exact;
  const upperRaw = raw.toUpperCase();
  const upperStripped = stripped.toUpperCase();
  let fallback: string | undefined;
  for (const key of Object.keys(map)) {
    const upper = key.toUpperCase();
    if (upper === upperRaw) return map[key];
    if (upper === upperStripped && fallback === undefined) fallback = map[key];
  }
  return fallback;
}

function parseUnified(symbol: string): Listed | undefined {
  const slash = symbol.indexOf('/');
  if (slash <= 0) return undefined;
  const base = symbol.slice(0, slash).toUpperCase();
  const rest = symbol.slice(slash + 1);
  const colon = rest.indexOf(':');
  const quote = (colon < 0 ? rest : rest.slice(0, colon)).toUpperCase();
  const settle = colon < 0 ? undefined : rest.slice(colon + 1).toUpperCase();
  if (quote.length === 0 || settle === '' || settle?.includes('-')) return undefined;
  return { symbol, base, quote, settle };
}

function matchListed(name: string, listed: readonly Listed[]): readonly Listed[] {
  const sep = /[/\-_]/.exec(name);
  if (sep !== null) {
    const base = name.slice(0, sep.index);
    const quote = name.slice(sep.index + 1);
    return listed.filter((l) => l.base === base && l.quote === quote);
  }
  return listed.filter((l) => l.base + l.quote === name);
}

function choose(candidates: readonly Listed[], wantsPerp: boolean): Listed | 'ambiguous' | undefined {
  if (candidates.length === 0) return undefined;
  // Different BASE/QUOTE splits of one compact ticker (e.g. AB/CD vs ABC/D) cannot be decided here.
  const pairs = new Set(candidates.map((c) => `${c.base}/${c.quote}`));
  if (pairs.size > 1) return 'ambiguous';

  const spot = candidates.find((c) => c.settle === undefined);
  const linear = candidates.find((c) => c.settle !== undefined && c.settle === c.quote);
  const perps = candidates.filter((c) => c.settle !== undefined);
  const anyPerp = perps.length === 1 ? perps[0] : perps.length > 1 ? 'ambiguous' : undefined;
  return wantsPerp ? (linear ?? anyPerp ?? spot) : (spot ?? linear ?? anyPerp);
}
