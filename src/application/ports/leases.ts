/**
 * Port: named, exclusive leases shared by every PATRIOT node on one database. A lease is held
 * by one node at a time and is lost with that node's session (process death, connection loss),
 * so another node can take it within seconds. Used for the singleton duties (routing,
 * projections, snapshots: the "leader" lease) and for account ownership (one node dispatches
 * an account's orders).
 */
export interface Leases {
  /** Takes the lease if it is free; never waits. True when this node holds it now (also if it already did). */
  tryAcquire(name: string): Promise<boolean>;
  /** Gives the lease up (no-op if not held). */
  release(name: string): Promise<void>;
  holds(name: string): boolean;
  /** Names of the leases held now. */
  held(): readonly string[];
  /** Nodes currently sharing these leases, this one included (at least 1). */
  liveNodes(): Promise<number>;
  /**
   * Checks that the session holding the leases is alive. If it is not, every lease is dropped,
   * the onLost listeners are called, and false is returned (the next tryAcquire reconnects).
   */
  check(): Promise<boolean>;
  /** Called with the names of the leases lost without release() (session gone). Returns an unsubscribe function. */
  onLost(listener: (names: readonly string[]) => void): () => void;
  /** Releases every lease and closes the session. */
  close(): Promise<void>;
}
