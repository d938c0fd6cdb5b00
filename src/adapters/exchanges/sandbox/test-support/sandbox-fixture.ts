/**
 * Shared set-up of the sandbox specs: a sandbox on a free loopback port with one funded account,
 * and unmodified ccxt clients pointed at it.
 */
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import ccxt from 'ccxt';
import { SyntheticPriceFeed } from '../../../marketdata/synthetic-price-feed.js';
import { SANDBOX_MARKETS, SANDBOX_START_PRICES } from '../../paper/sandbox-markets.js';
import { BinanceSandbox, type BinanceSandboxOptions } from '../binance-sandbox.js';

export const API_KEY = 'patriotSandboxKey1';
export const SECRET = 'patriot-sandbox-secret-1';
export const ACCOUNT_ID = 'acct-1';

export type BinanceClient = InstanceType<typeof ccxt.binance>;
export type BinanceProClient = InstanceType<typeof ccxt.pro.binance>;

/** A clock the tests move by hand: system time plus an offset. */
export class SkewableClock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

export interface SandboxFixture {
  readonly sandbox: BinanceSandbox;
  readonly feed: SyntheticPriceFeed;
  readonly clock: SkewableClock;
}

export async function startSandbox(over: Partial<BinanceSandboxOptions> = {}): Promise<SandboxFixture> {
  const clock = new SkewableClock();
  const feed = new SyntheticPriceFeed({ clock, seed: 3, markets: over.markets ?? SANDBOX_MARKETS, startPrices: SANDBOX_START_PRICES });
  feed.setPrice('BTC/USDT', '97000');
  feed.setPrice('ETH/USDT', '3400');
  const sandbox = await BinanceSandbox.start({
    feed,
    clock,
    partialFills: false,
    accounts: [{ apiKey: API_KEY, secret: SECRET, accountId: ACCOUNT_ID, balances: [{ asset: 'USDT', amount: '100000' }, { asset: 'BTC', amount: '1' }] }],
    ...over,
  });
  return { sandbox, feed, clock };
}

/** The options every client uses (spot only, no currency endpoint). */
export const CLIENT_OPTIONS = { fetchCurrencies: false, fetchMarkets: { types: ['spot'] }, defaultType: 'spot' } as const;

export function restClient(sandbox: BinanceSandbox, over: Record<string, unknown> = {}): BinanceClient {
  return new ccxt.binance({ apiKey: API_KEY, secret: SECRET, timeout: 3000, enableRateLimit: false, urls: { api: sandbox.ccxtUrls() }, options: { ...CLIENT_OPTIONS }, ...over });
}

/** ccxt pro opens plain ws:// URLs only with an http agent (else NotSupported "use proxy with non-ssl ws:// urls"). */
export function proClient(sandbox: BinanceSandbox, over: Record<string, unknown> = {}): BinanceProClient {
  return new ccxt.pro.binance({
    apiKey: API_KEY,
    secret: SECRET,
    timeout: 3000,
    enableRateLimit: false,
    httpAgent: new Agent(),
    urls: { api: sandbox.ccxtUrls() },
    options: { ...CLIENT_OPTIONS },
    ...over,
  });
}

/** A PATRIOT-style clientOrderId: 32 lowercase hex chars. */
export function clientOrderId(): string {
  return randomBytes(16).toString('hex');
}

/** Resolves with the error a promise rejects with (fails when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
