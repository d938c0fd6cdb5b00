import { describe, expect, it } from 'vitest';
import { err, ok } from '../shared/result.js';
import type { Decider } from '../shared/decider.js';
import { deciderSpec } from './decider-spec.js';

// A toy counter: Add n -> Added n (n > 0), state = running total; totals above 10 are refused.
type Cmd = { type: 'Add'; n: number };
type Ev = { type: 'Added'; n: number };
const counter: Decider<Cmd, Ev, number> = {
  initialState: () => 0,
  decide: (cmd, total) =>
    cmd.n <= 0
      ? err({ code: 'NOT_POSITIVE', message: `n must be > 0, got ${cmd.n}` })
      : total + cmd.n > 10
        ? err({ code: 'TOO_MUCH', message: 'total over 10' })
        : ok([{ type: 'Added', n: cmd.n }]),
  evolve: (total, ev) => total + ev.n,
};
const spec = deciderSpec(counter);

describe('deciderSpec', () => {
  it('then: passes on the expected events, after folding the given ones', () => {
    const events = spec.given([{ type: 'Added', n: 4 }]).when({ type: 'Add', n: 6 }).then([{ type: 'Added', n: 6 }]);
    expect(events).toEqual([{ type: 'Added', n: 6 }]);
  });

  it('thenError: passes on the expected code and optional message', () => {
    const error = spec.given([{ type: 'Added', n: 8 }]).when({ type: 'Add', n: 3 }).thenError('TOO_MUCH', /over 10/);
    expect(error.code).toBe('TOO_MUCH');
  });

  it('thenState: hands over the state after the new events', () => {
    spec.given([{ type: 'Added', n: 2 }]).when({ type: 'Add', n: 3 }).thenState((s) => expect(s).toBe(5));
  });

  it('exposes the raw result', () => {
    expect(spec.given([]).when({ type: 'Add', n: 0 }).result).toMatchObject({ ok: false, error: { code: 'NOT_POSITIVE' } });
  });

  it('then fails on other events', () => {
    expect(() => spec.given([]).when({ type: 'Add', n: 1 }).then([{ type: 'Added', n: 2 }])).toThrow();
  });

  it('then fails with the error code when the decider refused', () => {
    expect(() => spec.given([]).when({ type: 'Add', n: -1 }).then([])).toThrow(/NOT_POSITIVE/);
  });

  it('thenError fails when the decider succeeded, or refused with another code or message', () => {
    expect(() => spec.given([]).when({ type: 'Add', n: 1 }).thenError('TOO_MUCH')).toThrow(/expected error TOO_MUCH/);
    expect(() => spec.given([]).when({ type: 'Add', n: -1 }).thenError('TOO_MUCH')).toThrow();
    expect(() => spec.given([]).when({ type: 'Add', n: -1 }).thenError('NOT_POSITIVE', /nothing like this/)).toThrow();
  });

  it('then fails when evolve cannot apply the new events', () => {
    const broken: Decider<Cmd, Ev, number> = {
      ...counter,
      evolve: () => {
        throw new Error('evolve exploded');
      },
    };
    expect(() => deciderSpec(broken).given([]).when({ type: 'Add', n: 1 }).then([{ type: 'Added', n: 1 }])).toThrow(/evolve exploded/);
  });
});
