import type { FastifyBaseLogger } from 'fastify';

/** What an attacker (or a confused client) does that an operator should see. */
export type SecurityEventKind =
  | 'login_failed'
  | 'login_throttled'
  | 'refresh_refused'
  | 'credential_refused'
  | 'webhook_secret_invalid'
  | 'webhook_source_refused'
  | 'webhook_signature_invalid'
  | 'metrics_refused';

/**
 * Security events at warn, aggregated per minute per kind and source address: the first of a
 * window is logged at once ("security event"), the rest are counted and summed up when the window
 * ends ("security events", with the count), so 600 bad secrets make two lines, not 600. Only
 * the kind, the address, a count, a stable reason code and how many distinct subjects (usernames,
 * strategies) were involved are written: never a secret, a password, a token or a username.
 */
export class SecurityLog {
  private readonly windows = new Map<string, { kind: SecurityEventKind; source: string; count: number; reasons: Set<string>; subjects: Set<string> }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly log: Pick<FastifyBaseLogger, 'warn'>,
    private readonly windowMs = 60_000,
  ) {
    this.timer = setInterval(() => this.flush(), windowMs);
    this.timer.unref();
  }

  /** `subject`: what was aimed at (a username, a strategy id), only counted; `reason`: a stable code */
  note(kind: SecurityEventKind, source: string, reason?: string, subject?: string): void {
    const key = `${kind}\u0000${source}`;
    let window = this.windows.get(key);
    if (!window) {
      if (this.windows.size >= 10_000) this.flush(); // a flood of sources: summarise now rather than hold them all
      window = { kind, source, count: 0, reasons: new Set(), subjects: new Set() };
      this.windows.set(key, window);
      this.log.warn({ security: kind, source, ...(reason !== undefined ? { reason } : {}) }, `security event: ${kind} from ${source}`);
    }
    window.count++;
    if (reason !== undefined && window.reasons.size < 10) window.reasons.add(reason);
    if (subject !== undefined && window.subjects.size < 1000) window.subjects.add(subject);
  }

  /** Writes the summary of every window with more than its first event, and starts new windows. */
  flush(): void {
    for (const w of this.windows.values()) {
      if (w.count > 1) {
        this.log.warn(
          { security: w.kind, source: w.source, count: w.count, windowSeconds: Math.round(this.windowMs / 1000), reasons: [...w.reasons], distinctTargets: w.subjects.size },
          `security events: ${w.count} × ${w.kind} from ${w.source} within ${Math.round(this.windowMs / 1000)} s`,
        );
      }
    }
    this.windows.clear();
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
