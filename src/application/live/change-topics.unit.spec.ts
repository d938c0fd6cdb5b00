import { describe, expect, it } from 'vitest';
import { topicsOf } from './change-topics.js';
import type { PatriotEventType } from '../../domain/events.js';

describe('change topics', () => {
  it('a fill changes the order, its signal, the fills, the position and the balances; a user change no read-model topic', () => {
    expect([...topicsOf('OrderFilled')].sort()).toEqual(['balances', 'fills', 'orders', 'positions', 'signals']);
    expect(topicsOf('OrderCancelled')).toEqual(['orders', 'signals']);
    expect(topicsOf('UserDisabled')).toEqual([]);
  });

  it('an event type unknown at run time (a newer version wrote it) changes nothing, whatever its name', () => {
    for (const name of ['SomethingNew', 'toString', '__proto__', 'constructor']) expect(topicsOf(name as PatriotEventType)).toEqual([]);
  });
});
