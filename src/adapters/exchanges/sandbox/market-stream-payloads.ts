import type { Market } from '../../../application/ports/exchange.js';
import { candleOpen, nextOpen } from './kline-intervals.js';
import type { MarketTape, TapeTrade } from './market-tape.js';
import { klineRow, tickerOf, wsAggTrade, wsBookTicker, wsKline, wsMiniTicker, wsTicker, wsTrade } from './market-views.js';
import type { StreamSpec } from './market-stream-names.js';
import { binanceSymbol } from './symbols.js';

/**
 * The payload of one market stream now (the `data` of a combined stream), or undefined when
 * there is nothing to send (an unknown symbol, no price yet, a trade stream without a trade).
 * `trade` is the trade that triggered the update, if any.
 */
export function streamPayload(tape: MarketTape, markets: readonly Market[], market: Market | undefined, spec: StreamSpec, now: number, trade?: TapeTrade): unknown {
  switch (spec.kind) {
    case 'allTickers':
    case 'allMiniTickers': {
      const rows: unknown[] = [];
      for (const each of markets) {
        const ticker = tickerOf(tape, each, now);
        if (ticker) rows.push(spec.kind === 'allTickers' ? wsTicker(ticker, now) : wsMiniTicker(ticker, now));
      }
      return rows.length > 0 ? rows : undefined;
    }
    default:
      break;
  }
  if (!market) return undefined;
  const id = binanceSymbol(market);
  switch (spec.kind) {
    case 'trade':
      return trade ? wsTrade(id, trade, now) : undefined;
    case 'aggTrade':
      return trade ? wsAggTrade(id, trade, now) : undefined;
    case 'bookTicker': {
      const book = tape.book(market.symbol);
      return book ? wsBookTicker(id, book) : undefined;
    }
    case 'ticker':
    case 'miniTicker': {
      const ticker = tickerOf(tape, market, now);
      if (!ticker) return undefined;
      return spec.kind === 'ticker' ? wsTicker(ticker, now) : wsMiniTicker(ticker, now);
    }
    case 'kline': {
      const open = candleOpen(spec.interval, now);
      const close = nextOpen(spec.interval, open);
      const candle = tape.candle(market.symbol, open, close, now);
      return candle ? wsKline(id, spec.interval, klineRow(market, open, close - 1, candle), false, now) : undefined;
    }
    case 'depth':
      return tape.depth(market.symbol, spec.levels);
  }
}
