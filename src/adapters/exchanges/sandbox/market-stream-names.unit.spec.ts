import { describe, expect, it } from 'vitest';
import { isStateStream, parseStreamName } from './market-stream-names.js';

describe('market stream names', () => {
  it('parses the streams ccxt pro subscribes to, and refuses the rest', () => {
    expect(parseStreamName('btcusdt@trade')).toEqual({ kind: 'trade', symbolId: 'BTCUSDT' });
    expect(parseStreamName('ethbtc@bookTicker')).toEqual({ kind: 'bookTicker', symbolId: 'ETHBTC' });
    expect(parseStreamName('solusdt@ticker')).toEqual({ kind: 'ticker', symbolId: 'SOLUSDT' });
    expect(parseStreamName('solusdt@miniTicker')).toEqual({ kind: 'miniTicker', symbolId: 'SOLUSDT' });
    expect(parseStreamName('btcusdt@kline_1h')).toEqual({ kind: 'kline', symbolId: 'BTCUSDT', interval: '1h' });
    expect(parseStreamName('btcusdt@depth20@100ms')).toEqual({ kind: 'depth', symbolId: 'BTCUSDT', levels: 20 });
    expect(parseStreamName('!miniTicker@arr')).toEqual({ kind: 'allMiniTickers' });
    expect(parseStreamName('!ticker@arr')).toEqual({ kind: 'allTickers' });
    for (const bad of ['btcusdt@kline_7m', 'btcusdt@depth', 'BTCUSDT@trade', 'btcusdt', '@trade', '!bookTicker', 'btcusdt@trade@x']) {
      expect(parseStreamName(bad), bad).toBeUndefined();
    }
    expect(isStateStream(parseStreamName('btcusdt@trade')!)).toBe(false);
    expect(isStateStream(parseStreamName('btcusdt@bookTicker')!)).toBe(true);
  });
});
