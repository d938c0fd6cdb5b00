import type { PatriotEventType } from '../../domain/events.js';

/** What a live-update subscriber is told changed: the read-model areas to refetch. */
export const CHANGE_TOPICS = ['orders', 'fills', 'positions', 'balances', 'signals', 'accounts', 'strategies', 'kill-switch'] as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[number];

const ORDER: readonly ChangeTopic[] = ['orders', 'signals'];
const FILL: readonly ChangeTopic[] = ['orders', 'signals', 'fills', 'positions', 'balances'];
const SIGNAL: readonly ChangeTopic[] = ['signals'];
const NONE: readonly ChangeTopic[] = [];

/**
 * The topics each event type changes in the read models (an order's status shows on its signal
 * too). Every event type has an entry: a new one is a compile error here until it says what it changes.
 */
const TOPICS: { readonly [K in PatriotEventType]: readonly ChangeTopic[] } = {
  UserRegistered: NONE, UserDisabled: NONE, UserEnabled: NONE, UserRoleChanged: NONE, UserPasswordReset: NONE, UserApiKeyRevoked: NONE,
  AccountOpened: ['accounts', 'balances'],
  KillSwitchEngaged: ['accounts', 'kill-switch'],
  KillSwitchReleased: ['accounts', 'kill-switch'],
  KillSwitchActionsRequested: ['accounts', 'kill-switch'],
  KillSwitchActionsDone: ['accounts', 'kill-switch'],
  GlobalKillSwitchEngaged: ['kill-switch'],
  GlobalKillSwitchReleased: ['kill-switch'],
  AccountReconciled: ['accounts'],
  ExchangeCircuitChanged: ['accounts'], AccountPricesChanged: ['accounts'], AccountOwnerChanged: ['accounts'],
  AccountCredentialsChanged: ['accounts'],
  AccountFuturesSettingsChanged: ['accounts'],
  AccountBalancesObserved: ['balances'],
  StrategyConfigured: ['strategies'],
  StrategyPaused: ['strategies'], StrategyResumed: ['strategies'], StrategyDeleted: ['strategies'],
  SignalReceived: SIGNAL, SignalRejected: SIGNAL, SignalProcessed: SIGNAL, AlertRepeated: SIGNAL,
  OrderApproved: ORDER, OrderRejected: ORDER, OrderAccepted: ORDER, OrderExchangeRejected: ORDER, OrderStatusUnknown: ORDER,
  OrderParked: ORDER, OrderReleased: ORDER, OrderSubmitted: ORDER, OrderCancelled: ORDER, OrderExpired: ORDER,
  OrderFilled: FILL,
  OrderCancelRequested: ORDER, OrderTriggered: ORDER, OrderTrailMoved: ORDER,
};

/** The topics an event of this type changes (none for a type unknown at run time: a newer version's log). */
export function topicsOf(eventType: PatriotEventType): readonly ChangeTopic[] {
  return Object.hasOwn(TOPICS, eventType) ? TOPICS[eventType] : NONE;
}
