import type { Leases } from '../../application/ports/leases.js';

/**
 * Leases for a node that is alone by construction (the embedded SQLite default: the files
 * belong to one process). Every lease is granted; nothing is ever lost.
 */
export class LocalLeases implements Leases {
  private readonly names = new Set<string>();

  async tryAcquire(name: string): Promise<boolean> {
    this.names.add(name);
    return true;
  }

  async release(name: string): Promise<void> {
    this.names.delete(name);
  }

  holds(name: string): boolean {
    return this.names.has(name);
  }

  held(): readonly string[] {
    return [...this.names];
  }

  async liveNodes(): Promise<number> {
    return 1;
  }

  async check(): Promise<boolean> {
    return true;
  }

  onLost(): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    this.names.clear();
  }
}
