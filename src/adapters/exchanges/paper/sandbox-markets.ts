import type { Market } from '../../../application/ports/exchange.js';

/**
 * The Binance-compatible sandbox's default listing: 60+ spot markets with Binance-like filters
 * (PRICE_FILTER tickSize, LOT_SIZE stepSize/minQty/maxQty, NOTIONAL minNotional) and realistic
 * start prices, quoted in USDT, USDC, FDUSD and BTC. The paper exchange keeps PAPER_MARKETS
 * (BTC/ETH/SOL) as its own default; the sandbox lists these.
 */

// base, quote, start price, tickSize, stepSize (= minQty), maxQty, minNotional
type Row = readonly [string, string, string, string, string, string, string];

const ROWS: readonly Row[] = [
  ['BTC', 'USDT', '97000', '0.01', '0.00001', '9000', '5'],
  ['ETH', 'USDT', '3400', '0.01', '0.0001', '9000', '5'],
  ['SOL', 'USDT', '190', '0.01', '0.001', '90000', '5'],
  ['BNB', 'USDT', '650', '0.01', '0.001', '9000', '5'],
  ['XRP', 'USDT', '2.3', '0.0001', '0.1', '9222449', '5'],
  ['DOGE', 'USDT', '0.32', '0.00001', '1', '9000000', '1'],
  ['ADA', 'USDT', '0.95', '0.0001', '0.1', '900000', '5'],
  ['AVAX', 'USDT', '38', '0.01', '0.01', '90000', '5'],
  ['LINK', 'USDT', '22', '0.01', '0.01', '90000', '5'],
  ['DOT', 'USDT', '7.5', '0.001', '0.01', '900000', '5'],
  ['POL', 'USDT', '0.45', '0.0001', '0.1', '9000000', '5'],
  ['LTC', 'USDT', '105', '0.01', '0.001', '90000', '5'],
  ['TRX', 'USDT', '0.25', '0.0001', '0.1', '9000000', '5'],
  ['SHIB', 'USDT', '0.00002150', '0.00000001', '1', '92233720368', '5'],
  ['PEPE', 'USDT', '0.00001850', '0.00000001', '1', '92233720368', '5'],
  ['BONK', 'USDT', '0.00003000', '0.00000001', '1', '92233720368', '5'],
  ['FLOKI', 'USDT', '0.00018000', '0.00000001', '1', '92233720368', '5'],
  ['BCH', 'USDT', '450', '0.1', '0.001', '9000', '5'],
  ['ATOM', 'USDT', '6.5', '0.001', '0.01', '900000', '5'],
  ['UNI', 'USDT', '13', '0.001', '0.01', '900000', '5'],
  ['NEAR', 'USDT', '5.2', '0.001', '0.1', '900000', '5'],
  ['APT', 'USDT', '9.5', '0.01', '0.01', '900000', '5'],
  ['ARB', 'USDT', '0.75', '0.0001', '0.1', '9000000', '5'],
  ['OP', 'USDT', '1.9', '0.001', '0.01', '900000', '5'],
  ['FIL', 'USDT', '5.3', '0.001', '0.01', '900000', '5'],
  ['ETC', 'USDT', '27', '0.01', '0.01', '90000', '5'],
  ['XLM', 'USDT', '0.42', '0.0001', '0.1', '9000000', '5'],
  ['ICP', 'USDT', '10.5', '0.001', '0.01', '900000', '5'],
  ['HBAR', 'USDT', '0.28', '0.00001', '1', '9000000', '5'],
  ['VET', 'USDT', '0.045', '0.00001', '0.1', '90000000', '5'],
  ['INJ', 'USDT', '24', '0.01', '0.01', '90000', '5'],
  ['SUI', 'USDT', '4.2', '0.0001', '0.1', '9000000', '5'],
  ['SEI', 'USDT', '0.45', '0.0001', '0.1', '9000000', '5'],
  ['TIA', 'USDT', '5.5', '0.001', '0.01', '900000', '5'],
  ['AAVE', 'USDT', '340', '0.01', '0.001', '90000', '5'],
  ['MKR', 'USDT', '1600', '0.1', '0.0001', '9000', '5'],
  ['RENDER', 'USDT', '7', '0.001', '0.01', '900000', '5'],
  ['FET', 'USDT', '1.4', '0.0001', '0.1', '9000000', '5'],
  ['GRT', 'USDT', '0.22', '0.0001', '1', '9000000', '5'],
  ['ALGO', 'USDT', '0.38', '0.0001', '1', '9000000', '5'],
  ['SAND', 'USDT', '0.6', '0.0001', '1', '9000000', '5'],
  ['MANA', 'USDT', '0.55', '0.0001', '1', '9000000', '5'],
  ['AXS', 'USDT', '6.5', '0.001', '0.01', '900000', '5'],
  ['WIF', 'USDT', '1.9', '0.001', '0.01', '9000000', '5'],
  ['TON', 'USDT', '5.5', '0.001', '0.01', '900000', '5'],
  ['ENA', 'USDT', '0.9', '0.0001', '0.01', '9000000', '5'],
  ['JUP', 'USDT', '0.85', '0.0001', '0.1', '9000000', '5'],
  ['LDO', 'USDT', '1.8', '0.001', '0.01', '900000', '5'],
  ['CRV', 'USDT', '0.9', '0.001', '0.1', '9000000', '5'],
  ['FTT', 'USDT', '2.8', '0.0001', '0.01', '900000', '5'],
  ['USDC', 'USDT', '1', '0.0001', '1', '90000000', '5'],
  ['FDUSD', 'USDT', '0.999', '0.0001', '1', '90000000', '5'],
  ['BTC', 'USDC', '97000', '0.01', '0.00001', '9000', '5'],
  ['ETH', 'USDC', '3400', '0.01', '0.0001', '9000', '5'],
  ['SOL', 'USDC', '190', '0.01', '0.001', '90000', '5'],
  ['BTC', 'FDUSD', '97000', '0.01', '0.00001', '9000', '5'],
  ['ETH', 'FDUSD', '3400', '0.01', '0.0001', '9000', '5'],
  ['ETH', 'BTC', '0.03505', '0.00001', '0.0001', '100000', '0.0001'],
  ['SOL', 'BTC', '0.001959', '0.000001', '0.001', '100000', '0.0001'],
  ['BNB', 'BTC', '0.006701', '0.000001', '0.001', '100000', '0.0001'],
  ['XRP', 'BTC', '0.00002371', '0.00000001', '1', '92233720368', '0.0001'],
  ['LINK', 'BTC', '0.0002268', '0.0000001', '0.01', '100000', '0.0001'],
];

export const SANDBOX_MARKETS: readonly Market[] = Object.freeze(
  ROWS.map(([base, quote, , tickSize, stepSize, maxQty, minNotional]) =>
    Object.freeze({ symbol: `${base}/${quote}`, base, quote, tickSize, stepSize, minQty: stepSize, maxQty, minNotional }),
  ),
);

/** Start prices of the synthetic feed for SANDBOX_MARKETS (decimal strings, multiples of the tick). */
export const SANDBOX_START_PRICES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(ROWS.map(([base, quote, price]) => [`${base}/${quote}`, price])),
);

/** Listed with status BREAK (trading halted): orders are refused with "Market is closed.". */
export const SANDBOX_HALTED_SYMBOLS: readonly string[] = Object.freeze(['FTT/USDT']);
