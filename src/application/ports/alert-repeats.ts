/** How often an alert came again, kept beside the log (not in it): a burst of repeats does not grow the log. */
export interface RepeatTally {
  /** repeats counted (each answered as the original; nothing traded again) */
  readonly count: number;
  readonly firstAt: string;
  readonly lastAt: string;
  /** how many of the counted repeats are also in the log as AlertRepeated (the first one, for audit) */
  readonly logged: number;
}

/** Port: counts repeats of alerts per signal. */
export interface AlertRepeatCounter {
  /**
   * Counts one repeat of the signal's alert received at `at`. `logFirst` runs before the first repeat
   * of a signal is counted (it records that one in the log) and never again while the count exists.
   */
  count(signalId: string, at: string, logFirst: () => Promise<void>): Promise<RepeatTally>;
  /** The tallies of those signals that have one. */
  tallies(signalIds: readonly string[]): Promise<ReadonlyMap<string, RepeatTally>>;
}
