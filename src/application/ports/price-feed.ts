/** Port: latest prices per symbol, pushed as ticks. */

export interface PriceTick {
  readonly symbol: string;
  /** decimal string */
  readonly price: string;
  /** ISO-8601 */
  readonly time: string;
  /** the venue whose price it is, when the feed carries several (e.g. "binance:spot"); absent for the paper feed */
  readonly venue?: string;
  /** the connection it came through (e.g. "binance:ws-a") */
  readonly source?: string;
  readonly bid?: string;
  readonly ask?: string;
}

export interface PriceFeed {
  symbols(): readonly string[];
  latest(symbol: string): PriceTick | undefined;
  /** Listener gets every tick of every symbol; returns an unsubscribe function. */
  subscribe(listener: (tick: PriceTick) => void): () => void;
}
