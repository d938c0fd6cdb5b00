import { describe, expect, it } from 'vitest';
import { Dec, decToString } from '../shared/decimal.js';
import { valuePortfolio, type ValuationInput } from './valuation.js';

const marks = (prices: Record<string, string>) => (symbol: string) => (prices[symbol] !== undefined ? new Dec(prices[symbol]) : undefined);
const bal = (asset: string, total: string) => ({ asset, total: new Dec(total) });
const pos = (symbol: string, quantity: string, averageEntryPrice: string) => ({ symbol, quantity: new Dec(quantity), averageEntryPrice: new Dec(averageEntryPrice) });

const value = (input: ValuationInput) => {
  const v = valuePortfolio(input);
  return { equity: decToString(v.equity), unrealizedPnl: decToString(v.unrealizedPnl), unpriced: v.unpriced };
};

describe('valuePortfolio', () => {
  it('an account holding only its quote asset is worth its balance, with no PnL', () => {
    expect(value({ quoteAsset: 'USDT', balances: [bal('USDT', '100000')], positions: [], mark: marks({}) })).toEqual({ equity: '100000', unrealizedPnl: '0', unpriced: [] });
  });

  it('values other assets at ASSET/QUOTE, exactly (no binary float drift)', () => {
    const v = value({
      quoteAsset: 'USDT',
      balances: [bal('USDT', '0.1'), bal('BTC', '0.2'), bal('ETH', '3.3')],
      positions: [],
      mark: marks({ 'BTC/USDT': '97000.1', 'ETH/USDT': '0.3' }),
    });
    // 0.1 + 0.2 × 97000.1 + 3.3 × 0.3 = 0.1 + 19400.02 + 0.99
    expect(v).toEqual({ equity: '19401.11', unrealizedPnl: '0', unpriced: [] });
  });

  it('lists assets without a price and leaves them out of equity; zero balances need no price', () => {
    const v = value({
      quoteAsset: 'USDT',
      balances: [bal('USDT', '50'), bal('DOGE', '1000'), bal('BTC', '1'), bal('XRP', '0'), bal('ADA', '5')],
      positions: [],
      mark: marks({ 'BTC/USDT': '10' }),
    });
    expect(v).toEqual({ equity: '60', unrealizedPnl: '0', unpriced: ['ADA', 'DOGE'] });
  });

  it('a negative balance (fees drift, borrowed) counts negatively', () => {
    expect(value({ quoteAsset: 'USDT', balances: [bal('USDT', '-1.5'), bal('BNB', '-0.01')], positions: [], mark: marks({ 'BNB/USDT': '600.5' }) }).equity).toBe('-7.505');
  });

  it('unrealised PnL is (mark − average entry) × signed quantity, summed over positions', () => {
    const v = value({
      quoteAsset: 'USDT',
      balances: [bal('USDT', '1000')],
      positions: [pos('BTC/USDT:USDT', '0.5', '90000.5'), pos('ETH/USDT:USDT', '-2', '3000.25'), pos('SOL/USDT', '0', '150')],
      mark: marks({ 'BTC/USDT:USDT': '91000.75', 'ETH/USDT:USDT': '3100' }),
    });
    // long: (91000.75 − 90000.5) × 0.5 = 500.125; short: (3100 − 3000.25) × −2 = −199.5
    expect(v).toEqual({ equity: '1000', unrealizedPnl: '300.625', unpriced: [] });
  });

  it('a position without a mark price is listed and left out of PnL', () => {
    const v = value({ quoteAsset: 'USDT', balances: [], positions: [pos('BTC/USDT', '1', '100'), pos('ETH/USDT', '1', '10')], mark: marks({ 'ETH/USDT': '12.5' }) });
    expect(v).toEqual({ equity: '0', unrealizedPnl: '2.5', unpriced: ['BTC/USDT'] });
  });

  it("a position quoted in another asset than the account's is converted at QUOTE/ACCOUNT_QUOTE", () => {
    const v = value({
      quoteAsset: 'USDT',
      balances: [],
      positions: [pos('BTC/USDC', '2', '100'), pos('ETH/EUR', '1', '10')],
      mark: marks({ 'BTC/USDC': '110', 'USDC/USDT': '0.9999', 'ETH/EUR': '11' }),
    });
    // (110 − 100) × 2 × 0.9999 = 19.998; ETH/EUR has no EUR/USDT rate
    expect(v).toEqual({ equity: '0', unrealizedPnl: '19.998', unpriced: ['ETH/EUR'] });
  });

  it('a malformed symbol is reported, never thrown', () => {
    expect(value({ quoteAsset: 'USDT', balances: [], positions: [pos('BTCUSDT', '1', '1')], mark: marks({ BTCUSDT: '2' }) })).toEqual({ equity: '0', unrealizedPnl: '0', unpriced: ['BTCUSDT'] });
  });

  it('keeps full precision on small quantities and long decimals', () => {
    const v = value({
      quoteAsset: 'USDT',
      balances: [bal('USDT', '0.00000001'), bal('SHIB', '123456789.123456789')],
      positions: [pos('SHIB/USDT', '123456789.123456789', '0.00001')],
      mark: marks({ 'SHIB/USDT': '0.00001234' }),
    });
    // checked against Python's decimal module at 60 digits
    expect(v.equity).toBe('1523.45677779345677626');
    expect(v.unrealizedPnl).toBe('288.88888654888888626');
  });
});
