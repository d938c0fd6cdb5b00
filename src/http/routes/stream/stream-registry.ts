/** Counts open live streams per user and in all, and ends them all when the server closes. */
export class StreamRegistry {
  private readonly perUser = new Map<string, number>();
  /** each open stream's `end` */
  private readonly open = new Set<() => void>();

  constructor(private readonly limits: { readonly perUser: number; readonly total: number }) {}

  /** Reserves a slot for the user's stream (`end` ends it): the release function, or why not. */
  tryOpen(userId: string, end: () => void): { release: () => void } | { refused: 'user' | 'total' } {
    const mine = this.perUser.get(userId) ?? 0;
    if (mine >= this.limits.perUser) return { refused: 'user' };
    if (this.open.size >= this.limits.total) return { refused: 'total' };
    this.perUser.set(userId, mine + 1);
    const entry = (): void => end();
    this.open.add(entry);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.open.delete(entry);
        const left = (this.perUser.get(userId) ?? 1) - 1;
        if (left <= 0) this.perUser.delete(userId);
        else this.perUser.set(userId, left);
      },
    };
  }

  get size(): number {
    return this.open.size;
  }

  /** Ends every open stream (each one releases its slot as it ends). */
  endAll(): void {
    for (const end of [...this.open]) end();
  }
}
