import { describe, expect, it } from 'vitest';
import { planBracket, type BracketFacts, type BracketPlan, type LegFacts } from './bracket.js';
import { Dec, ZERO } from '../shared/decimal.js';

const plan: BracketPlan = { entrySide: 'buy', takeProfits: [{ price: '110', fraction: '1' }], stopLoss: '90', breakEven: false, stepSize: '0.01', tickSize: '0.01' };
const leg = (id: string, over: Partial<LegFacts> = {}): LegFacts => ({ clientOrderId: id, status: 'accepted', quantity: new Dec('1'), filled: ZERO, cancelRequested: false, ...over });
const filledEntry = { status: 'filled' as const, filled: new Dec('1'), averagePrice: new Dec('100') };

describe('a bracket someone else cancelled a child of (issue 17)', () => {
  it('a stop cancelled by the bracket itself (a resize) is placed again for what is held', () => {
    const facts: BracketFacts = { entry: filledEntry, takeProfits: [leg('tp')], stops: [leg('s0', { status: 'cancelled' })], exits: [] };
    expect(planBracket(plan, facts)).toEqual([{ kind: 'place_stop', generation: 1, side: 'sell', quantity: '1', stopPrice: '90' }]);
  });
  it('a stop the trader (or the kill switch) cancelled is not put back; the take-profit is left working while something is held', () => {
    const facts: BracketFacts = { entry: filledEntry, takeProfits: [leg('tp')], stops: [leg('s0', { status: 'cancelled', cancelledByOthers: true })], exits: [] };
    expect(planBracket(plan, facts)).toEqual([]);
  });
  it('a take-profit the trader cancelled: no new stop generation either, and once nothing is held what works is cancelled', () => {
    const cancelledTp = leg('tp', { status: 'cancelled', cancelledByOthers: true });
    expect(planBracket(plan, { entry: filledEntry, takeProfits: [cancelledTp], stops: [leg('s0', { status: 'cancelled' })], exits: [] })).toEqual([]);
    const stopFilled = leg('s1', { status: 'filled', filled: new Dec('1') });
    expect(planBracket(plan, { entry: filledEntry, takeProfits: [cancelledTp], stops: [stopFilled], exits: [leg('x0')] }))
      .toEqual([{ kind: 'cancel', clientOrderId: 'x0', reason: 'bracket: nothing left to protect' }]);
  });
});

describe('a stop the exchange refused (issue 17)', () => {
  const tp = leg('tp');
  it('refused because the market was already past it: it counts as triggered (take-profit cancelled, then an exit at market)', () => {
    for (const rejection of ['WOULD_TRIGGER_IMMEDIATELY', 'WOULD_MATCH']) {
      const facts: BracketFacts = { entry: filledEntry, takeProfits: [tp], stops: [leg('s0', { status: 'exchange_rejected', rejection })], exits: [] };
      expect(planBracket(plan, facts)).toEqual([{ kind: 'cancel', clientOrderId: 'tp', reason: 'bracket: the stop-loss triggered' }]);
    }
  });
  it('refused for the balance (Binance spot locks the base a take-profit holds): no exit at market, no new stop refused again', () => {
    const facts: BracketFacts = { entry: filledEntry, takeProfits: [tp], stops: [leg('s0', { status: 'exchange_rejected', rejection: 'INSUFFICIENT_BALANCE' })], exits: [] };
    expect(planBracket(plan, facts)).toEqual([]);
  });
  it('never placed (NOT_PLACED after look-ups): placed again as a new generation', () => {
    const facts: BracketFacts = { entry: filledEntry, takeProfits: [tp], stops: [leg('s0', { status: 'exchange_rejected', rejection: 'NOT_PLACED' })], exits: [] };
    expect(planBracket(plan, facts)).toEqual([{ kind: 'place_stop', generation: 1, side: 'sell', quantity: '1', stopPrice: '90' }]);
  });
  it('the stop is placed before the take-profits (where the base is locked, protection comes first)', () => {
    const facts: BracketFacts = { entry: filledEntry, takeProfits: [undefined], stops: [], exits: [] };
    expect(planBracket(plan, facts).map((a) => a.kind)).toEqual(['place_stop', 'place_take_profit']);
  });
});

describe('a bracket whose entry is still filling (issue 17)', () => {
  const partly = (filled: string) => ({ status: 'partially_filled' as const, filled: new Dec(filled), averagePrice: new Dec('100'), clientOrderId: 'entry', cancelRequested: false });
  it('what the entry bought is protected at once by a stop; take-profits wait for the entry to end', () => {
    expect(planBracket(plan, { entry: partly('0.3'), takeProfits: [undefined], stops: [], exits: [] }))
      .toEqual([{ kind: 'place_stop', generation: 0, side: 'sell', quantity: '0.3', stopPrice: '90' }]);
  });
  it('the stop grows in doubling steps: left while it covers half of what is held, resized beyond', () => {
    const stop = leg('s0', { quantity: new Dec('0.3') });
    expect(planBracket(plan, { entry: partly('0.6'), takeProfits: [undefined], stops: [stop], exits: [] })).toEqual([]);
    expect(planBracket(plan, { entry: partly('0.61'), takeProfits: [undefined], stops: [stop], exits: [] }))
      .toEqual([{ kind: 'cancel', clientOrderId: 's0', reason: 'bracket: the stop-loss grows with the entry' }]);
  });
  it('a stop that triggers while the entry works cancels the rest of the entry', () => {
    const hit = leg('s0', { quantity: new Dec('0.3'), filled: new Dec('0.3'), status: 'filled' });
    expect(planBracket(plan, { entry: partly('0.3'), takeProfits: [undefined], stops: [hit], exits: [] }))
      .toEqual([{ kind: 'cancel', clientOrderId: 'entry', reason: 'bracket: the stop-loss triggered before the entry filled completely' }]);
  });
  it('once the entry ends, the stop is resized to exactly what is held and the take-profit placed', () => {
    const stop = leg('s0', { quantity: new Dec('0.3') });
    const actions = planBracket(plan, { entry: filledEntry, takeProfits: [undefined], stops: [stop], exits: [] });
    expect(actions).toEqual([
      { kind: 'place_take_profit', leg: 0, side: 'sell', quantity: '1', limitPrice: '110' },
      { kind: 'cancel', clientOrderId: 's0', reason: 'bracket: the stop-loss is resized' },
    ]);
  });
});
