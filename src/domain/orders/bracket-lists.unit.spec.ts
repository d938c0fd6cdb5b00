import { describe, expect, it } from 'vitest';
import { planBracket, type BracketFacts, type BracketPlan, type LegFacts } from './bracket.js';
import { Dec, ZERO } from '../shared/decimal.js';

const plan: BracketPlan = {
  entrySide: 'buy', takeProfits: [{ price: '110', fraction: '0.5' }, { price: '120', fraction: '0.5' }], stopLoss: '90', breakEven: false, stepSize: '0.01', tickSize: '0.01', orderLists: true,
};
const leg = (id: string, over: Partial<LegFacts> = {}): LegFacts => ({ clientOrderId: id, status: 'accepted', quantity: new Dec('0.5'), filled: ZERO, cancelRequested: false, stopPrice: new Dec('90'), ...over });
const filledEntry = { status: 'filled' as const, filled: new Dec('1'), averagePrice: new Dec('100'), clientOrderId: 'entry' };
const given = (over: Partial<BracketFacts>): BracketFacts => ({ entry: filledEntry, takeProfits: [undefined, undefined], stops: [], exits: [], lists: [[], []], legExits: [[], []], ...over });
const pair = (i: number, g: number, limit: Partial<LegFacts> = {}, stop: Partial<LegFacts> = {}) => ({ limit: leg(`L${i}${g}`, { stopPrice: undefined, ...limit } as Partial<LegFacts>), stop: leg(`S${i}${g}`, stop) });

describe('a bracket on an exchange with one-cancels-other lists (issue 17)', () => {
  it('once the entry filled: one list per take-profit leg, each with its share of the stop', () => {
    expect(planBracket(plan, given({}))).toEqual([
      { kind: 'place_list', leg: 0, generation: 0, side: 'sell', quantity: '0.5', limitPrice: '110', stopPrice: '90' },
      { kind: 'place_list', leg: 1, generation: 0, side: 'sell', quantity: '0.5', limitPrice: '120', stopPrice: '90' },
    ]);
  });
  it('a standalone stop that protected a partly filled entry is cancelled first; the lists wait until it is final (a venue that locks the base would refuse them)', () => {
    const standalone = leg('s0', { quantity: new Dec('0.6') });
    expect(planBracket(plan, given({ stops: [standalone] }))).toEqual([{ kind: 'cancel', clientOrderId: 's0', reason: 'bracket: the stop-loss moves into one-cancels-other lists' }]);
    expect(planBracket(plan, given({ stops: [{ ...standalone, cancelRequested: true }] }))).toEqual([]);
    expect(planBracket(plan, given({ stops: [{ ...standalone, status: 'cancelled' }] })).map((a) => a.kind)).toEqual(['place_list', 'place_list']);
  });
  it('the exchange ends the sibling: a take-profit filled (its stop expired) or a stop filled (its limit expired) leaves nothing to do for that leg', () => {
    const tpDone = pair(0, 0, { status: 'filled', filled: new Dec('0.5') }, { status: 'expired' });
    const stopDone = pair(1, 0, { status: 'expired' }, { status: 'filled', filled: new Dec('0.5') });
    expect(planBracket(plan, given({ lists: [[tpDone], [stopDone]] }))).toEqual([]);
  });
  it('a take-profit filled in part leaves the rest without its stop: the rest is cancelled, then paired again', () => {
    const part = pair(0, 0, { status: 'partially_filled', filled: new Dec('0.2') }, { status: 'expired' });
    const other = pair(1, 0);
    expect(planBracket(plan, given({ lists: [[part], [other]] }))).toEqual([{ kind: 'cancel', clientOrderId: 'L00', reason: 'bracket: the rest of a take-profit filled in part is paired with a stop again' }]);
    const ended = pair(0, 0, { status: 'cancelled', filled: new Dec('0.2') }, { status: 'expired' });
    expect(planBracket(plan, given({ lists: [[ended], [other]] }))).toEqual([{ kind: 'place_list', leg: 0, generation: 1, side: 'sell', quantity: '0.3', limitPrice: '110', stopPrice: '90' }]);
  });
  it('break-even: once a take-profit filled, the other lists are cancelled (both legs) and placed again with the stop at the entry price', () => {
    const be = { ...plan, breakEven: true };
    const tpDone = pair(0, 0, { status: 'filled', filled: new Dec('0.5') }, { status: 'expired' });
    expect(planBracket(be, given({ lists: [[tpDone], [pair(1, 0)]] }))).toEqual([
      { kind: 'cancel', clientOrderId: 'L10', reason: 'bracket: the stop-loss moves to break-even' },
      { kind: 'cancel', clientOrderId: 'S10', reason: 'bracket: the stop-loss moves to break-even' },
    ]);
    const cancelled = pair(1, 0, { status: 'cancelled' }, { status: 'cancelled' });
    expect(planBracket(be, given({ lists: [[tpDone], [cancelled]] }))).toEqual([{ kind: 'place_list', leg: 1, generation: 1, side: 'sell', quantity: '0.5', limitPrice: '120', stopPrice: '100' }]);
  });
  it('a list refused because the market is past one of its prices: that leg\'s share leaves at market; a list never placed is placed again; another refusal is not chased', () => {
    const refused = (code: string) => pair(0, 0, { status: 'exchange_rejected', rejection: code }, { status: 'exchange_rejected', rejection: code });
    expect(planBracket(plan, given({ lists: [[refused('OCO_PRICES_WRONG_SIDE')], [pair(1, 0)]] }))).toEqual([{ kind: 'place_leg_exit', leg: 0, generation: 0, side: 'sell', quantity: '0.5' }]);
    expect(planBracket(plan, given({ lists: [[refused('NOT_PLACED')], [pair(1, 0)]] }))).toEqual([{ kind: 'place_list', leg: 0, generation: 1, side: 'sell', quantity: '0.5', limitPrice: '110', stopPrice: '90' }]);
    expect(planBracket(plan, given({ lists: [[refused('INSUFFICIENT_BALANCE')], [pair(1, 0)]] }))).toEqual([]);
    const exited = leg('X00', { status: 'filled', filled: new Dec('0.5') });
    expect(planBracket(plan, given({ lists: [[refused('OCO_PRICES_WRONG_SIDE')], [pair(1, 0)]], legExits: [[exited], []] }))).toEqual([]);
  });
  it('a leg cancelled by the trader ends the management; once nothing is held, what still works is cancelled', () => {
    const withdrawn = pair(0, 0, { status: 'cancelled', cancelledByOthers: true }, { status: 'cancelled' });
    expect(planBracket(plan, given({ lists: [[withdrawn], [pair(1, 0)]] }))).toEqual([]);
  });
  it('without a stop-loss a bracket is managed by PATRIOT even where lists exist (a list needs both legs)', () => {
    const noStop: BracketPlan = { ...plan, stopLoss: undefined };
    expect(planBracket(noStop, given({})).map((a) => a.kind)).toEqual(['place_take_profit', 'place_take_profit']);
  });
});
