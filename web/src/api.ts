/** The API client: access token in memory, the single-use refresh token in sessionStorage (rotated on every refresh). */
const REFRESH_KEY = 'patriot.refresh';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

let accessToken: string | undefined;
let refreshing: Promise<boolean> | undefined;
let onLoggedOut: () => void = () => undefined;

export function whenLoggedOut(listener: () => void): void {
  onLoggedOut = listener;
}

export const hasSession = (): boolean => accessToken !== undefined || sessionStorage.getItem(REFRESH_KEY) !== null;

let renewTimer: number | undefined;

function keep(pair: TokenPair): void {
  accessToken = pair.accessToken;
  sessionStorage.setItem(REFRESH_KEY, pair.refreshToken);
  // renew a minute before the access token expires, so requests never meet an expired one
  clearTimeout(renewTimer);
  renewTimer = window.setTimeout(() => void refresh(), Math.max(10, pair.expiresIn - 60) * 1000);
}

/** `tenant`: only when two tenants have a user of this name and password (the API then needs to be told which). */
export async function login(username: string, password: string, tenant?: string): Promise<void> {
  const res = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, ...(tenant !== undefined ? { tenant } : {}) }) });
  if (!res.ok) throw await errorOf(res);
  keep((await res.json()) as TokenPair);
}

/** Exchanges the refresh token for a new pair; false when the session is over. Concurrent callers share one refresh. */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const refreshToken = sessionStorage.getItem(REFRESH_KEY);
    if (refreshToken === null) return false;
    try {
      const res = await fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) });
      if (!res.ok) {
        forget();
        return false;
      }
      keep((await res.json()) as TokenPair);
      return true;
    } catch {
      return false;
    }
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

function forget(): void {
  clearTimeout(renewTimer);
  accessToken = undefined;
  sessionStorage.removeItem(REFRESH_KEY);
}

export async function logout(): Promise<void> {
  const refreshToken = sessionStorage.getItem(REFRESH_KEY);
  forget();
  if (refreshToken !== null) await fetch('/api/v1/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) }).catch(() => undefined);
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    return new ApiError(res.status, body.error?.code ?? 'HTTP_ERROR', body.error?.message ?? res.statusText);
  } catch {
    return new ApiError(res.status, 'HTTP_ERROR', res.statusText);
  }
}

/** Headers with the current access token (refreshed first when there is none). */
export async function authHeaders(): Promise<Record<string, string> | undefined> {
  if (accessToken === undefined && !(await refresh())) return undefined;
  return { authorization: `Bearer ${accessToken!}` };
}

/** Calls the API; a 401 refreshes the token once and retries; a finished session logs out. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const headers = await authHeaders();
    if (!headers) {
      onLoggedOut();
      throw new ApiError(401, 'UNAUTHENTICATED', 'Your session has ended: log in again.');
    }
    const res = await fetch(`/api/v1${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { ...init.headers, ...headers, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    if (res.status === 401 && attempt === 0) {
      accessToken = undefined;
      continue;
    }
    if (!res.ok) throw await errorOf(res);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }
  onLoggedOut();
  throw new ApiError(401, 'UNAUTHENTICATED', 'Your session has ended: log in again.');
}

export const errorText = (error: unknown): string =>
  error instanceof ApiError ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error);
