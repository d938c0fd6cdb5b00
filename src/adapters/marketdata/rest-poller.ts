/**
 * The last resort of a venue's market data: REST tickers polled at a fixed interval while no
 * WebSocket connection streams. One request in flight at most; failures are logged and retried at
 * the next interval.
 */
import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import type { MarketDataConnectionState } from '../../application/ports/market-data.js';
import { snapshotObservation, type RestTickers } from './ccxt-market-shapes.js';
import type { Observation } from './quote-merge.js';
import { reasonOf } from './ws-connection.js';

export interface RestPollerOptions {
  /** the quotes' source, "<venue>:rest" */
  readonly source: string;
  readonly restTickers: RestTickers;
  /** the symbols to ask for at each poll */
  readonly symbols: () => readonly string[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly onObservation: (observation: Observation) => void;
}

export class RestPoller {
  private activeValue = false;
  private stateValue: MarketDataConnectionState = 'connecting';
  private lastSuccess: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private failuresInRow = 0;

  constructor(private readonly options: RestPollerOptions) {}

  get active(): boolean {
    return this.activeValue;
  }

  get state(): MarketDataConnectionState {
    return this.stateValue;
  }

  get lastMessageAt(): number | undefined {
    return this.lastSuccess;
  }

  /** Starts polling (the first poll at once). Idempotent. */
  start(): void {
    if (this.activeValue) return;
    this.activeValue = true;
    this.stateValue = 'connecting';
    this.failuresInRow = 0;
    this.options.logger.warn({ venue: this.options.source, intervalMs: this.options.intervalMs }, 'market data: no WebSocket streams, polling REST tickers');
    this.poll();
  }

  stop(): void {
    if (!this.activeValue) return;
    this.activeValue = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.options.logger.info({ venue: this.options.source }, 'market data: a WebSocket streams again, REST polling stopped');
  }

  /** Stops and waits for a request in flight. */
  async close(): Promise<void> {
    this.stop();
    if (this.inFlight !== undefined) await this.inFlight;
  }

  private poll(): void {
    this.timer = undefined;
    if (!this.activeValue || this.inFlight !== undefined) return;
    const flight = this.fetchOnce().finally(() => {
      this.inFlight = undefined;
      if (this.activeValue) {
        this.timer = setTimeout(() => this.poll(), this.options.intervalMs);
        this.timer.unref();
      }
    });
    this.inFlight = flight;
  }

  private async fetchOnce(): Promise<void> {
    const symbols = this.options.symbols();
    if (symbols.length === 0) return;
    try {
      const tickers = await this.options.restTickers(symbols);
      if (!this.activeValue) return;
      const now = this.options.clock.now();
      for (const symbol of symbols) {
        const ticker = tickers[symbol];
        if (ticker !== undefined && ticker !== null) this.options.onObservation(snapshotObservation(symbol, ticker, this.options.source, now));
      }
      this.lastSuccess = now;
      this.stateValue = 'streaming';
      this.failuresInRow = 0;
    } catch (error) {
      if (!this.activeValue) return;
      this.stateValue = 'down';
      this.failuresInRow += 1;
      // the first failure and then one in ten, so a long outage does not flood the log
      if (this.failuresInRow % 10 === 1) {
        this.options.logger.warn({ venue: this.options.source, failuresInRow: this.failuresInRow, reason: reasonOf(error) }, 'market data: REST tickers failed');
      }
    }
  }
}
