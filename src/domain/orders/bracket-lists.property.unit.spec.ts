import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planBracket, type BracketAction, type BracketFacts, type BracketPlan, type LegFacts, type ListPairFacts } from './bracket.js';
import { isTerminal, orderDecider, type OrderCommand, type OrderState } from './order-decider.js';
import type { OrderIntent } from '../events.js';
import { Dec, ZERO, dec } from '../shared/decimal.js';

/**
 * Brackets on an exchange with native one-cancels-other lists (issue 17; Binance spot), over random
 * price paths, entries filled at once or piece by piece, and random orderings of fills, PATRIOT's
 * reactions and cancel deliveries. The exchange model behaves like Binance spot: every resting
 * sell holds its base (a list holds it once; a resting stop holds it too), a list is refused when
 * its prices do not straddle the market, any fill of a list's limit expires its stop, a triggered
 * stop expires its limit and sells at market, cancelling one leg cancels both.
 * - the position never goes negative, and nothing PATRIOT sends is ever refused for the balance;
 * - once quiet, PATRIOT's record of every order equals the exchange's;
 * - once quiet, what is held is covered exactly: each working list's stop covers its limit's rest,
 *   and together they cover the position; with nothing held, nothing works.
 */

type ExStatus = 'open' | 'filled' | 'cancelled' | 'expired' | 'refused';
type Kind = 'entry' | 'limit' | 'stop' | 'list_stop' | 'exit';
interface ExOrder { id: string; kind: Kind; qty: Dec; filled: Dec; price: Dec; status: ExStatus; fills: { id: string; qty: Dec }[]; sibling?: string; refusal?: string }

const ENTRY = dec('1');
const ENTRY_PRICE = dec('100');
const STEP = '0.01';

function intentOf(id: string, type: OrderIntent['type'], quantity: string, prices: { limitPrice?: string; stopPrice?: string }): OrderIntent {
  return { clientOrderId: id, accountId: 'a', strategyId: 's', signalId: 'sig', symbol: 'BTC/USDT', side: 'sell', type, quantity, referencePrice: '100', reduceOnly: true, ...prices };
}

class ListWorld {
  readonly exchange = new Map<string, ExOrder>();
  readonly patriot = new Map<string, OrderState>();
  readonly pendingCancels: string[] = [];
  readonly balanceRefusals: string[] = [];
  private readonly told = new Map<string, { fills: number; status: ExStatus }>();
  private tradeSeq = 0;
  price = ENTRY_PRICE;

  constructor(readonly plan: BracketPlan, readonly partial: boolean) {
    this.record('entry', [
      { type: 'Approve', intent: { ...intentOf('entry', partial ? 'limit' : 'market', '1', partial ? { limitPrice: '100' } : {}), side: 'buy', reduceOnly: false } },
      { type: 'RecordSubmitted' }, { type: 'RecordAccepted', exchangeOrderId: 'entry' },
      ...(partial ? [] : [{ type: 'RecordFill' as const, tradeId: 't0', exchangeOrderId: 'entry', quantity: ENTRY, price: ENTRY_PRICE, fee: ZERO, feeCurrency: 'USDT', liquidity: 'taker' as const, filledAt: 'x' }]),
    ]);
    if (partial) this.exchange.set('entry', { id: 'entry', kind: 'entry', qty: ENTRY, filled: ZERO, price: ENTRY_PRICE, status: 'open', fills: [] });
  }

  entered(): Dec {
    return this.partial ? this.exchange.get('entry')!.filled : ENTRY;
  }

  entryOpen(): boolean {
    return this.partial && this.exchange.get('entry')!.status === 'open';
  }

  fillEntry(tenths: number): void {
    const entry = this.exchange.get('entry');
    if (!entry || entry.status !== 'open') return;
    const open = entry.qty.minus(entry.filled);
    const part = open.times(tenths).dividedBy(10).dividedToIntegerBy(STEP).times(STEP);
    this.fill(entry, part.greaterThan(0) ? part : open);
  }

  record(id: string, commands: OrderCommand[]): void {
    let state = this.patriot.get(id) ?? orderDecider.initialState();
    for (const c of commands) {
      const decided = orderDecider.decide(c, state);
      if (!decided.ok) continue;
      for (const e of decided.value) state = orderDecider.evolve(state, e);
    }
    this.patriot.set(id, state);
  }

  position(): Dec {
    let p = this.entered();
    for (const o of this.exchange.values()) if (o.kind !== 'entry') p = p.minus(o.filled);
    return p;
  }

  /** base held by resting sells: limits (a list's limit holds for the list) and standalone stops */
  private held(except?: ExOrder): Dec {
    let held = ZERO;
    for (const o of this.exchange.values()) {
      if (o === except || o.status !== 'open') continue;
      if (o.kind === 'limit' || o.kind === 'stop') held = held.plus(o.qty.minus(o.filled));
    }
    return held;
  }

  private available(except?: ExOrder): Dec {
    return this.position().minus(this.held(except));
  }

  private fill(o: ExOrder, qty: Dec): void {
    o.filled = o.filled.plus(qty);
    o.fills.push({ id: `t${++this.tradeSeq}`, qty });
    if (o.filled.equals(o.qty)) o.status = 'filled';
  }

  move(price: Dec, half: boolean): void {
    this.price = price;
    for (const o of this.exchange.values()) {
      if (o.status !== 'open') continue;
      if (o.kind === 'limit' && price.greaterThanOrEqualTo(o.price)) {
        const open = o.qty.minus(o.filled);
        const part = half ? open.dividedBy(2).dividedToIntegerBy(STEP).times(STEP) : open;
        this.fill(o, part.greaterThan(0) ? part : open);
        const stop = this.exchange.get(o.sibling!)!;
        if (stop.status === 'open') stop.status = 'expired';
      } else if ((o.kind === 'list_stop' || o.kind === 'stop') && price.lessThanOrEqualTo(o.price)) {
        if (o.kind === 'list_stop') {
          const limit = this.exchange.get(o.sibling!)!;
          if (limit.status === 'open') limit.status = 'expired';
        }
        const open = o.qty.minus(o.filled);
        if (this.available(o).lessThan(open)) o.status = 'expired';
        else this.fill(o, open);
      }
    }
  }

  deliverCancels(): void {
    for (const id of this.pendingCancels.splice(0)) {
      const o = this.exchange.get(id);
      if (!o || o.status !== 'open') continue;
      o.status = 'cancelled';
      const sibling = o.sibling !== undefined ? this.exchange.get(o.sibling) : undefined;
      if (sibling && sibling.status === 'open') sibling.status = 'cancelled';
    }
  }

  sync(): void {
    for (const o of this.exchange.values()) {
      if (o.status === 'refused') continue;
      const told = this.told.get(o.id) ?? { fills: 0, status: 'open' as ExStatus };
      const commands: OrderCommand[] = o.fills.slice(told.fills).map((f) => ({
        type: 'RecordFill', tradeId: f.id, exchangeOrderId: o.id, quantity: f.qty, price: this.price, fee: ZERO, feeCurrency: 'USDT', liquidity: 'maker', filledAt: 'x',
      }));
      if (o.status === 'cancelled') commands.push({ type: 'RecordCancelled', reason: 'cancelled on the exchange' });
      if (o.status === 'expired') commands.push({ type: 'RecordExpired' });
      this.record(o.id, commands);
      this.told.set(o.id, { fills: o.fills.length, status: o.status });
    }
  }

  private leg(id: string): LegFacts | undefined {
    const s = this.patriot.get(id);
    if (!s || s.status === 'none') return undefined;
    return {
      clientOrderId: id, status: s.status, quantity: s.quantity, filled: s.filledQuantity, cancelRequested: s.cancelRequest !== undefined,
      ...(s.intent?.stopPrice ? { stopPrice: new Dec(s.intent.stopPrice) } : {}), ...(s.exchangeRejection ? { rejection: s.exchangeRejection.code } : {}),
    };
  }

  private generations(prefix: string): LegFacts[] {
    const found: LegFacts[] = [];
    for (let g = 0; this.leg(`${prefix}${g}`); g++) found.push(this.leg(`${prefix}${g}`)!);
    return found;
  }

  facts(): BracketFacts {
    const entry = this.patriot.get('entry')!;
    const lists = this.plan.takeProfits.map((_, i) => {
      const pairs: ListPairFacts[] = [];
      for (let g = 0; this.leg(`L${i}_${g}`); g++) pairs.push({ limit: this.leg(`L${i}_${g}`)!, stop: this.leg(`S${i}_${g}`)! });
      return pairs;
    });
    return {
      entry: { status: entry.status, filled: entry.filledQuantity, averagePrice: ENTRY_PRICE, clientOrderId: 'entry', cancelRequested: entry.cancelRequest !== undefined },
      takeProfits: this.plan.takeProfits.map(() => undefined), stops: this.generations('stop'), exits: this.generations('exit'),
      lists, legExits: this.plan.takeProfits.map((_, i) => this.generations(`X${i}_`)),
    };
  }

  private refuse(id: string, code: string): void {
    this.record(id, [{ type: 'RecordExchangeRejected', code, reason: code }]);
    if (code === 'INSUFFICIENT_BALANCE') this.balanceRefusals.push(id);
  }

  private marketExit(id: string, quantity: string): void {
    this.record(id, [{ type: 'Approve', intent: intentOf(id, 'market', quantity, {}) }, { type: 'RecordSubmitted' }, { type: 'RecordAccepted', exchangeOrderId: id }]);
    const o: ExOrder = { id, kind: 'exit', qty: new Dec(quantity), filled: ZERO, price: this.price, status: 'open', fills: [] };
    this.exchange.set(id, o);
    if (this.available().lessThan(o.qty)) o.status = 'expired';
    else this.fill(o, o.qty);
  }

  react(): BracketAction[] {
    const actions = planBracket(this.plan, this.facts());
    for (const a of actions) {
      switch (a.kind) {
        case 'cancel':
          this.record(a.clientOrderId, [{ type: 'RequestCancel', by: 'bracket', reason: a.reason }]);
          this.pendingCancels.push(a.clientOrderId);
          break;
        case 'place_exit':
          this.marketExit(`exit${a.generation}`, a.quantity);
          break;
        case 'place_leg_exit':
          this.marketExit(`X${a.leg}_${a.generation}`, a.quantity);
          break;
        case 'place_stop': {
          const id = `stop${a.generation}`;
          this.record(id, [{ type: 'Approve', intent: intentOf(id, 'stop_market', a.quantity, { stopPrice: a.stopPrice }) }, { type: 'RecordSubmitted' }]);
          const qty = new Dec(a.quantity);
          if (this.price.lessThanOrEqualTo(a.stopPrice)) { this.refuse(id, 'WOULD_TRIGGER_IMMEDIATELY'); break; }
          if (this.available().lessThan(qty)) { this.refuse(id, 'INSUFFICIENT_BALANCE'); break; }
          this.record(id, [{ type: 'RecordAccepted', exchangeOrderId: id }]);
          this.exchange.set(id, { id, kind: 'stop', qty, filled: ZERO, price: new Dec(a.stopPrice), status: 'open', fills: [] });
          break;
        }
        case 'place_list': {
          const limitId = `L${a.leg}_${a.generation}`;
          const stopId = `S${a.leg}_${a.generation}`;
          this.record(limitId, [{ type: 'Approve', intent: intentOf(limitId, 'limit', a.quantity, { limitPrice: a.limitPrice }) }, { type: 'RecordSubmitted' }]);
          this.record(stopId, [{ type: 'Approve', intent: intentOf(stopId, 'stop_market', a.quantity, { stopPrice: a.stopPrice }) }, { type: 'RecordSubmitted' }]);
          const qty = new Dec(a.quantity);
          const code = !(this.price.lessThan(a.limitPrice) && this.price.greaterThan(a.stopPrice)) ? 'OCO_PRICES_WRONG_SIDE' : this.available().lessThan(qty) ? 'INSUFFICIENT_BALANCE' : undefined;
          if (code !== undefined) {
            this.refuse(limitId, code);
            this.refuse(stopId, code);
            break;
          }
          this.record(limitId, [{ type: 'RecordAccepted', exchangeOrderId: limitId }]);
          this.record(stopId, [{ type: 'RecordAccepted', exchangeOrderId: stopId }]);
          this.exchange.set(limitId, { id: limitId, kind: 'limit', qty, filled: ZERO, price: new Dec(a.limitPrice), status: 'open', fills: [], sibling: stopId });
          this.exchange.set(stopId, { id: stopId, kind: 'list_stop', qty, filled: ZERO, price: new Dec(a.stopPrice), status: 'open', fills: [], sibling: limitId });
          break;
        }
        case 'place_take_profit':
          throw new Error('a bracket with order lists placed a lone take-profit');
      }
    }
    return actions;
  }

  settle(): void {
    for (let round = 0; round < 80; round++) {
      this.deliverCancels();
      this.sync();
      if (this.react().length === 0 && this.pendingCancels.length === 0) return;
    }
    throw new Error('the bracket never settled');
  }
}

const step = fc.oneof(
  fc.record({ kind: fc.constant('move' as const), price: fc.integer({ min: 90, max: 112 }), half: fc.boolean() }),
  fc.record({ kind: fc.constant('entry' as const), tenths: fc.integer({ min: 1, max: 10 }) }),
  fc.constant({ kind: 'react' as const }),
  fc.constant({ kind: 'sync' as const }),
  fc.constant({ kind: 'cancels' as const }),
);

const plans = fc.record({
  levels: fc.constantFrom<[string, string][]>([['105', '1']], [['104', '0.5'], ['108', '0.5']], [['103', '0.3'], ['106', '0.3'], ['109', '0.4']]),
  stop: fc.constantFrom('95', '97'),
  breakEven: fc.boolean(),
});

describe('brackets with native one-cancels-other lists (property)', () => {
  it('over random price paths, entries filled at once or piece by piece, and fill/cancel orderings: nothing is refused for the balance, the position never goes negative; once quiet, PATRIOT equals the exchange and the lists cover exactly what is held', () => {
    fc.assert(
      fc.property(plans, fc.boolean(), fc.array(step, { maxLength: 40 }), ({ levels, stop, breakEven }, partial, steps) => {
        const plan: BracketPlan = { entrySide: 'buy', takeProfits: levels.map(([price, fraction]) => ({ price, fraction })), stopLoss: stop, breakEven, stepSize: STEP, tickSize: '0.01', orderLists: true };
        const world = new ListWorld(plan, partial);
        world.react();
        for (const s of steps) {
          if (s.kind === 'move') world.move(new Dec(s.price), s.half);
          else if (s.kind === 'entry') world.fillEntry(s.tenths);
          else if (s.kind === 'react') world.react();
          else if (s.kind === 'sync') world.sync();
          else world.deliverCancels();
          expect(world.position().isNegative(), 'exits exceeded the entry').toBe(false);
        }
        world.settle();
        expect(world.balanceRefusals, 'refused for the balance').toEqual([]);
        expect(world.position().isNegative()).toBe(false);
        for (const o of world.exchange.values()) {
          const mine = world.patriot.get(o.id)!;
          expect(mine.filledQuantity.toString(), `${o.id} filled`).toBe(o.filled.toString());
          const agrees = o.status === 'open' ? !isTerminal(mine.status) : mine.status === o.status;
          expect(agrees, `${o.id}: PATRIOT ${mine.status}, exchange ${o.status}`).toBe(true);
        }
        const working = [...world.exchange.values()].filter((o) => o.status === 'open' && o.kind !== 'entry');
        const held = world.position();
        if (world.entryOpen()) {
          expect(working.filter((o) => o.kind === 'limit' || o.kind === 'list_stop'), 'a list before the entry ended').toEqual([]);
          const openStop = working.filter((o) => o.kind === 'stop').reduce((sum, o) => sum.plus(o.qty.minus(o.filled)), ZERO);
          if (held.greaterThan(0)) expect(openStop.times(2).greaterThanOrEqualTo(held) && openStop.lessThanOrEqualTo(held), `stop ${openStop.toString()} for ${held.toString()} held`).toBe(true);
          return;
        }
        if (held.isZero()) {
          expect(working, 'orders working with nothing held').toEqual([]);
          return;
        }
        expect(working.filter((o) => o.kind === 'stop'), 'a standalone stop beside the lists').toEqual([]);
        for (const limit of working.filter((o) => o.kind === 'limit')) {
          const stopLeg = world.exchange.get(limit.sibling!)!;
          expect(stopLeg.status, `${limit.id} works without its stop`).toBe('open');
          expect(stopLeg.qty.minus(stopLeg.filled).toString(), `${stopLeg.id} covers ${limit.id}`).toBe(limit.qty.minus(limit.filled).toString());
        }
        const covered = working.filter((o) => o.kind === 'list_stop').reduce((sum, o) => sum.plus(o.qty.minus(o.filled)), ZERO);
        expect(covered.toString(), 'the lists cover what is held').toBe(held.toString());
      }),
      { numRuns: 400 },
    );
  });
});
