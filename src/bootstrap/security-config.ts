import { invalidSourceEntry, isAddressOrCidr, splitSourceList } from '../application/shared/source-allowlist.js';

/** Settings of issue 15 (on the internet, behind a proxy). */
export interface SecurityConfig {
  /**
   * Which proxies' X-Forwarded-For is believed (PATRIOT_TRUST_PROXY): false (default: the
   * connecting address is the client), true (any: only when nothing but the proxy can reach this
   * port), a hop count, or addresses/CIDRs of the proxies. Rate limits, login back-off and the
   * security log see the client address it yields.
   */
  readonly trustProxy: boolean | number | readonly string[];
  /** /metrics needs `Authorization: Bearer <this>` when set (PATRIOT_METRICS_TOKEN) */
  readonly metricsToken?: string;
  /** print generated secrets (demo password, demo webhook secret) on stdout (PATRIOT_BANNER_SECRETS, default true); false: into a 0600 file in the data directory */
  readonly bannerSecrets: boolean;
  /** failed logins of one username before back-off starts (PATRIOT_LOGIN_FAILURES_PER_USER) */
  readonly loginFailuresPerUser: number;
  /** failed logins from one address before back-off starts (PATRIOT_LOGIN_FAILURES_PER_ADDRESS) */
  readonly loginFailuresPerAddress: number;
  /** how long a user's state and a session's standing are trusted by a node that did not change them (PATRIOT_AUTH_CACHE_MS) */
  readonly authCacheMs: number;
  /**
   * Who may send alerts to any strategy (PATRIOT_WEBHOOK_ALLOW): addresses, CIDRs and `tradingview`
   * (TradingView's four sender addresses); unset: anyone. Others get 403 SOURCE_NOT_ALLOWED.
   */
  readonly webhookAllow?: readonly string[];
}

export const SECURITY_KEYS = [
  'PATRIOT_TRUST_PROXY', 'PATRIOT_METRICS_TOKEN', 'PATRIOT_BANNER_SECRETS', 'PATRIOT_LOGIN_FAILURES_PER_USER', 'PATRIOT_LOGIN_FAILURES_PER_ADDRESS', 'PATRIOT_AUTH_CACHE_MS', 'PATRIOT_WEBHOOK_ALLOW',
] as const;

type Source = Record<string, string | undefined>;

export function trustProxyFrom(raw: string | undefined, fail: (message: string) => Error): boolean | number | string[] {
  const text = raw?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^[0-9]+$/.test(text)) {
    const hops = Number(text);
    if (hops < 1 || hops > 10) throw fail('PATRIOT_TRUST_PROXY: a hop count is between 1 and 10');
    return hops;
  }
  const list = text.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const named = new Set(['loopback', 'linklocal', 'uniquelocal']);
  for (const entry of list) {
    if (!named.has(entry) && !isAddressOrCidr(entry)) throw fail(`PATRIOT_TRUST_PROXY: ${entry} is not an address or CIDR (e.g. 10.0.0.0/8, 127.0.0.1, loopback)`);
  }
  return list;
}

function count(source: Source, key: string, fallback: number, min: number, max: number, fail: (message: string) => Error): number {
  const raw = source[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw fail(`${key} must be an integer between ${min} and ${max}, got "${raw}"`);
  return value;
}

export function securityConfig(source: Source, fail: (message: string) => Error): SecurityConfig {
  const metricsToken = source.PATRIOT_METRICS_TOKEN?.trim();
  if (metricsToken !== undefined && metricsToken !== '' && metricsToken.length < 16) throw fail('PATRIOT_METRICS_TOKEN must be at least 16 characters');
  const banner = source.PATRIOT_BANNER_SECRETS?.trim().toLowerCase();
  if (banner !== undefined && banner !== '' && banner !== 'true' && banner !== 'false') throw fail('PATRIOT_BANNER_SECRETS is true or false');
  const webhookAllow = splitSourceList(source.PATRIOT_WEBHOOK_ALLOW ?? '');
  const invalid = invalidSourceEntry(webhookAllow);
  if (invalid !== undefined) throw fail(`PATRIOT_WEBHOOK_ALLOW: ${invalid} is not an address, a CIDR or "tradingview" (e.g. tradingview,203.0.113.0/24)`);
  return {
    trustProxy: trustProxyFrom(source.PATRIOT_TRUST_PROXY, fail),
    ...(metricsToken ? { metricsToken } : {}),
    bannerSecrets: banner !== 'false',
    loginFailuresPerUser: count(source, 'PATRIOT_LOGIN_FAILURES_PER_USER', 5, 1, 1000, fail),
    loginFailuresPerAddress: count(source, 'PATRIOT_LOGIN_FAILURES_PER_ADDRESS', 20, 1, 100_000, fail),
    authCacheMs: count(source, 'PATRIOT_AUTH_CACHE_MS', 1000, 0, 60_000, fail),
    ...(webhookAllow.length > 0 ? { webhookAllow } : {}),
  };
}
