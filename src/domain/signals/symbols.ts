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

export function resolveSymbol(
  ticker: string,
  listed: readonly string[],
  symbolMap: Readonly<Record<string, string>>,
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
    return err({
      code: 'UNKNOWN_SYMBOL',
      message: `Ticker "${raw}" does not match any market of this strategy's accounts; add it to the strategy's symbol map (e.g. "${raw}" -> "BTC/USDT").`,
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
