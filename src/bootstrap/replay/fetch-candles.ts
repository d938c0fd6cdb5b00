import type { Result } from '../../domain/shared/result.js';
import { err } from '../../domain/shared/result.js';
import { candlesFromRows, type CandleSeries } from '../../domain/replay/candles.js';
import type { ReplayInputError } from '../../domain/replay/replay-input-error.js';
import { binanceCcxtUrls } from '../../adapters/exchanges/sandbox/ccxt-urls.js';

export interface CandleRequest {
  /** a Binance-compatible base URL (our sandbox, `patriot sandbox`) */
  readonly baseUrl: string;
  readonly symbol: string;
  /** ccxt timeframe, e.g. 1m, 1h */
  readonly timeframe: string;
  /** epoch ms: candles from one before this to this */
  readonly from: number;
  readonly to: number;
}

/** At most this many candles are fetched for one replay. */
const MAX_CANDLES = 500_000;

/**
 * Candles through ccxt `fetchOHLCV` from a Binance-compatible exchange at `baseUrl` (the sandbox
 * serves klines), page by page from the candle before the first alert to the last alert.
 */
export async function fetchCandles(request: CandleRequest): Promise<Result<CandleSeries, ReplayInputError>> {
  if (!/^https?:\/\/[^\s]+$/.test(request.baseUrl)) return err({ code: 'REPLAY_BAD_EXCHANGE', message: '--exchange needs an http(s) URL of a Binance-compatible exchange (e.g. the sandbox)' });
  const ccxt = (await import('ccxt')).default;
  const http = request.baseUrl.replace(/\/+$/, '');
  const exchange = new ccxt.binance({ urls: { api: binanceCcxtUrls(http, http.replace(/^http/, 'ws')) }, options: { fetchCurrencies: false, fetchMarkets: { types: ['spot'] }, defaultType: 'spot' }, enableRateLimit: false, timeout: 15_000 });
  const step = exchange.parseTimeframe(request.timeframe) * 1000;
  if (!(step > 0)) return err({ code: 'REPLAY_BAD_EXCHANGE', message: `unknown timeframe ${request.timeframe}` });
  const rows: (readonly unknown[])[] = [];
  try {
    await exchange.loadMarkets();
    for (let since = request.from - step; since <= request.to; ) {
      const page = await exchange.fetchOHLCV(request.symbol, request.timeframe, since, 1000);
      const fresh = page.filter((c) => typeof c[0] === 'number' && c[0] >= since && c[0] <= request.to);
      rows.push(...fresh);
      if (fresh.length === 0 || rows.length > MAX_CANDLES) break;
      since = (fresh.at(-1)![0] as number) + step;
    }
  } catch (error) {
    return err({ code: 'REPLAY_PRICES_UNAVAILABLE', message: `fetching ${request.symbol} candles from ${http} failed: ${error instanceof Error ? error.message.slice(0, 200) : 'error'}` });
  }
  if (rows.length === 0) return err({ code: 'REPLAY_PRICES_UNAVAILABLE', message: `${http} returned no ${request.symbol} candles between the first and the last alert` });
  return candlesFromRows(request.symbol, rows);
}
