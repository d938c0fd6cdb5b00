/**
 * Port: one exchange's live prices (its public market data), each with where it came from and
 * when it arrived. Callers judge staleness from `receivedAt` and their own clock.
 */
export interface Quote {
  /** unified symbol, e.g. "BTC/USDT" */
  readonly symbol: string;
  /** decimal string: the last trade, else the mid of bid and ask */
  readonly price: string;
  readonly bid?: string;
  readonly ask?: string;
  /** e.g. "binance:ws-a", "binance:ws-b", "binance:rest", "synthetic" */
  readonly source: string;
  /** epoch ms when PATRIOT received it */
  readonly receivedAt: number;
  /** epoch ms of the exchange's own timestamp, when it gave one */
  readonly exchangeTime?: number;
}

export type MarketDataConnectionState = 'connecting' | 'streaming' | 'silent' | 'down';

export interface MarketDataStatus {
  /** the venue the prices come from, e.g. "binance:spot" or "synthetic" */
  readonly venue: string;
  readonly connections: readonly {
    readonly id: string;
    readonly state: MarketDataConnectionState;
    /** epoch ms of its last message */
    readonly lastMessageAt?: number;
  }[];
}

export interface MarketDataSource {
  /** the latest quote of a symbol, however old; undefined before the first one */
  quote(symbol: string): Quote | undefined;
  /**
   * The symbols `owner` needs (replaces that owner's previous set). The source follows the union
   * of every owner's symbols: strategies' symbols, open positions and orders, dashboard watchers.
   */
  follow(owner: string, symbols: readonly string[]): void;
  /** every new quote (deduplicated, monotonic per symbol); returns an unsubscribe function */
  onQuote(listener: (quote: Quote) => void): () => void;
  status(): MarketDataStatus;
  close(): Promise<void>;
}
