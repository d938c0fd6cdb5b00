import { describe, expect, it } from 'vitest';
import { planBracket, stopLimitPriceFor, type BracketFacts, type BracketPlan, type LegFacts } from './bracket.js';
import { bracketPlanFor } from './bracket-spec.js';
import { Dec, ZERO } from '../shared/decimal.js';

/** A bracket whose stop-loss is a stop-limit (`stop_loss_limit`, issue 17). */
const plan: BracketPlan = { entrySide: 'buy', takeProfits: [{ price: '110', fraction: '1' }], stopLoss: '90', stopLimitOffset: '0.5', breakEven: true, stepSize: '0.01', tickSize: '0.01' };
const leg = (id: string, over: Partial<LegFacts> = {}): LegFacts => ({ clientOrderId: id, status: 'accepted', quantity: new Dec('1'), filled: ZERO, cancelRequested: false, ...over });
const filledEntry = { status: 'filled' as const, filled: new Dec('1'), averagePrice: new Dec('100.004'), clientOrderId: 'entry' };
const market = { tickSize: '0.01', stepSize: '0.001' };

describe('the stop-limit leg of a bracket: from the alert (issue 17)', () => {
  it('a limit price below a long\'s stop is kept as its distance; a percent is a share of the stop price', () => {
    const byPrice = bracketPlanFor({ takeProfits: [{ price: '110' }], stopLoss: { price: '90' }, stopLossLimit: { price: '89.5' }, breakEven: false }, 'buy', new Dec('100'), market);
    expect(byPrice.ok && byPrice.value.stopLimitOffset).toBe('0.5');
    const byPercent = bracketPlanFor({ takeProfits: [], stopLoss: { percent: '10' }, stopLossLimit: { percent: '0.5' }, breakEven: false }, 'buy', new Dec('100'), market);
    expect(byPercent.ok && byPercent.value).toMatchObject({ stopLoss: '90', stopLimitOffset: '0.45' });
    const short = bracketPlanFor({ takeProfits: [], stopLoss: { price: '110' }, stopLossLimit: { price: '110.2' }, breakEven: false }, 'sell', new Dec('100'), market);
    expect(short.ok && short.value.stopLimitOffset).toBe('0.2');
    const atTheStop = bracketPlanFor({ takeProfits: [], stopLoss: { price: '90' }, stopLossLimit: { price: '90' }, breakEven: false }, 'buy', new Dec('100'), market);
    expect(atTheStop.ok && atTheStop.value.stopLimitOffset).toBe('0');
  });
  it('a limit on the wrong side of the stop (above a long\'s, below a short\'s, or at zero) is STOP_LIMIT_WRONG_SIDE', () => {
    const above = bracketPlanFor({ takeProfits: [], stopLoss: { price: '90' }, stopLossLimit: { price: '90.01' }, breakEven: false }, 'buy', new Dec('100'), market);
    expect(!above.ok && above.error.code).toBe('STOP_LIMIT_WRONG_SIDE');
    const below = bracketPlanFor({ takeProfits: [], stopLoss: { price: '110' }, stopLossLimit: { price: '109' }, breakEven: false }, 'sell', new Dec('100'), market);
    expect(!below.ok && below.error.code).toBe('STOP_LIMIT_WRONG_SIDE');
    const zero = bracketPlanFor({ takeProfits: [], stopLoss: { price: '90' }, stopLossLimit: { percent: '99.99' }, breakEven: false }, 'buy', new Dec('100'), market);
    expect(zero.ok).toBe(true); // 90 - 89.991 > 0
    const none = bracketPlanFor({ takeProfits: [], stopLoss: { price: '0.01' }, stopLossLimit: { price: '0.01' }, breakEven: false }, 'buy', new Dec('100'), { tickSize: '0.01', stepSize: '0.001' });
    expect(none.ok).toBe(true);
  });
  it('the limit is rounded to the tick away from the trigger (the room is never narrower than asked), a sell\'s at least one tick', () => {
    expect(stopLimitPriceFor(new Dec('90'), { ...plan, stopLimitOffset: '0.455' })).toBe('89.54');
    expect(stopLimitPriceFor(new Dec('110'), { ...plan, entrySide: 'sell', stopLimitOffset: '0.455' })).toBe('110.46');
    expect(stopLimitPriceFor(new Dec('0.02'), { ...plan, stopLimitOffset: '5' })).toBe('0.01');
    expect(stopLimitPriceFor(new Dec('90'), { ...plan, stopLimitOffset: undefined })).toBeUndefined();
  });
});

describe('the stop-limit leg of a bracket: what PATRIOT does with it (issue 17)', () => {
  it('the stop is placed as a stop-limit with its limit; a move to break-even keeps the same room', () => {
    expect(planBracket(plan, { entry: filledEntry, takeProfits: [undefined], stops: [], exits: [] })[0])
      .toEqual({ kind: 'place_stop', generation: 0, side: 'sell', quantity: '1', stopPrice: '90', stopLimitPrice: '89.5' });
    const halfPlan: BracketPlan = { ...plan, takeProfits: [{ price: '110', fraction: '0.5' }, { price: '120', fraction: '0.5' }] };
    const tp0 = leg('tp0', { status: 'filled', quantity: new Dec('0.5'), filled: new Dec('0.5') });
    const oldStop = leg('s0', { status: 'cancelled', quantity: new Dec('1'), stopPrice: new Dec('90'), stopLimit: true });
    expect(planBracket(halfPlan, { entry: filledEntry, takeProfits: [tp0, leg('tp1', { quantity: new Dec('0.5') })], stops: [oldStop], exits: [] }))
      .toEqual([{ kind: 'place_stop', generation: 1, side: 'sell', quantity: '0.5', stopPrice: '100.01', stopLimitPrice: '99.51' }]);
  });
  it('triggered and partly filled, it is left resting at its limit: the take-profit is cancelled, no market exit while it works', () => {
    const stop = leg('s0', { status: 'partially_filled', filled: new Dec('0.4'), stopPrice: new Dec('90'), stopLimit: true });
    expect(planBracket(plan, { entry: filledEntry, takeProfits: [leg('tp')], stops: [stop], exits: [] }))
      .toEqual([{ kind: 'cancel', clientOrderId: 'tp', reason: 'bracket: the stop-loss triggered' }]);
    expect(planBracket(plan, { entry: filledEntry, takeProfits: [leg('tp', { status: 'cancelled', cancelRequested: true })], stops: [stop], exits: [] })).toEqual([]);
  });
  it('a stop-market partly filled is still cancelled and the rest leaves at market (unchanged)', () => {
    const stop = leg('s0', { status: 'partially_filled', filled: new Dec('0.4'), stopPrice: new Dec('90') });
    expect(planBracket({ ...plan, stopLimitOffset: undefined }, { entry: filledEntry, takeProfits: [leg('tp', { status: 'cancelled', cancelRequested: true })], stops: [stop], exits: [] }))
      .toEqual([{ kind: 'cancel', clientOrderId: 's0', reason: 'bracket: the stop-loss triggered' }]);
  });
  it('a stop-limit that ended without filling everything (expired: the take-profits held the base): what is held leaves at the stop\'s limit, never worse', () => {
    const stop = leg('s0', { status: 'expired', filled: new Dec('0.4'), stopPrice: new Dec('90'), stopLimit: true });
    expect(planBracket(plan, { entry: filledEntry, takeProfits: [leg('tp', { status: 'cancelled', cancelRequested: true })], stops: [stop], exits: [] }))
      .toEqual([{ kind: 'place_exit', generation: 0, side: 'sell', quantity: '0.6', limitPrice: '89.5' }]);
    // a stop-market's exit stays a market order
    const marketStop = leg('s0', { status: 'expired', stopPrice: new Dec('90') });
    expect(planBracket({ ...plan, stopLimitOffset: undefined }, { entry: filledEntry, takeProfits: [leg('tp', { status: 'cancelled', cancelRequested: true })], stops: [marketStop], exits: [] }))
      .toEqual([{ kind: 'place_exit', generation: 0, side: 'sell', quantity: '1' }]);
  });
  it('what a resting stop-limit does not cover (the entry bought more before it was cancelled) leaves beside it at the same limit; an exit still working counts as leaving', () => {
    const partly = { status: 'cancelled' as const, filled: new Dec('1'), averagePrice: new Dec('100'), clientOrderId: 'entry', cancelRequested: true };
    const stop = leg('s0', { status: 'partially_filled', quantity: new Dec('0.6'), filled: new Dec('0.2'), stopPrice: new Dec('90'), stopLimit: true });
    expect(planBracket(plan, { entry: partly, takeProfits: [undefined], stops: [stop], exits: [] }))
      .toEqual([{ kind: 'place_exit', generation: 0, side: 'sell', quantity: '0.4', limitPrice: '89.5' }]);
    expect(planBracket(plan, { entry: partly, takeProfits: [undefined], stops: [stop], exits: [leg('x0', { quantity: new Dec('0.4') })] })).toEqual([]);
  });
  it('a stop PATRIOT holds counts as triggered as soon as it triggered: the take-profits are cancelled then, the stop itself is left to go', () => {
    const held: BracketPlan = { ...plan, managedStop: true };
    const stop = leg('s0', { status: 'approved', stopPrice: new Dec('90'), stopLimit: true, triggered: true });
    expect(planBracket(held, { entry: filledEntry, takeProfits: [leg('tp', { status: 'armed' })], stops: [stop], exits: [] }))
      .toEqual([{ kind: 'cancel', clientOrderId: 'tp', reason: 'bracket: the stop-loss triggered' }]);
  });
  it('with order lists, each list\'s stop leg carries the stop-limit\'s limit', () => {
    const listed: BracketPlan = { ...plan, orderLists: true, breakEven: false };
    expect(planBracket(listed, { entry: filledEntry, takeProfits: [undefined], stops: [], exits: [], lists: [[]], legExits: [[]] }))
      .toEqual([{ kind: 'place_list', leg: 0, generation: 0, side: 'sell', quantity: '1', limitPrice: '110', stopPrice: '90', stopLimitPrice: '89.5' }]);
  });
});
