import { authHeaders, refresh } from './api.js';

export interface LiveHandlers {
  change(topics: readonly string[]): void;
  price(tick: { symbol: string; price: string; at: string }): void;
  connected(up: boolean): void;
}

/**
 * Follows GET /api/v1/stream with fetch and a streaming reader (the token goes in a header, never
 * the URL). Reconnects with back-off, sends Last-Event-ID so a change missed while away comes at
 * once, and treats 40 s of silence (no heartbeat) as a lost connection. A stream lives no longer
 * than its access token: the server says `reauthenticate` and ends it, and this reconnects at once.
 */
export class LiveStream {
  private abort: AbortController | undefined;
  private lastEventId: string | undefined;
  private stopped = false;
  private failures = 0;
  private watchdog: number | undefined;
  /** the server ended the stream because its credential expired: reconnect at once, no banner */
  private renew = false;

  constructor(private readonly handlers: LiveHandlers) {}

  start(): void {
    this.stopped = false;
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    clearTimeout(this.watchdog);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const ok = await this.connectOnce();
      if (this.stopped) return;
      if (this.renew) {
        this.renew = false;
        continue; // the access token was renewed meanwhile (a minute before expiry); else the 401 path refreshes
      }
      this.handlers.connected(false);
      if (!ok) this.failures++;
      const delay = Math.min(10_000, 1000 * 2 ** Math.min(this.failures, 4)) * (0.75 + Math.random() * 0.5);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** One connection, until it ends; false when it could not be opened. */
  private async connectOnce(): Promise<boolean> {
    this.abort = new AbortController();
    const abort = this.abort;
    try {
      const headers = await authHeaders();
      if (!headers) return false;
      const res = await fetch('/api/v1/stream', { headers: { ...headers, ...(this.lastEventId ? { 'last-event-id': this.lastEventId } : {}) }, signal: abort.signal, cache: 'no-store' });
      if (res.status === 401) {
        await refresh();
        return false;
      }
      if (!res.ok || !res.body) return false;
      this.failures = 0;
      this.handlers.connected(true);
      this.handlers.change(['all']); // whatever happened while away
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      this.arm(abort);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return true;
        this.arm(abort);
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          this.dispatch(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
        }
      }
    } catch {
      return !abort.signal.aborted ? false : true;
    } finally {
      clearTimeout(this.watchdog);
    }
  }

  private arm(abort: AbortController): void {
    clearTimeout(this.watchdog);
    this.watchdog = window.setTimeout(() => abort.abort(), 40_000);
  }

  private dispatch(block: string): void {
    let event = 'message';
    let id: string | undefined;
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (id !== undefined) this.lastEventId = id;
    if (event === 'reauthenticate') this.renew = true;
    if (data === '') return;
    try {
      const parsed = JSON.parse(data) as Record<string, unknown>;
      if (event === 'change') this.handlers.change(parsed.topics as string[]);
      else if (event === 'price') this.handlers.price(parsed as { symbol: string; price: string; at: string });
    } catch {
      // a malformed message is skipped
    }
  }
}
