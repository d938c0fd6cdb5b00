import type { Notice } from '../../domain/notices/notice.js';
import type { KeyValueStore } from '../ports/key-value.js';

/** Notices held during a channel's quiet hours, per destination, until its digest goes. */
export const HELD_NOTICE_PREFIX = 'notice-held/';

const keyOf = (destinationId: string, position: number) => `${HELD_NOTICE_PREFIX}${destinationId}/${String(position).padStart(15, '0')}`;

/**
 * Held notices in the settings store (shared by every node, so the next leader sends the digest).
 * A notice is held before its checkpoint moves past it: nothing held is lost in a crash.
 */
export class HeldNotices {
  constructor(private readonly kv: KeyValueStore) {}

  async hold(destinationId: string, notice: Notice, position: number): Promise<void> {
    await this.kv.set(keyOf(destinationId, position), JSON.stringify(notice));
  }

  /** in log order, with their positions */
  async all(destinationId: string): Promise<{ notice: Notice; position: number }[]> {
    const prefix = `${HELD_NOTICE_PREFIX}${destinationId}/`;
    return (await this.kv.entries(prefix)).flatMap(([key, raw]) => {
      try {
        return [{ notice: JSON.parse(raw) as Notice, position: Number(key.slice(prefix.length)) }];
      } catch {
        return [];
      }
    });
  }

  /** after their digest was recorded delivered (or given up): oldest first, so a crash midway leaves the same last notice, hence the same digest id */
  async release(destinationId: string, positions: readonly number[]): Promise<void> {
    for (const p of [...positions].sort((a, b) => a - b)) await this.kv.delete(keyOf(destinationId, p));
  }

  /** the destination is gone: its held notices with it */
  async releaseAll(destinationId: string): Promise<void> {
    for (const [key] of await this.kv.entries(`${HELD_NOTICE_PREFIX}${destinationId}/`)) await this.kv.delete(key);
  }
}
