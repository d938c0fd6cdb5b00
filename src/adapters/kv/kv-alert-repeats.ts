import type { AlertRepeatCounter, RepeatTally } from '../../application/ports/alert-repeats.js';
import type { KeyValueStore } from '../../application/ports/key-value.js';
import { KeyedMutex } from '../../application/shared/keyed-mutex.js';

export const ALERT_REPEATS_PREFIX = 'alert-repeats/';
const keyOf = (signalId: string) => `${ALERT_REPEATS_PREFIX}${signalId}`;

const later = (a: string, b: string) => (a >= b ? a : b);
const earlier = (a: string, b: string) => (a <= b ? a : b);

/**
 * Repeat counters in the settings store (`alert-repeats/<signalId>`: count, first and last time), so
 * SQLite and PostgreSQL alike keep them through the one port. Repeats of one signal on this node
 * take turns (no compare-and-set contest among them); nodes meet in compare-and-set and retry.
 * The first repeat is also logged once (`logFirst`, before its row exists: a crash between the two
 * logs the next repeat as the first again, at most one event more).
 */
export class KvAlertRepeats implements AlertRepeatCounter {
  private readonly turns = new KeyedMutex();

  constructor(private readonly kv: KeyValueStore) {}

  count(signalId: string, at: string, logFirst: () => Promise<void>): Promise<RepeatTally> {
    return this.turns.run(signalId, async () => {
      const key = keyOf(signalId);
      let logged = false;
      for (let attempt = 0; attempt < 50; attempt++) {
        const raw = await this.kv.get(key);
        if (raw === undefined && !logged) {
          await logFirst();
          logged = true;
        }
        const before = raw === undefined ? undefined : (JSON.parse(raw) as RepeatTally);
        // another node may have counted its own first repeat meanwhile (and logged it too): both are in the log
        const next: RepeatTally = before
          ? { count: before.count + 1, firstAt: earlier(before.firstAt, at), lastAt: later(before.lastAt, at), logged: before.logged + (logged ? 1 : 0) }
          : { count: 1, firstAt: at, lastAt: at, logged: 1 };
        const text = JSON.stringify(next);
        if (raw === undefined ? (await this.kv.setIfAbsent(key, text)) === text : await this.kv.compareAndSet(key, raw, text)) return next;
      }
      throw new Error(`the repeat count of ${signalId} kept changing; the repeat was not counted`);
    });
  }

  async tallies(signalIds: readonly string[]): Promise<ReadonlyMap<string, RepeatTally>> {
    const found = new Map<string, RepeatTally>();
    await Promise.all(
      [...new Set(signalIds)].map(async (signalId) => {
        const raw = await this.kv.get(keyOf(signalId));
        if (raw !== undefined) found.set(signalId, JSON.parse(raw) as RepeatTally);
      }),
    );
    return found;
  }
}
