import type { Clock } from '../../../application/ports/clock.js';
import { FaultSpecError, defaultScope, parseFault, type FaultKind, type HttpFault, type SandboxFault } from './fault-spec.js';
import type { ConnectionChoice } from './market-fault-spec.js';

export interface PendingFault {
  readonly id: string;
  readonly fault: SandboxFault;
  /** Matching requests it still applies to (undefined: unlimited until `expiresAt`). */
  readonly remaining: number | undefined;
  /** Sandbox-clock ms when it stops applying, if it has a duration. */
  readonly expiresAt: number | undefined;
  /** A silence's market-data connections (ordinals, chosen at injection), or 'all' (later ones too). */
  readonly connections?: readonly number[] | 'all';
}

interface Entry {
  id: string;
  fault: SandboxFault;
  remaining: number | undefined;
  expiresAt: number | undefined;
  connections?: readonly number[] | 'all';
}

export type FaultOf<K extends FaultKind> = Extract<HttpFault, { kind: K }>;

/** What the market-data faults act on (the sandbox's market streams and its price control). */
export interface MarketFaultTarget {
  /** ordinals a choice picks now, or 'all' */
  select(choice: ConnectionChoice): readonly number[] | 'all';
  /** cuts the chosen connections now; how many */
  drop(choice: ConnectionChoice): number;
  /** moves a listed symbol's price by pct percent now (throws RangeError for an unknown symbol) */
  jump(symbol: string, pct: number): void;
}

/** 418 ban state after a 429. */
interface BanState {
  backoffUntil: number;
  banMs: number;
  bannedUntil: number | undefined;
}

/**
 * Programmatic fault control of a running sandbox (also what the admin endpoint drives).
 * Faults are consumed FIFO per kind; each matching request uses up one application.
 */
export class SandboxFaults {
  private entries: Entry[] = [];
  private ban: BanState | undefined;
  private nextId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly dropStreams: () => number,
    private readonly market?: MarketFaultTarget,
    private readonly silenceStreams: () => number = () => 0,
  ) {}

  /**
   * Queues a fault (validated; throws FaultSpecError). Returns its id. A market-stream drop or a
   * price jump acts at once and is not queued; a silence is queued until removed or expired.
   */
  inject(fault: SandboxFault): string {
    const checked = parseFault(fault);
    const id = `fault-${this.nextId++}`;
    const now = this.clock.now();
    switch (checked.kind) {
      case 'drop_market_streams':
        this.dropMarketStreams(checked);
        return id;
      case 'price_jump':
        try {
          this.marketTarget().jump(checked.symbol, checked.pct);
        } catch (error) {
          throw error instanceof RangeError ? new FaultSpecError(error.message) : error;
        }
        return id;
      case 'silence_market_streams': {
        const connections = this.marketTarget().select(checked);
        this.entries.push({ id, fault: checked, remaining: undefined, expiresAt: checked.forMs !== undefined ? now + checked.forMs : undefined, connections });
        return id;
      }
      default: {
        const remaining = checked.times ?? (checked.forMs !== undefined ? undefined : 1);
        const expiresAt = checked.forMs !== undefined ? now + checked.forMs : undefined;
        this.entries.push({ id, fault: checked, remaining, expiresAt });
        return id;
      }
    }
  }

  /** Cuts the chosen market-data connections now (all by default); returns how many. */
  dropMarketStreams(choice: ConnectionChoice = {}): number {
    return this.marketTarget().drop(choice);
  }

  /** Silences the chosen market-data connections (all, later ones included, by default) until cleared or `forMs`. */
  silenceMarketStreams(options: ConnectionChoice & { forMs?: number } = {}): string {
    return this.inject({ kind: 'silence_market_streams', ...options });
  }

  /** For the market streams: whether a connection (by ordinal) is silenced now. */
  silencedNow(): (ordinal: number) => boolean {
    this.prune();
    const silences = this.entries.filter((entry) => entry.fault.kind === 'silence_market_streams');
    if (silences.length === 0) return () => false;
    return (ordinal) => silences.some((entry) => entry.connections === 'all' || entry.connections?.includes(ordinal) === true);
  }

  /** Removes one queued fault; false when it is unknown or already used up. */
  remove(id: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((entry) => entry.id !== id);
    return this.entries.length < before;
  }

  /** Removes every queued fault and lifts a rate-limit ban. */
  clear(): void {
    this.entries = [];
    this.ban = undefined;
  }

  pending(): PendingFault[] {
    this.prune();
    return this.entries.map((entry) => ({ ...entry }));
  }

  /** Terminates every user-data WebSocket connection now (like a network drop); returns how many. */
  dropUserDataStreams(): number {
    return this.dropStreams();
  }

  /**
   * Every user-data WebSocket open now stays open and answers pings and requests, but carries
   * no more events (a stream gone silent); connections opened later work. Returns how many.
   */
  silenceUserDataStreams(): number {
    return this.silenceStreams();
  }

  // ------------------------------------------------------------------ used by the server

  private marketTarget(): MarketFaultTarget {
    if (!this.market) throw new FaultSpecError('this sandbox serves no market streams');
    return this.market;
  }

  /** Consumes one application of the first queued fault of `kind` matching this request. */
  take<K extends FaultKind>(kind: K, method: string, path: string, accept: (fault: FaultOf<K>) => boolean = () => true): FaultOf<K> | undefined {
    this.prune();
    for (const entry of this.entries) {
      if (entry.fault.kind !== kind) continue;
      const fault = entry.fault as FaultOf<K>;
      const scope = { ...defaultScope(kind), ...definedScope(fault) };
      if (scope.method !== undefined && scope.method !== method) continue;
      if (scope.path !== undefined && scope.path !== path) continue;
      if (!accept(fault)) continue;
      if (entry.remaining !== undefined) entry.remaining -= 1;
      this.prune();
      return fault;
    }
    return undefined;
  }

  /** Starts the back-off window of a 429. */
  startBackoff(retryAfterSeconds: number, banSeconds: number): void {
    this.ban = { backoffUntil: this.clock.now() + retryAfterSeconds * 1000, banMs: banSeconds * 1000, bannedUntil: undefined };
  }

  /**
   * For a request now: undefined when not banned, else the ban's end (ms). A request inside a
   * 429's back-off window turns it into a ban (Binance's 418 for continuing to send).
   */
  banFor(): number | undefined {
    const ban = this.ban;
    if (!ban) return undefined;
    const now = this.clock.now();
    if (ban.bannedUntil !== undefined) {
      if (now < ban.bannedUntil) return ban.bannedUntil;
      this.ban = undefined;
      return undefined;
    }
    if (now >= ban.backoffUntil) {
      this.ban = undefined;
      return undefined;
    }
    ban.bannedUntil = now + ban.banMs;
    return ban.bannedUntil;
  }

  private prune(): void {
    const now = this.clock.now();
    this.entries = this.entries.filter((entry) => (entry.remaining === undefined || entry.remaining > 0) && (entry.expiresAt === undefined || now < entry.expiresAt));
  }
}

function definedScope(fault: HttpFault): { method?: string; path?: string } {
  return { ...(fault.method !== undefined ? { method: fault.method } : {}), ...(fault.path !== undefined ? { path: fault.path } : {}) };
}
