/** Port: latest prices per symbol, pushed as ticks. */

export interface PriceTick {
  readonly symbol: string;
  /** decimal string */
  readonly price: string;
  /** ISO-8601 */
  readonly time: string;
}

export interface PriceFeed {
  symbols(): readonly string[];
  latest(symbol: string): PriceTick | undefined;
  /** Listener gets every tick of every symbol; returns an unsubscribe function. */
  subscribe(listener: (tick: PriceTick) => void): () => void;
}
