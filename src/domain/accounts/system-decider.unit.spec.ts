import { describe, expect, it } from 'vitest';
import { systemDecider, type SystemEvent } from './system-decider.js';
import { deciderSpec } from '../test-support/decider-spec.js';

const spec = deciderSpec(systemDecider);
const engaged: SystemEvent = { type: 'GlobalKillSwitchEngaged', data: { reason: 'exchange outage' } };
const released: SystemEvent = { type: 'GlobalKillSwitchReleased', data: {} };

describe('system decider (global kill switch)', () => {
  it('engage → GlobalKillSwitchEngaged', () => {
    spec.given([]).when({ type: 'EngageGlobalKillSwitch', reason: 'exchange outage' }).then([engaged]);
    spec
      .given([])
      .when({ type: 'EngageGlobalKillSwitch', reason: 'exchange outage' })
      .thenState((s) => expect(s.globalKillSwitch).toEqual({ engaged: true, reason: 'exchange outage' }));
  });
  it('engage when engaged → []', () => {
    spec.given([engaged]).when({ type: 'EngageGlobalKillSwitch', reason: 'again' }).then([]);
  });
  it('release → GlobalKillSwitchReleased', () => {
    spec.given([engaged]).when({ type: 'ReleaseGlobalKillSwitch' }).then([released]);
  });
  it('release when not engaged → []', () => {
    spec.given([]).when({ type: 'ReleaseGlobalKillSwitch' }).then([]);
    spec.given([engaged, released]).when({ type: 'ReleaseGlobalKillSwitch' }).then([]);
  });
  it('engage after release → engaged again', () => {
    spec.given([engaged, released]).when({ type: 'EngageGlobalKillSwitch', reason: 'exchange outage' }).then([engaged]);
  });
});
