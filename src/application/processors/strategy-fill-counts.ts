import type { DocumentProjection } from './document-projector.js';

export const STRATEGY_FILLS = 'strategy_fills';

/** How often a strategy's orders filled (what the dashboard shows beside each strategy). */
export interface StrategyFillsView {
  readonly strategyId: string;
  /** fills recorded (one per trade) */
  readonly fills: number;
  readonly buys: number;
  readonly sells: number;
  /** the orders that filled completely */
  readonly ordersFilled: number;
  /** absent before the first fill */
  readonly lastFillAt?: string;
}

/** Counts each strategy's fills: a processor reacting to OrderFilled, on the leader, its documents and checkpoint committed together. */
export const strategyFillCounts: DocumentProjection<'OrderFilled'> = {
  id: 'strategy-fill-counts',
  handles: ['OrderFilled'],
  reads: (e) => [{ collection: STRATEGY_FILLS, tenantId: e.metadata.tenantId, id: e.data.strategyId }],
  project: (e, docs) => {
    const { strategyId, side, filledAt, complete } = e.data;
    const stored = docs.get(STRATEGY_FILLS, e.metadata.tenantId, strategyId);
    const before = stored?.data as StrategyFillsView | undefined;
    const view: StrategyFillsView = {
      strategyId,
      fills: (before?.fills ?? 0) + 1,
      buys: (before?.buys ?? 0) + (side === 'buy' ? 1 : 0),
      sells: (before?.sells ?? 0) + (side === 'sell' ? 1 : 0),
      ordersFilled: (before?.ordersFilled ?? 0) + (complete ? 1 : 0),
      lastFillAt: filledAt,
    };
    docs.put({ collection: STRATEGY_FILLS, id: strategyId, tenantId: e.metadata.tenantId, strategyId, seq: stored?.seq ?? e.globalPosition, data: { ...view } });
  },
};
