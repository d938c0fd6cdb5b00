import { describe, expect, it } from 'vitest';
import { plainReason } from './plain-reason.js';

describe('plainReason', () => {
  it('drops the request URL (only its host stays) and a whole HTML page (only its title stays)', () => {
    const raw = 'binance ExchangeNotAvailable: binance POST https://api.binance.com/api/v3/order?symbol=BTCUSDT 503 Service Unavailable <html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503</h1></center><hr><center>nginx</center></body></html>';
    const plain = plainReason(raw);
    expect(plain).toBe('binance ExchangeNotAvailable: binance POST (api.binance.com) 503 Service Unavailable (an HTML error page: 503 Service Temporarily Unavailable)');
    expect(plain).not.toMatch(/https?:|<|>|\/api\/v3/);
  });
  it('keeps an ordinary message as it is, and bounds a long one', () => {
    expect(plainReason('binance InsufficientFunds: Account has insufficient balance for requested action. (-2010)')).toBe('binance InsufficientFunds: Account has insufficient balance for requested action. (-2010)');
    expect(plainReason('x'.repeat(1000))).toHaveLength(240);
  });
});
