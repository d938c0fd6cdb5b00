import { describe, expect, it } from 'vitest';
import { accountDecider, type AccountEvent } from './account-decider.js';
import type { AccountConfig } from './account.js';
import { deciderSpec } from '../test-support/decider-spec.js';

const spec = deciderSpec(accountDecider);
const config: AccountConfig = {
  accountId: 'acc-1',
  tenantId: 't-1',
  name: 'Paper',
  exchange: 'paper',
  quoteAsset: 'USDT',
  initialBalances: [{ asset: 'USDT', amount: '10000' }],
  risk: {},
};
const opened: AccountEvent = { type: 'AccountOpened', data: config };
const engaged: AccountEvent = { type: 'KillSwitchEngaged', data: { accountId: 'acc-1', reason: 'drawdown' } };
const released: AccountEvent = { type: 'KillSwitchReleased', data: { accountId: 'acc-1' } };

describe('account decider', () => {
  it('OpenAccount → AccountOpened', () => {
    spec.given([]).when({ type: 'OpenAccount', config }).then([opened]);
  });
  it('OpenAccount twice → ACCOUNT_EXISTS', () => {
    spec.given([opened]).when({ type: 'OpenAccount', config }).thenError('ACCOUNT_EXISTS');
  });
  it('OpenAccount validates balances', () => {
    spec
      .given([])
      .when({ type: 'OpenAccount', config: { ...config, initialBalances: [{ asset: 'USDT', amount: '-1' }] } })
      .thenError('INVALID_ACCOUNT_CONFIG', /-1 USDT/);
  });
  it('kill switch before opening → ACCOUNT_NOT_FOUND', () => {
    spec.given([]).when({ type: 'EngageKillSwitch', reason: 'x' }).thenError('ACCOUNT_NOT_FOUND');
    spec.given([]).when({ type: 'ReleaseKillSwitch' }).thenError('ACCOUNT_NOT_FOUND');
  });
  it('EngageKillSwitch → KillSwitchEngaged', () => {
    spec
      .given([opened])
      .when({ type: 'EngageKillSwitch', reason: 'drawdown' })
      .thenState((s) => expect(s.killSwitch).toEqual({ engaged: true, reason: 'drawdown' }));
    spec.given([opened, engaged, released]).when({ type: 'EngageKillSwitch', reason: 'drawdown' }).then([engaged]);
  });
  it('EngageKillSwitch when engaged → []', () => {
    spec.given([opened, engaged]).when({ type: 'EngageKillSwitch', reason: 'again' }).then([]);
  });
  it('ReleaseKillSwitch → KillSwitchReleased', () => {
    spec.given([opened, engaged]).when({ type: 'ReleaseKillSwitch' }).then([released]);
  });
  it('ReleaseKillSwitch when not engaged → []', () => {
    spec.given([opened]).when({ type: 'ReleaseKillSwitch' }).then([]);
    spec.given([opened, engaged, released]).when({ type: 'ReleaseKillSwitch' }).then([]);
  });
});

describe('account decider: observations on the stream', () => {
  const reconciled: AccountEvent = { type: 'AccountReconciled', data: { accountId: 'acc-1', trigger: 'takeover', differences: [] } };
  const credentials: AccountEvent = { type: 'AccountCredentialsChanged', data: { accountId: 'acc-1', apiKeyHint: '••••abcd', removed: false } };
  it('a reconciliation or a credentials change in the history changes no decision', () => {
    spec.given([opened, reconciled, credentials]).when({ type: 'EngageKillSwitch', reason: 'drawdown' }).then([engaged]);
    spec.given([opened, engaged, credentials, reconciled]).when({ type: 'ReleaseKillSwitch' }).then([released]);
  });
});

describe('account decider: the kill switch cancels and flattens (issue 17)', () => {
  const actions = { requestId: 'ks-1', cancelOrders: false, flatten: true, by: 'user:u1' };
  const requested: AccountEvent = { type: 'KillSwitchActionsRequested', data: { accountId: 'acc-1', requestId: 'ks-1', cancelOrders: true, flatten: true, by: 'user:u1' } };
  const done: AccountEvent = { type: 'KillSwitchActionsDone', data: { accountId: 'acc-1', requestId: 'ks-1', cancelled: ['o1'], closes: [{ strategyId: 's1', symbol: 'BTC/USDT', signalId: 'sig-1' }] } };
  it('engaging with flatten records the switch and the request; flatten implies cancelling the open orders', () => {
    spec.given([opened]).when({ type: 'EngageKillSwitch', reason: 'drawdown', actions }).then([engaged, requested]);
  });
  it('a switch engaged already still records the request (the operator asks to flatten afterwards)', () => {
    spec.given([opened, engaged]).when({ type: 'EngageKillSwitch', reason: 'again', actions }).then([requested]);
  });
  it('no action asked: nothing but the switch', () => {
    spec.given([opened]).when({ type: 'EngageKillSwitch', reason: 'drawdown', actions: { ...actions, flatten: false } }).then([engaged]);
  });
  it('the global switch records the request on each account', () => {
    spec.given([opened]).when({ type: 'RequestKillSwitchActions', actions: { ...actions, cancelOrders: true, flatten: false } })
      .then([{ type: 'KillSwitchActionsRequested', data: { accountId: 'acc-1', requestId: 'ks-1', cancelOrders: true, flatten: false, by: 'user:u1' } }]);
    spec.given([]).when({ type: 'RequestKillSwitchActions', actions }).thenError('ACCOUNT_NOT_FOUND');
  });
  it('completing is done once, and only for the pending request; a release does not undo a request', () => {
    const complete = { type: 'CompleteKillSwitchActions' as const, requestId: 'ks-1', cancelled: ['o1'], closes: [{ strategyId: 's1', symbol: 'BTC/USDT', signalId: 'sig-1' }] };
    spec.given([opened, engaged, requested, released]).when(complete).then([done]);
    spec.given([opened, engaged, requested, done]).when(complete).then([]);
    spec.given([opened, engaged, requested]).when({ ...complete, requestId: 'ks-other' }).then([]);
    spec.given([opened, engaged, requested]).when(complete).thenState((s) => expect(s.pendingActions).toBeUndefined());
  });
});
