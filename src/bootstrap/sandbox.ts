import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from './config.js';
import { parseDec } from '../domain/shared/decimal.js';
import { SyntheticPriceFeed } from '../adapters/marketdata/synthetic-price-feed.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { PAPER_MARKETS, PAPER_START_PRICES } from '../adapters/exchanges/paper/markets.js';
import { SANDBOX_HALTED_SYMBOLS, SANDBOX_MARKETS, SANDBOX_START_PRICES } from '../adapters/exchanges/paper/sandbox-markets.js';
import type { InitialBalance } from '../adapters/exchanges/paper/paper-exchange.js';
import { BinanceSandbox } from '../adapters/exchanges/sandbox/binance-sandbox.js';
import { randomAlphanumeric } from '../adapters/exchanges/sandbox/random-text.js';

type Env = Readonly<Record<string, string | undefined>>;

export const SANDBOX_DB_FILE = 'sandbox-exchange.db';

/** `patriot sandbox` settings, from the environment. */
export interface SandboxSettings {
  readonly host: string;
  readonly port: number;
  readonly dataFile: string;
  readonly accountId: string;
  readonly apiKey: string;
  readonly secret: string;
  /** True when the secret was generated here (it is then printed once). */
  readonly secretGenerated: boolean;
  readonly adminToken: string;
  readonly adminTokenGenerated: boolean;
  readonly balances: readonly InitialBalance[];
  readonly feed: { readonly seed: number; readonly intervalMs: number };
  readonly takerFeeBps: number;
  readonly makerFeeBps: number;
  readonly slippageBps: number;
  /** 'sandbox': the 60+ market listing with one halted symbol (default); 'paper': BTC/ETH/SOL only. */
  readonly markets: 'sandbox' | 'paper';
}

/**
 * Reads PATRIOT_SANDBOX_PORT (9100), HOST (127.0.0.1), PATRIOT_DATA_DIR (./data; the sandbox keeps
 * `sandbox-exchange.db` there), PATRIOT_SANDBOX_API_KEY / PATRIOT_SANDBOX_API_SECRET (generated when
 * unset), PATRIOT_SANDBOX_ADMIN_TOKEN (generated when unset), PATRIOT_SANDBOX_ACCOUNT_ID (sandbox),
 * PATRIOT_SANDBOX_BALANCES ("USDT=100000,BTC=1"; applied when the account is first created), and
 * PATRIOT_SANDBOX_MARKETS ("sandbox": 60+ markets, the default; "paper": BTC/ETH/SOL), and
 * the server's PATRIOT_FEED_SEED, PATRIOT_FEED_INTERVAL_MS, PATRIOT_*_FEE_BPS, PATRIOT_SLIPPAGE_BPS.
 * Throws ConfigError on a bad value.
 */
export function sandboxSettingsFromEnv(env: Env, generate: (length: number) => string = randomAlphanumeric): SandboxSettings {
  const dataDir = resolve(text(env, 'PATRIOT_DATA_DIR') ?? './data');
  const apiKey = text(env, 'PATRIOT_SANDBOX_API_KEY') ?? generate(64);
  if (!/^[A-Za-z0-9]{1,128}$/.test(apiKey)) throw new ConfigError('PATRIOT_SANDBOX_API_KEY must be 1-128 letters or digits');
  const givenSecret = text(env, 'PATRIOT_SANDBOX_API_SECRET');
  const givenToken = text(env, 'PATRIOT_SANDBOX_ADMIN_TOKEN');
  const accountId = text(env, 'PATRIOT_SANDBOX_ACCOUNT_ID') ?? 'sandbox';
  const markets = text(env, 'PATRIOT_SANDBOX_MARKETS') ?? 'sandbox';
  if (markets !== 'sandbox' && markets !== 'paper') throw new ConfigError(`PATRIOT_SANDBOX_MARKETS must be "sandbox" or "paper", got "${markets}"`);
  return {
    host: text(env, 'HOST') ?? '127.0.0.1',
    port: integer(env, 'PATRIOT_SANDBOX_PORT', 9100, 0, 65_535),
    dataFile: join(dataDir, SANDBOX_DB_FILE),
    accountId,
    apiKey,
    secret: givenSecret ?? generate(64),
    secretGenerated: givenSecret === undefined,
    adminToken: givenToken ?? generate(32),
    adminTokenGenerated: givenToken === undefined,
    balances: parseBalances(text(env, 'PATRIOT_SANDBOX_BALANCES') ?? 'USDT=100000'),
    feed: { seed: integer(env, 'PATRIOT_FEED_SEED', 42, 0, 2 ** 31), intervalMs: integer(env, 'PATRIOT_FEED_INTERVAL_MS', 250, 10, 60_000) },
    takerFeeBps: integer(env, 'PATRIOT_TAKER_FEE_BPS', 10, 0, 1000),
    makerFeeBps: integer(env, 'PATRIOT_MAKER_FEE_BPS', 2, 0, 1000),
    slippageBps: integer(env, 'PATRIOT_SLIPPAGE_BPS', 5, 0, 1000),
    markets,
  };
}

/** "USDT=100000,BTC=1.5" -> balances; ConfigError when malformed. */
export function parseBalances(spec: string): InitialBalance[] {
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const match = /^([A-Z0-9]{1,20})=(.+)$/.exec(part);
      const amount = match ? parseDec(match[2]) : undefined;
      if (!match || !amount || amount.isNegative()) throw new ConfigError(`PATRIOT_SANDBOX_BALANCES: "${part}" is not ASSET=AMOUNT with a non-negative decimal`);
      return { asset: match[1]!, amount: amount.toFixed() };
    });
}

export interface RunningSandbox {
  readonly sandbox: BinanceSandbox;
  /** The one JSON line `patriot sandbox` prints: URLs, the API key, and any generated secret or token. */
  readonly announcement: Record<string, unknown>;
  close(): Promise<void>;
}

/** Starts the sandbox with a running synthetic feed on its own SQLite file. */
export async function startSandboxFromSettings(settings: SandboxSettings): Promise<RunningSandbox> {
  mkdirSync(resolve(settings.dataFile, '..'), { recursive: true });
  const full = settings.markets === 'sandbox';
  const markets = full ? SANDBOX_MARKETS : PAPER_MARKETS;
  const startPrices = full ? SANDBOX_START_PRICES : PAPER_START_PRICES;
  const feed = new SyntheticPriceFeed({ clock: systemClock, seed: settings.feed.seed, markets, startPrices, intervalMs: settings.feed.intervalMs });
  const sandbox = await BinanceSandbox.start({
    host: settings.host,
    port: settings.port,
    path: settings.dataFile,
    feed,
    clock: systemClock,
    markets,
    haltedSymbols: full ? SANDBOX_HALTED_SYMBOLS : [],
    adminToken: settings.adminToken,
    takerFeeBps: settings.takerFeeBps,
    makerFeeBps: settings.makerFeeBps,
    slippageBps: settings.slippageBps,
    accounts: [{ apiKey: settings.apiKey, secret: settings.secret, accountId: settings.accountId, balances: settings.balances }],
  });
  feed.start();
  const announcement = {
    sandbox: 'binance-spot',
    httpUrl: sandbox.httpUrl,
    wsUrl: sandbox.wsUrl,
    wsApiUrl: sandbox.wsApiUrl,
    ccxtUrls: sandbox.ccxtUrls(),
    accountId: settings.accountId,
    apiKey: settings.apiKey,
    ...(settings.secretGenerated ? { secret: settings.secret } : {}),
    ...(settings.adminTokenGenerated ? { adminToken: settings.adminToken } : {}),
    dataFile: settings.dataFile,
    markets: markets.length,
    haltedSymbols: full ? SANDBOX_HALTED_SYMBOLS : [],
  };
  return {
    sandbox,
    announcement,
    close: async () => {
      feed.stop();
      await sandbox.close();
    },
  };
}

/**
 * `patriot sandbox`: starts from the environment, prints one JSON line, and stops on SIGTERM or
 * SIGINT (exit 0 once closed). Returns -1: the process lives on until a signal.
 */
export async function runSandboxCommand(env: Env = process.env, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const running = await startSandboxFromSettings(sandboxSettingsFromEnv(env));
  out.write(`${JSON.stringify(running.announcement)}\n`);
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return -1;
}

function text(env: Env, key: string): string | undefined {
  const value = env[key]?.trim();
  return value === undefined || value.length === 0 ? undefined : value;
}

function integer(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = text(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new ConfigError(`${key} must be an integer in [${min}, ${max}], got "${raw}"`);
  return value;
}
