import type { PatriotEventType } from '../../domain/events.js';
import { ignoreUnknown } from '../../domain/shared/decider.js';

/** What a live-update subscriber is told changed: the read-model areas to refetch. */
export const CHANGE_TOPICS = ['orders', 'fills', 'positions', 'balances', 'signals', 'accounts', 'strategies', 'kill-switch'] as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[number];

const ORDER: readonly ChangeTopic[] = ['orders', 'signals'];
const FILL: readonly ChangeTopic[] = ['orders', 'signals', 'fills', 'positions', 'balances'];
const NONE: readonly ChangeTopic[] = [];

/** The topics an event of this type changes in the read models (an order's status shows on its signal too). */
export function topicsOf(eventType: PatriotEventType): readonly ChangeTopic[] {
  switch (eventType) {
    case 'AccountOpened':
      return ['accounts', 'balances'];
    case 'KillSwitchEngaged':
    case 'KillSwitchReleased':
      return ['accounts', 'kill-switch'];
    case 'GlobalKillSwitchEngaged':
    case 'GlobalKillSwitchReleased':
      return ['kill-switch'];
    case 'AccountReconciled':
    case 'AccountCredentialsChanged':
      return ['accounts'];
    case 'AccountBalancesObserved':
      return ['balances'];
    case 'StrategyConfigured':
      return ['strategies'];
    case 'SignalReceived':
    case 'SignalRejected':
    case 'SignalProcessed':
    case 'AlertRepeated':
      return ['signals'];
    case 'OrderApproved':
    case 'OrderRejected':
    case 'OrderAccepted':
    case 'OrderExchangeRejected':
    case 'OrderStatusUnknown':
    case 'OrderParked':
    case 'OrderReleased':
    case 'OrderSubmitted':
    case 'OrderCancelled':
    case 'OrderExpired':
      return ORDER;
    case 'OrderFilled':
      return FILL;
    case 'UserRegistered':
    case 'UserDisabled':
    case 'UserEnabled':
    case 'UserRoleChanged':
    case 'UserPasswordReset':
    case 'UserApiKeyRevoked':
      return NONE;
    default:
      // a new event type is a compile error here; one unknown at run time (a newer version's log) changes no topic
      ignoreUnknown(eventType);
      return NONE;
  }
}
