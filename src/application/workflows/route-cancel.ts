import type { EventOf } from '../../domain/events.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import { signalDecider } from '../../domain/signals/signal-decider.js';
import { fold } from '../../domain/shared/decider.js';
import type { RoutingDecision } from './route-signal.js';

/** A live order of an account as the write side knows it. */
export interface LiveOrderRef {
  readonly clientOrderId: string;
}

export interface CancelRouting {
  readonly decision: RoutingDecision;
  /** one request per order to cancel, recorded with the signal's SignalProcessed (the intent first) */
  readonly requests: readonly EventOf<'OrderCancelRequested'>[];
}

/**
 * A `cancel` alert (issue 17): every open order of the strategy on each of its accounts (of the
 * alert's symbol when it names one) gets a cancel request; accounts with none are skipped with
 * NOTHING_TO_CANCEL. Pure: the live orders are given.
 */
export function routeCancel(
  received: EventOf<'SignalReceived'>,
  strategy: StrategyConfig,
  liveOrdersOf: (accountId: string, filter: { strategyId: string; symbol?: string }) => readonly LiveOrderRef[],
): CancelRouting {
  const { signalId, signal } = received.data;
  const symbol = signal.symbol === '' ? undefined : signal.symbol;
  const skipped: { accountId: string; code: string; message: string }[] = [];
  const cancels: { accountId: string; clientOrderId: string }[] = [];
  const requests: EventOf<'OrderCancelRequested'>[] = [];
  const reason = `cancel alert${symbol ? ` for ${symbol}` : ''}${signal.comment ? `: ${signal.comment}` : ''}`;
  for (const link of strategy.accounts) {
    const orders = liveOrdersOf(link.accountId, { strategyId: strategy.strategyId, ...(symbol ? { symbol } : {}) });
    if (orders.length === 0) {
      skipped.push({ accountId: link.accountId, code: 'NOTHING_TO_CANCEL', message: `the strategy has no open order${symbol ? ` in ${symbol}` : ''} on this account` });
      continue;
    }
    for (const o of orders) {
      cancels.push({ accountId: link.accountId, clientOrderId: o.clientOrderId });
      requests.push({ type: 'OrderCancelRequested', data: { clientOrderId: o.clientOrderId, accountId: link.accountId, by: `alert:${signalId}`, reason } });
    }
  }
  const decided = signalDecider.decide({ type: 'MarkProcessed', orders: [], skipped }, fold(signalDecider, [received]));
  if (!decided.ok) throw new Error(`signal decider refused MarkProcessed: ${decided.error.code}`);
  const processed = decided.value[0] as RoutingDecision['processed'];
  return { decision: { orders: [], processed: { ...processed, data: { ...processed.data, cancels } } }, requests };
}
