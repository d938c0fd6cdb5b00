import { describe, expect, it } from 'vitest';
import { conditionalPrices } from './conditional-intent.js';
import { triggers } from './order-types.js';
import { dec } from '../shared/decimal.js';
import type { NormalizedSignal } from '../signals/signal.js';

/** Stop and take-profit prices from an alert (issue 17): rounded to the tick, refused on the wrong side of the market. */
const signal = (over: Partial<NormalizedSignal>): NormalizedSignal => ({ action: 'sell', ticker: 'BTCUSDT', symbol: 'BTC/USDT', ...over });
const market = dec('97000');

describe('conditional order prices', () => {
  it('a sell stop below the market and a buy stop above it are accepted, rounded to the tick toward the passive side', () => {
    const sell = conditionalPrices(signal({ orderType: 'stop_market', stopPrice: '95000.005' }), 'sell', market, '0.01');
    expect(sell?.ok && sell.value.stopPrice.toString()).toBe('95000.01');
    const buy = conditionalPrices(signal({ orderType: 'stop_limit', stopPrice: '98000', limitPrice: '98100' }), 'buy', market, '0.01');
    expect(buy?.ok && [buy.value.type, buy.value.stopPrice.toString(), buy.value.limitPrice?.toString()]).toEqual(['stop_limit', '98000', '98100']);
  });

  it('a stop on the wrong side of the market is STOP_WRONG_SIDE; a take-profit below the market on a sell (closing a long) is TAKE_PROFIT_WRONG_SIDE', () => {
    const stop = conditionalPrices(signal({ orderType: 'stop_market', stopPrice: '98000' }), 'sell', market, '0.01');
    expect(stop?.ok === false && stop.error.code).toBe('STOP_WRONG_SIDE');
    const buyStop = conditionalPrices(signal({ orderType: 'stop_market', stopPrice: '96000' }), 'buy', market, '0.01');
    expect(buyStop?.ok === false && buyStop.error.code).toBe('STOP_WRONG_SIDE');
    const tp = conditionalPrices(signal({ orderType: 'take_profit', stopPrice: '96000' }), 'sell', market, '0.01');
    expect(tp?.ok === false && tp.error.code).toBe('TAKE_PROFIT_WRONG_SIDE');
    const tpAtMarket = conditionalPrices(signal({ orderType: 'take_profit_limit', stopPrice: '97000', limitPrice: '97000' }), 'sell', market, '0.01');
    expect(tpAtMarket?.ok === false && tpAtMarket.error.code).toBe('TAKE_PROFIT_WRONG_SIDE');
  });

  it('a limit variant without a limit price is LIMIT_PRICE_REQUIRED; a plain market or limit alert is not conditional', () => {
    const noLimit = conditionalPrices(signal({ orderType: 'stop_limit', stopPrice: '95000' }), 'sell', market, '0.01');
    expect(noLimit?.ok === false && noLimit.error.code).toBe('LIMIT_PRICE_REQUIRED');
    expect(conditionalPrices(signal({ orderType: 'limit', limitPrice: '95000' }), 'sell', market, '0.01')).toBeUndefined();
    expect(conditionalPrices(signal({}), 'sell', market, '0.01')).toBeUndefined();
  });

  it('triggers: stop sells at or below, stop buys at or above; take-profits the other way', () => {
    expect(triggers('stop_market', 'sell', dec('95'), dec('95'))).toBe(true);
    expect(triggers('stop_market', 'sell', dec('95'), dec('96'))).toBe(false);
    expect(triggers('stop_limit', 'buy', dec('95'), dec('96'))).toBe(true);
    expect(triggers('take_profit', 'sell', dec('95'), dec('96'))).toBe(true);
    expect(triggers('take_profit_limit', 'buy', dec('95'), dec('96'))).toBe(false);
  });
});
