import type { Auth, Principal } from '../../../application/ports/auth.js';

export interface CredentialWatch {
  readonly auth: Pick<Auth, 'authenticate'>;
  /** the credential the stream was opened with */
  readonly bearer: string;
  readonly principal: Principal;
  /** the credential no longer authenticates: end the stream (the client reconnects with its current one) */
  readonly onInvalid: (reason: string) => void;
  /** how often a credential without an expiry (an API key) is checked again; default 60 s */
  readonly recheckMs?: number;
  readonly now?: () => number;
}

/**
 * A live stream is authenticated when it opens, but it may stay open for hours: this checks its
 * credential again when an access token expires, and every `recheckMs` (a revoked API key, a
 * retired login), and calls `onInvalid` once it no longer authenticates. Returns the stop function.
 */
export function watchCredential(watch: CredentialWatch): () => void {
  const now = watch.now ?? Date.now;
  const recheckMs = watch.recheckMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    const untilExpiry = watch.principal.expiresAt !== undefined ? Math.max(0, watch.principal.expiresAt - now()) + 50 : Number.POSITIVE_INFINITY;
    timer = setTimeout(() => void check(), Math.min(recheckMs, untilExpiry));
    timer.unref();
  };
  const check = async (): Promise<void> => {
    const result = await watch.auth.authenticate(watch.bearer).catch(() => 'INVALID_TOKEN' as const);
    if (stopped) return;
    if (typeof result === 'string') watch.onInvalid(result);
    else schedule();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
