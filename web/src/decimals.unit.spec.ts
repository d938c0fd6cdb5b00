/** The dashboard's decimal text (issue 20): prices and quantities at their market's places, money at its currency's scale, never cut, never through a float. */
import { describe, expect, it } from 'vitest';
import { fixed, moneyPlaces, moneyText, priceText, quantityText, quoteOf, stepPlaces, upTo } from './decimals.js';

describe('prices and quantities at their market\'s places', () => {
  it('a fine tick shows every digit of the price (0.03505 at 0.00001, not 0.03)', () => {
    expect(priceText('0.03505', '0.00001')).toBe('0.03505');
    expect(priceText('0.035', '0.00001')).toBe('0.03500');
    expect(priceText('0.00002150', '0.00000001')).toBe('0.00002150');
  });

  it('never more places than the market allows: a derived price is rounded half even to the tick', () => {
    expect(priceText('97000.125', '0.01')).toBe('97,000.12');
    expect(priceText('97000.135', '0.01')).toBe('97,000.14');
    expect(priceText('-0.0350549', '0.00001')).toBe('-0.03505');
    expect(priceText('97003', '1')).toBe('97,003');
    expect(priceText('97003.5', '0.5')).toBe('97,003.5');
  });

  it('a quantity at its step, trailing zeros kept to the step (they are the precision)', () => {
    expect(quantityText('0.01', '0.00001')).toBe('0.01000');
    expect(quantityText('100', '1')).toBe('100');
    expect(quantityText('0.12345678', '0.0001')).toBe('0.1235');
  });

  it('the market unknown (or a step of 0, "no increment"): up to 8 places, trailing zeros trimmed, never cut to 2', () => {
    expect(priceText('0.03505', undefined)).toBe('0.03505');
    expect(priceText('97000.10000000', undefined)).toBe('97,000.1');
    expect(priceText('1.123456789', undefined)).toBe('1.12345679');
    expect(priceText('0.03505', '0')).toBe('0.03505');
    expect(priceText('12', undefined)).toBe('12');
    expect(priceText('-0.000000001', undefined)).toBe('0');
  });

  it('text that is not a decimal is shown as it is', () => {
    expect(priceText('n/a', '0.01')).toBe('n/a');
  });

  it('stepPlaces: the places of a usable tick or step, else undefined', () => {
    expect([stepPlaces('0.00001'), stepPlaces('1'), stepPlaces('0.50'), stepPlaces('0'), stepPlaces(undefined), stepPlaces('x')]).toEqual([5, 0, 1, undefined, undefined, undefined]);
  });

  it('upTo rounds half even then trims', () => {
    expect(upTo('1.50000', 8)).toBe('1.5');
    expect(upTo('2.005', 2)).toBe('2');
    expect(upTo('2.015', 2)).toBe('2.02');
    expect(fixed('2.005', 2)).toBe('2.00');
  });
});

describe('money at its currency\'s scale', () => {
  it('fiat and stablecoins at 2 places, any other asset at 8, unknown at 2', () => {
    expect([moneyPlaces('USDT'), moneyPlaces('usdc'), moneyPlaces('EUR'), moneyPlaces('BTC'), moneyPlaces('BNB'), moneyPlaces(undefined)]).toEqual([2, 2, 2, 8, 8, 2]);
  });

  it('with its currency when one is known', () => {
    expect(moneyText('-1234.565', 'USDT')).toBe('-1,234.56 USDT');
    expect(moneyText('0.0000035', 'BTC')).toBe('0.00000350 BTC');
    expect(moneyText('12.3')).toBe('12.30');
  });

  it("a market's money currency: a swap's settle asset, else the quote", () => {
    expect([quoteOf('ETH/BTC'), quoteOf('BTC/USDT:USDT'), quoteOf('BTCUSDT')]).toEqual(['BTC', 'USDT', undefined]);
  });
});
