/** The few REST calls the read and soak figures make to set themselves up: log in, add users, seed orders. */
import { alertBodies, runLoad } from './load.js';
import { counterByLabel } from './prom.js';
import { metricsText, sleep } from './common.js';

/** Environment for a server the REST figures drive: a known demo (admin) password, and no per-user/per-address budgets. */
export function restServerEnv(demoPassword: string): NodeJS.ProcessEnv {
  return {
    PATRIOT_DEMO_PASSWORD: demoPassword,
    // 0 = no limit (the rate-limit plugin still runs and counts per user); the defaults (3,000 reads/min per
    // user, 20 logins/min per address, 120 writes/min per user) would turn a load test into 429s
    PATRIOT_API_READ_RATE_PER_MIN: '0',
    PATRIOT_LOGIN_RATE_PER_MIN: '0',
    PATRIOT_API_WRITE_RATE_PER_MIN: '0',
  };
}

async function call<T>(baseUrl: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000), // bounded: a login waits for bcrypt, which a loaded box slows down
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
}

export const login = (baseUrl: string, username: string, password: string): Promise<Session> =>
  call<Session>(baseUrl, 'POST', '/auth/login', { username, password });

export const refresh = (baseUrl: string, session: Session): Promise<Session> =>
  call<Session>(baseUrl, 'POST', '/auth/refresh', { refreshToken: session.refreshToken });

export const get = <T = unknown>(baseUrl: string, path: string, token: string): Promise<T> => call<T>(baseUrl, 'GET', path, undefined, token);
export const post = <T = unknown>(baseUrl: string, path: string, body: unknown, token: string): Promise<T> => call<T>(baseUrl, 'POST', path, body, token);
export const del = (baseUrl: string, path: string, token: string): Promise<unknown> => call(baseUrl, 'DELETE', path, undefined, token);

/** Runs `work` over 0..n-1 with at most `parallel` at a time. */
export async function inParallel(n: number, parallel: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, async () => {
    while (next < n) await work(next++);
  }));
}

/**
 * Adds `count` viewer users through the admin API (POST /users, as the demo admin) and logs each
 * in: one access token per user. Each costs two bcrypt (cost 12) operations on the server.
 */
export async function createUsers(baseUrl: string, adminToken: string, prefix: string, count: number): Promise<string[]> {
  const password = `${prefix}-password-0123456789`;
  const tokens = new Array<string>(count);
  await inParallel(count, 4, async (i) => {
    const username = `${prefix}-u${i}`;
    await post(baseUrl, '/users', { username, name: `Bench user ${i}`, role: 'viewer', password }, adminToken);
    tokens[i] = (await login(baseUrl, username, password)).accessToken;
  });
  return tokens;
}

/**
 * Sends `alerts` unique alerts (bounded rate) and waits until the read models show every order
 * final: no open orders and no projection lag. Returns the number of 202s.
 */
export async function seedOrders(baseUrl: string, webhookUrl: string, secret: string, prefix: string, alerts: number, rate = 500): Promise<number> {
  const bodies = alertBodies(secret, prefix);
  const r = await runLoad({ url: webhookUrl, connections: 16, durationS: Math.ceil((alerts / rate) * 3) + 10, alerts: bodies, overallRate: rate, amount: alerts });
  const accepted = r.byStatus['202'] ?? 0;
  const sum = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
  for (let i = 0; i < 240; i++) {
    const text = await metricsText(baseUrl);
    const placed = sum(counterByLabel(text, 'patriot_orders_total', 'outcome'));
    const open = sum(counterByLabel(text, 'patriot_orders_open', 'status'));
    const lag = counterByLabel(text, 'patriot_projection_lag_events', 'x')[''] ?? 0;
    if (placed >= accepted && open === 0 && lag === 0) break;
    await sleep(500);
  }
  return accepted;
}
