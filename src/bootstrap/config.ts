import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hostname } from 'node:os';
import { SECURITY_KEYS, securityConfig, type SecurityConfig } from './security-config.js';
import { OUTBOUND_KEYS, outboundConfig, type OutboundConfig } from './outbound-config.js';

/** Typed configuration: environment variables win over the optional JSON config file (PATRIOT_CONFIG). */
export interface PatriotConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl?: string;
  /** seals exchange credentials (base64 or hex of 32 bytes); see master-key.ts */
  readonly masterKey?: string;
  readonly masterKeyFile?: string;
  /** the master key being rotated away (still readable until `patriot rotate-master-key` has run) */
  readonly masterKeyPrevious?: string;
  /** base URL users (and TradingView) reach this server at; shown in webhook URLs */
  readonly publicUrl?: string;
  readonly logLevel: string;
  readonly feed: { readonly seed: number; readonly intervalMs: number };
  readonly paper: { readonly takerFeeBps: number; readonly makerFeeBps: number; readonly slippageBps: number; readonly maxOpenOrders: number };
  /** how often portfolio snapshots (equity curve points) are taken */
  readonly snapshotIntervalMs: number;
  /** create the demo account and strategy when they do not exist */
  readonly demo: boolean;
  /**
   * Fault injection for crash tests (PATRIOT_FAULT_KILL_AFTER_REFUSAL=1): the process kills itself
   * (SIGKILL) right after an exchange refuses an order, before the refusal is recorded. Never set
   * it in production.
   */
  readonly killAfterRefusal?: boolean;
  /** requests per minute: alerts per strategy, logins per address, API reads and writes per user (0: no limit) */
  readonly rateLimits: { readonly webhookPerMinute: number; readonly webhookAuthFailuresPerMinute: number; readonly loginsPerMinute: number; readonly refreshesPerMinute?: number; readonly readsPerMinute: number; readonly writesPerMinute: number; readonly tradingPerMinute: number };
  /** browser origins allowed to call the API (PATRIOT_CORS_ORIGINS, comma-separated); none by default */
  readonly corsOrigins: readonly string[];
  /**
   * How far V8 lets the heap grow past what a full collection kept, in percent (PATRIOT_HEAP_GROWING_PERCENT,
   * default 50; 0: V8's own choice, which under a burst of alerts let the heap reach 3-4 times what is live).
   * Not a cap: the heap still grows as far as the live data needs. See ADR-0029.
   */
  readonly heapGrowingPercent: number;
  /** the demo login's password (set at every start); unset: a random one, printed once when created */
  readonly demoPassword?: string;
  /** this node's name among the nodes sharing one database (default host-pid) */
  readonly nodeId: string;
  /** how often leases are checked, balanced and taken over (several nodes; default 1000 ms) */
  readonly leaseIntervalMs: number;
  /** JSON file of exchange credentials by account id (until encrypted storage lands) */
  readonly credentialsFile?: string;
  /** base URLs replacing an exchange's own, by ccxt id (e.g. {"binance": "http://127.0.0.1:9100"}: the sandbox) */
  readonly exchangeUrls: Readonly<Record<string, string>>;
  /** paper accounts trade at this exchange's live public prices (a dry run; no keys) instead of the synthetic feed (PATRIOT_PAPER_PRICES) */
  readonly paperPrices?: string;
  /** live update streams (SSE): at most perUser open per user and total in all; a heartbeat comment every heartbeatMs */
  readonly streams: { readonly perUser: number; readonly total: number; readonly heartbeatMs: number; readonly credentialRecheckMs: number };
  /** how long after a possible placement an order may still be invisible to look-ups on a real exchange */
  readonly exchangeVisibilityMs: number;
  /** how long an exchange host's circuit breaker stays open before one request probes it (PATRIOT_BREAKER_COOLDOWN_MS) */
  readonly breakerCoolDownMs: number;
  /**
   * How long after its alert an order the exchange definitely did not place (circuit open, rate
   * limited, unreachable) is still tried again (PATRIOT_ORDER_RETRY_WITHIN_MS); after it the order
   * is refused with the last reason.
   */
  readonly orderRetryWithinMs: number;
  /** market data: a price older than maxPriceAgeMs is stale (nothing is decided on it); routing waits up to priceWaitMs for a fresh one; market lists are loaded again every marketsRefreshMs */
  readonly marketData: { readonly maxPriceAgeMs: number; readonly priceWaitMs: number; readonly marketsRefreshMs: number; readonly balancesRefreshMs: number };
  /**
   * While an exchange's fill stream is up, its open and recently sent orders are also read over
   * REST this often; a change the stream did not report is recorded and the stream reconnected
   * (PATRIOT_FILL_STREAM_AUDIT_MS; 0: never).
   */
  readonly fillStreamAuditMs: number;
  /** trusted proxies, login back-off, /metrics token, where generated secrets go (security-config.ts) */
  readonly security: SecurityConfig;
  /** outbound webhooks: private addresses, timeout, retries (outbound-config.ts) */
  readonly outbound: OutboundConfig;
}

export class ConfigError extends Error {}

type Source = Record<string, string | undefined>;

const KEYS = [
  'PORT', 'HOST', 'PATRIOT_FAULT_KILL_AFTER_REFUSAL', 'PATRIOT_BREAKER_COOLDOWN_MS', 'PATRIOT_ORDER_RETRY_WITHIN_MS', 'PATRIOT_DATA_DIR', 'DATABASE_URL', 'PATRIOT_MASTER_KEY', 'PATRIOT_PUBLIC_URL', 'LOG_LEVEL', 'PATRIOT_FEED_SEED',
  'PATRIOT_FEED_INTERVAL_MS', 'PATRIOT_TAKER_FEE_BPS', 'PATRIOT_MAKER_FEE_BPS', 'PATRIOT_SLIPPAGE_BPS', 'PATRIOT_DEMO', 'PATRIOT_SNAPSHOT_INTERVAL_MS',
  'PATRIOT_NODE_ID', 'PATRIOT_LEASE_INTERVAL_MS', 'PATRIOT_PAPER_MAX_OPEN_ORDERS', 'PATRIOT_CREDENTIALS_FILE', 'PATRIOT_EXCHANGE_URLS',
  'PATRIOT_EXCHANGE_VISIBILITY_MS', 'PATRIOT_MASTER_KEY_FILE', 'PATRIOT_MASTER_KEY_PREVIOUS', 'PATRIOT_DEMO_PASSWORD',
  'PATRIOT_WEBHOOK_RATE_PER_MIN', 'PATRIOT_WEBHOOK_AUTH_FAILURES_PER_MIN', 'PATRIOT_API_TRADING_RATE_PER_MIN', 'PATRIOT_LOGIN_RATE_PER_MIN', 'PATRIOT_API_READ_RATE_PER_MIN', 'PATRIOT_API_WRITE_RATE_PER_MIN', 'PATRIOT_CORS_ORIGINS',
  'PATRIOT_STREAMS_PER_USER', 'PATRIOT_MAX_STREAMS', 'PATRIOT_STREAM_HEARTBEAT_MS', 'PATRIOT_STREAM_RECHECK_MS',
  'PATRIOT_PAPER_PRICES', 'PATRIOT_MAX_PRICE_AGE_MS', 'PATRIOT_PRICE_WAIT_MS', 'PATRIOT_MARKETS_REFRESH_MS', 'PATRIOT_BALANCES_REFRESH_MS',
  'PATRIOT_REFRESH_RATE_PER_MIN', 'PATRIOT_HEAP_GROWING_PERCENT',
  ...SECURITY_KEYS,
  ...OUTBOUND_KEYS,
] as const;

function numberSetting(source: Source, key: string, fallback: number, min: number, max: number, integer: boolean): number {
  const raw = source[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new ConfigError(`${key} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

const int = (source: Source, key: string, fallback: number, min: number, max: number) => numberSetting(source, key, fallback, min, max, true);
const num = (source: Source, key: string, fallback: number, min: number, max: number) => numberSetting(source, key, fallback, min, max, false);

function corsOrigins(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const origins = raw.split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const o of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) throw new ConfigError(`PATRIOT_CORS_ORIGINS: ${o} is not an origin such as https://dash.example.com`);
  }
  return origins;
}

/** Exchanges whose URLs can be replaced (we know how to map a base URL onto ccxt's endpoints). */
const OVERRIDABLE_EXCHANGES = new Set(['binance']);

function exchangeUrls(raw: string | undefined): Record<string, string> {
  if (raw === undefined || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('PATRIOT_EXCHANGE_URLS must be a JSON object such as {"binance": "http://127.0.0.1:9100"}');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('PATRIOT_EXCHANGE_URLS must be a JSON object of exchange id to base URL');
  const out: Record<string, string> = {};
  for (const [id, url] of Object.entries(parsed)) {
    if (!OVERRIDABLE_EXCHANGES.has(id)) throw new ConfigError(`PATRIOT_EXCHANGE_URLS: ${id} cannot be redirected (supported: ${[...OVERRIDABLE_EXCHANGES].join(', ')})`);
    if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/.test(url)) throw new ConfigError(`PATRIOT_EXCHANGE_URLS: ${id} needs an http(s) URL`);
    out[id] = url;
  }
  return out;
}

/** Reads the configuration from the environment (and PATRIOT_CONFIG, a JSON file of the same keys). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<PatriotConfig> = {}): PatriotConfig {
  let file: Source = {};
  if (env.PATRIOT_CONFIG) {
    try {
      file = JSON.parse(readFileSync(env.PATRIOT_CONFIG, 'utf8')) as Source;
    } catch (error) {
      throw new ConfigError(`PATRIOT_CONFIG ${env.PATRIOT_CONFIG} is not a readable JSON file: ${(error as Error).message}`);
    }
  }
  const source: Source = {};
  for (const key of KEYS) {
    const value = env[key] ?? (file[key] !== undefined ? String(file[key]) : undefined);
    if (value !== undefined) source[key] = value;
  }
  const config: PatriotConfig = {
    host: source.HOST || '127.0.0.1',
    port: int(source, 'PORT', 8080, 0, 65535),
    dataDir: resolve(source.PATRIOT_DATA_DIR || 'data'),
    ...(source.DATABASE_URL ? { databaseUrl: source.DATABASE_URL } : {}),
    ...(source.PATRIOT_MASTER_KEY ? { masterKey: source.PATRIOT_MASTER_KEY } : {}),
    ...(source.PATRIOT_MASTER_KEY_FILE ? { masterKeyFile: resolve(source.PATRIOT_MASTER_KEY_FILE) } : {}),
    ...(source.PATRIOT_MASTER_KEY_PREVIOUS ? { masterKeyPrevious: source.PATRIOT_MASTER_KEY_PREVIOUS } : {}),
    ...(source.PATRIOT_PUBLIC_URL ? { publicUrl: source.PATRIOT_PUBLIC_URL.replace(/\/+$/, '') } : {}),
    logLevel: source.LOG_LEVEL || 'info',
    feed: { seed: int(source, 'PATRIOT_FEED_SEED', 42, 0, 2 ** 31), intervalMs: int(source, 'PATRIOT_FEED_INTERVAL_MS', 250, 10, 60_000) },
    paper: {
      takerFeeBps: num(source, 'PATRIOT_TAKER_FEE_BPS', 10, 0, 1000),
      makerFeeBps: num(source, 'PATRIOT_MAKER_FEE_BPS', 2, -100, 1000),
      slippageBps: num(source, 'PATRIOT_SLIPPAGE_BPS', 5, 0, 1000),
      maxOpenOrders: int(source, 'PATRIOT_PAPER_MAX_OPEN_ORDERS', 200, 1, 100_000),
    },
    snapshotIntervalMs: int(source, 'PATRIOT_SNAPSHOT_INTERVAL_MS', 60_000, 1_000, 86_400_000),
    demo: source.PATRIOT_DEMO !== 'false',
    ...(source.PATRIOT_FAULT_KILL_AFTER_REFUSAL === '1' ? { killAfterRefusal: true } : {}),
    rateLimits: {
      webhookPerMinute: int(source, 'PATRIOT_WEBHOOK_RATE_PER_MIN', 6000, 0, 100_000_000),
      webhookAuthFailuresPerMinute: int(source, 'PATRIOT_WEBHOOK_AUTH_FAILURES_PER_MIN', 30, 0, 100_000_000),
      loginsPerMinute: int(source, 'PATRIOT_LOGIN_RATE_PER_MIN', 20, 0, 100_000_000),
      refreshesPerMinute: int(source, 'PATRIOT_REFRESH_RATE_PER_MIN', 60, 0, 100_000_000),
      readsPerMinute: int(source, 'PATRIOT_API_READ_RATE_PER_MIN', 3000, 0, 100_000_000),
      writesPerMinute: int(source, 'PATRIOT_API_WRITE_RATE_PER_MIN', 120, 0, 100_000_000),
      tradingPerMinute: int(source, 'PATRIOT_API_TRADING_RATE_PER_MIN', 30, 0, 100_000_000),
    },
    corsOrigins: corsOrigins(source.PATRIOT_CORS_ORIGINS),
    ...(source.PATRIOT_DEMO_PASSWORD ? { demoPassword: source.PATRIOT_DEMO_PASSWORD } : {}),
    nodeId: source.PATRIOT_NODE_ID || `${hostname()}-${process.pid}`,
    leaseIntervalMs: int(source, 'PATRIOT_LEASE_INTERVAL_MS', 1000, 50, 60_000),
    ...(source.PATRIOT_CREDENTIALS_FILE ? { credentialsFile: resolve(source.PATRIOT_CREDENTIALS_FILE) } : {}),
    exchangeUrls: exchangeUrls(source.PATRIOT_EXCHANGE_URLS),
    ...(source.PATRIOT_PAPER_PRICES ? { paperPrices: paperPrices(source.PATRIOT_PAPER_PRICES) } : {}),
    exchangeVisibilityMs: int(source, 'PATRIOT_EXCHANGE_VISIBILITY_MS', 60_000, 0, 600_000),
    breakerCoolDownMs: int(source, 'PATRIOT_BREAKER_COOLDOWN_MS', 30_000, 100, 3_600_000),
    orderRetryWithinMs: int(source, 'PATRIOT_ORDER_RETRY_WITHIN_MS', 120_000, 0, 86_400_000),
    marketData: {
      maxPriceAgeMs: int(source, 'PATRIOT_MAX_PRICE_AGE_MS', 5000, 100, 600_000),
      priceWaitMs: int(source, 'PATRIOT_PRICE_WAIT_MS', 2000, 0, 30_000),
      marketsRefreshMs: int(source, 'PATRIOT_MARKETS_REFRESH_MS', 3_600_000, 10_000, 86_400_000),
      balancesRefreshMs: int(source, 'PATRIOT_BALANCES_REFRESH_MS', 60_000, 1000, 86_400_000),
    },
    fillStreamAuditMs: int(source, 'PATRIOT_FILL_STREAM_AUDIT_MS', 20_000, 0, 3_600_000),
    heapGrowingPercent: int(source, 'PATRIOT_HEAP_GROWING_PERCENT', 50, 0, 1000),
    streams: {
      perUser: int(source, 'PATRIOT_STREAMS_PER_USER', 20, 1, 100_000),
      total: int(source, 'PATRIOT_MAX_STREAMS', 10_000, 1, 1_000_000),
      heartbeatMs: int(source, 'PATRIOT_STREAM_HEARTBEAT_MS', 15_000, 100, 600_000),
      credentialRecheckMs: int(source, 'PATRIOT_STREAM_RECHECK_MS', 60_000, 100, 3_600_000),
    },
    security: securityConfig(source, (message) => new ConfigError(message)),
    outbound: outboundConfig(source, int, (message) => new ConfigError(message)),
  };
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  return { ...config, ...overrides };
}

/** PATRIOT_PAPER_PRICES: a ccxt exchange id whose public prices paper accounts trade at. */
function paperPrices(raw: string): string {
  const id = raw.trim().toLowerCase();
  if (!/^[a-z][a-z0-9]{1,30}$/.test(id)) throw new ConfigError(`PATRIOT_PAPER_PRICES must be a ccxt exchange id such as binance, got ${JSON.stringify(raw)}`);
  return id;
}
