import { describe, expect, it } from 'vitest';
import { resolveSymbol } from './symbols.js';

const BOTH = ['BTC/USDT', 'BTC/USDT:USDT', 'ETH/USDT', 'ETH/BTC', 'SOL/USDC', 'BTC/USD:BTC', 'BTC/USDT:USDT-240329'];
const SPOT_ONLY = ['BTC/USDT', 'ETH/USDT'];
const PERP_ONLY = ['BTC/USDT:USDT', 'ETH/USDT:USDT'];

function resolved(ticker: string, listed: readonly string[], map: Record<string, string> = {}): string {
  const r = resolveSymbol(ticker, listed, map);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe('resolveSymbol: automatic', () => {
  it.each([
    ['BTCUSDT', BOTH, 'BTC/USDT'],
    ['btcusdt', BOTH, 'BTC/USDT'],
    ['BTC/USDT', BOTH, 'BTC/USDT'],
    ['BTC-USDT', BOTH, 'BTC/USDT'],
    ['BTC_USDT', BOTH, 'BTC/USDT'],
    ['btc-usdt', BOTH, 'BTC/USDT'],
    ['BINANCE:BTCUSDT', BOTH, 'BTC/USDT'],
    ['BINANCE:ETHBTC', BOTH, 'ETH/BTC'],
    ['COINBASE:SOL-USDC', BOTH, 'SOL/USDC'],
    ['BINANCE:BTCUSDT.P', BOTH, 'BTC/USDT:USDT'],
    ['BTCUSDT.P', BOTH, 'BTC/USDT:USDT'],
    ['btcusdt.p', BOTH, 'BTC/USDT:USDT'],
    ['BYBIT:BTCUSDTPERP', BOTH, 'BTC/USDT:USDT'],
    ['BTC-USDT-PERP', BOTH, 'BTC/USDT:USDT'],
    ['BTC/USDT:USDT', BOTH, 'BTC/USDT:USDT'],
    ['btc/usdt:usdt', BOTH, 'BTC/USDT:USDT'],
    ['BITMEX:BTCUSD.P', BOTH, 'BTC/USD:BTC'],
    // a .P ticker falls back to spot when the perp is not listed
    ['BINANCE:BTCUSDT.P', SPOT_ONLY, 'BTC/USDT'],
    // a plain ticker on perp-only accounts takes the linear perp
    ['BINANCE:ETHUSDT', PERP_ONLY, 'ETH/USDT:USDT'],
  ])('%s -> %s', (ticker, listed, expected) => {
    expect(resolved(ticker, listed)).toBe(expected);
  });

  it('returns the listed spelling of the symbol', () => {
    expect(resolved('BTCUSDT', ['btc/usdt'])).toBe('btc/usdt');
  });

  it('never picks a dated future automatically', () => {
    const r = resolveSymbol('BTCUSDT.P', ['BTC/USDT:USDT-240329'], {});
    expect(r.ok).toBe(false);
  });

  it('refuses a compact ticker that splits two ways', () => {
    const r = resolveSymbol('ABCD', ['AB/CD', 'ABC/D'], {});
    expect(r).toMatchObject({ ok: false, error: { code: 'AMBIGUOUS_SYMBOL' } });
    if (!r.ok) expect(r.error.message).toContain('symbol map');
  });
});

describe('resolveSymbol: symbol map', () => {
  it('uses the exact ticker including its exchange prefix first', () => {
    const map = { 'BINANCE:BTCUSDT.P': 'BTC/USDT', 'BTCUSDT.P': 'X/Y' };
    expect(resolved('BINANCE:BTCUSDT.P', BOTH, map)).toBe('BTC/USDT');
  });

  it('falls back to the ticker without its exchange prefix', () => {
    expect(resolved('BYBIT:BTCUSDT.P', BOTH, { 'BTCUSDT.P': 'BTC/USDT' })).toBe('BTC/USDT');
  });

  it('matches map keys case-insensitively after exact keys', () => {
    expect(resolved('binance:btcusdt', BOTH, { 'BINANCE:BTCUSDT': 'ETH/USDT' })).toBe('ETH/USDT');
  });

  it('trusts a mapped symbol even when it is not listed', () => {
    expect(resolved('XAUUSD', [], { XAUUSD: 'XAU/USDT:USDT' })).toBe('XAU/USDT:USDT');
  });

  it('ignores inherited object keys', () => {
    expect(resolveSymbol('constructor', [], {}).ok).toBe(false);
    expect(resolveSymbol('toString', [], {}).ok).toBe(false);
  });
});

describe('resolveSymbol: errors', () => {
  it.each([
    ['DOGEUSDT', BOTH],
    ['BINANCE:XRPUSDT.P', BOTH],
    ['BTCEUR', BOTH],
    ['BTCUSDT', []],
    ['NASDAQ:AAPL', BOTH],
  ])('%s -> UNKNOWN_SYMBOL naming the ticker', (ticker, listed) => {
    const r = resolveSymbol(ticker, listed, {}, { venues: ['binance'] });
    expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SYMBOL' } });
    if (!r.ok) {
      expect(r.error.message).toContain(ticker);
      expect(r.error.message).toContain('binance');
      // never advice to map the ticker to some other market: followed literally, that trades the wrong instrument
      expect(r.error.message).not.toMatch(/BTC\/USDT|ETH\/USDT|e\.g\./);
    }
  });

  it("while some account's list is not known, a compact ticker is read by its quote currency (each account checks it when routing)", () => {
    expect(resolveSymbol('BINANCE:DOGEUSDT', BOTH, {}, { complete: false })).toEqual({ ok: true, value: 'DOGE/USDT' });
    expect(resolveSymbol('PEPEFDUSD', [], {}, { complete: false })).toEqual({ ok: true, value: 'PEPE/FDUSD' });
    expect(resolveSymbol('ETH-BTC', [], {}, { complete: false })).toEqual({ ok: true, value: 'ETH/BTC' });
    expect(resolveSymbol('NASDAQ:AAPL', [], {}, { complete: false })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SYMBOL' } });
    expect(resolveSymbol('DOGEUSDT', BOTH, {}, { complete: true })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SYMBOL' } });
  });

  it('an empty ticker is MISSING_SYMBOL', () => {
    expect(resolveSymbol('  ', BOTH, {})).toMatchObject({ ok: false, error: { code: 'MISSING_SYMBOL' } });
  });
});
