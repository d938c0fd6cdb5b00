import type { Auth, Principal } from '../../../application/ports/auth.js';

export interface CredentialWatch {
  readonly auth: Pick<Auth, 'authenticate'> & Partial<Pick<Auth, 'onAccessChange'>>;
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
 * credential again when it expires, every `recheckMs` (a change made on another node), and at
 * once when this node changes the user's access (disabled, role changed, password reset, a key
 * revoked, a session ended). It calls `onInvalid` once the credential no longer authenticates, or
 * acts with another role than the stream was opened with (ROLE_CHANGED: the client reconnects
 * and is told what it may see now). Returns the stop function.
 */
export function watchCredential(watch: CredentialWatch): () => void {
  const now = watch.now ?? Date.now;
  const recheckMs = watch.recheckMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let checking = false;
  /** a change came while a check was under way (it may have read before it): check once more */
  let again = false;
  const schedule = (): void => {
    const untilExpiry = watch.principal.expiresAt !== undefined ? Math.max(0, watch.principal.expiresAt - now()) + 50 : Number.POSITIVE_INFINITY;
    timer = setTimeout(() => void check(), Math.min(recheckMs, untilExpiry));
    timer.unref();
  };
  const check = async (): Promise<void> => {
    if (stopped) return;
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    again = false;
    clearTimeout(timer);
    const result = await watch.auth.authenticate(watch.bearer).catch(() => 'INVALID_TOKEN' as const);
    checking = false;
    if (stopped) return;
    const reason = typeof result === 'string' ? result : result.role !== watch.principal.role ? 'ROLE_CHANGED' : undefined;
    if (reason !== undefined) {
      stopped = true;
      unsubscribe?.();
      watch.onInvalid(reason);
    } else if (again) void check();
    else schedule();
  };
  const unsubscribe = watch.auth.onAccessChange?.((userId) => {
    if (userId === watch.principal.userId) void check();
  });
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
    unsubscribe?.();
  };
}
