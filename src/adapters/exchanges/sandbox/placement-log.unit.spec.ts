import { describe, expect, it } from 'vitest';
import { PlacementLog } from './placement-log.js';

describe('PlacementLog', () => {
  it('counts each request once: accepted when an order was created, else refused with its reason', () => {
    const log = new PlacementLog();
    const a = log.begin('id-1');
    a.accepted('id-1');
    a.finished({ code: -1006, msg: 'unknown' }); // an error answer after the order exists is still an acceptance
    const b = log.begin('id-1');
    b.finished({ code: -2010, msg: 'Duplicate order sent.' });
    b.finished({ code: -2010, msg: 'Duplicate order sent.' }); // once only
    expect(log.stats('id-1')).toEqual({ received: 2, accepted: 1, refused: 1, lastRefusal: { code: -2010, msg: 'Duplicate order sent.' } });

    const generated = log.begin(undefined);
    generated.accepted('gen-1');
    log.begin(undefined).finished({ code: -1102, msg: 'bad' }); // no id at all: not counted
    expect(log.all()).toEqual({ 'id-1': log.stats('id-1'), 'gen-1': { received: 1, accepted: 1, refused: 0 } });
    expect(log.stats('other')).toEqual({ received: 0, accepted: 0, refused: 0 });
  });

  it('forgets the oldest ids beyond its capacity', () => {
    const log = new PlacementLog(2);
    for (const id of ['a', 'b', 'c']) log.begin(id).accepted(id);
    expect(Object.keys(log.all())).toEqual(['b', 'c']);
  });
});
