import { describe, expect, it } from 'vitest';
import { planKillSwitchStep } from './kill-switch-actions.js';

const flatten = { cancelOrders: true, flatten: true };
const cancelOnly = { cancelOrders: true, flatten: false };
const positions = [{ strategyId: 's1', symbol: 'BTC/USDT' }, { strategyId: 's2', symbol: 'BTC/USDT' }];

describe('the kill switch actions, step by step (issue 17)', () => {
  it('first every live order without a cancel request is asked to cancel', () => {
    expect(planKillSwitchStep(flatten, [{ clientOrderId: 'a', cancelRequested: true }, { clientOrderId: 'b', cancelRequested: false }], positions))
      .toEqual({ kind: 'cancel', clientOrderIds: ['b'] });
  });
  it('flatten waits while an order is live, even with its cancel requested (it could still fill)', () => {
    expect(planKillSwitchStep(flatten, [{ clientOrderId: 'a', cancelRequested: true }], positions)).toEqual({ kind: 'wait' });
  });
  it('flatten closes each strategy position once nothing is live', () => {
    expect(planKillSwitchStep(flatten, [], positions)).toEqual({ kind: 'complete', closes: positions });
    expect(planKillSwitchStep(flatten, [], [])).toEqual({ kind: 'complete', closes: [] });
  });
  it('cancel only: done once every live order has its request, positions stay', () => {
    expect(planKillSwitchStep(cancelOnly, [{ clientOrderId: 'a', cancelRequested: true }], positions)).toEqual({ kind: 'complete', closes: [] });
  });
  it('an order appearing after the cancels (a bracket child) is cancelled too', () => {
    expect(planKillSwitchStep(flatten, [{ clientOrderId: 'a', cancelRequested: true }, { clientOrderId: 'child', cancelRequested: false }], []))
      .toEqual({ kind: 'cancel', clientOrderIds: ['child'] });
  });
});
