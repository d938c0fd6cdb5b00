import { describe, expect, it } from 'vitest';
import { nativeTriggersOf } from './native-triggers.js';
import type { CcxtMarketLike } from './ccxt-types.js';

/** What each venue holds natively (issue 17; ADR-0018): the rest PATRIOT holds. */
const market = (info: unknown): CcxtMarketLike => ({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', precision: {}, limits: {}, info });

describe('the conditional orders a ccxt venue holds natively', () => {
  it('Binance spot: the types a symbol lists in exchangeInfo, trailing by percent (0.1 to 20 %) where it allows trailing stops', () => {
    const all = market({ orderTypes: ['LIMIT', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'], allowTrailingStop: true });
    expect(nativeTriggersOf('binance', 'spot', all)).toEqual({
      nativeTriggers: ['stop_market', 'stop_limit', 'take_profit', 'take_profit_limit', 'trailing_percent'], trailingPercentRange: { min: '0.1', max: '20' },
    });
    const limitOnly = market({ orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'], allowTrailingStop: true });
    expect(nativeTriggersOf('binance', 'spot', limitOnly)).toEqual({ nativeTriggers: ['stop_limit', 'take_profit_limit'] });
    expect(nativeTriggersOf('binance', 'spot', market({ orderTypes: ['LIMIT', 'MARKET', 'STOP_LOSS'], allowTrailingStop: false }))).toEqual({ nativeTriggers: ['stop_market'] });
  });

  it('Binance spot without an order-type list keeps the old assumption; Binance futures: none (algo orders cannot be looked up); Bybit, OKX and others: stops and take-profits, never trailing', () => {
    expect(nativeTriggersOf('binance', 'spot', market(undefined))).toEqual({});
    expect(nativeTriggersOf('binance', 'swap', market({}))).toEqual({ nativeTriggers: [] });
    for (const [family, type] of [['bybit', 'spot'], ['okx', 'swap'], ['other', 'spot']] as const) {
      expect(nativeTriggersOf(family, type, market({}))).toEqual({ nativeTriggers: ['stop_market', 'stop_limit', 'take_profit', 'take_profit_limit'] });
    }
  });
});
