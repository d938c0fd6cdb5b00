import { Dec, ZERO } from '../shared/decimal.js';
import type { AnalyticsFill } from './round-trips.js';

/**
 * A deliberately naive recomputation for the property spec (not used by the server): fills are
 * replayed one quantity unit at a time through a queue of units, each unit exit paying back the
 * oldest unit entry; trips start when the queue is empty and end when it empties again.
 */
export interface RefTrip {
  key: string;
  side: 'long' | 'short';
  units: number;
  exitedUnits: number;
  entryNotional: Dec;
  exitNotional: Dec;
  realized: Dec;
  fees: Dec;
  other: Map<string, Dec>;
  openedAt: string;
  closedAt?: string;
  fills: number;
}

export interface RefFill {
  fill: AnalyticsFill;
  pnl: Dec;
  feeInQuote: Dec;
}

export function referenceLedger(fills: readonly AnalyticsFill[], unit: Dec): { trips: RefTrip[]; fills: RefFill[] } {
  const queues = new Map<string, { sign: 1 | -1; price: Dec }[]>();
  const current = new Map<string, RefTrip>();
  const trips: RefTrip[] = [];
  const out: RefFill[] = [];
  for (const f of fills) {
    const key = [f.accountId, f.strategyId, f.symbol].join('|');
    const quote = f.symbol.split(':')[0]!.split('/')[1];
    const feeInQuote = f.feeCurrency === quote ? f.fee : new Dec(0);
    const sign: 1 | -1 = f.side === 'buy' ? 1 : -1;
    const queue = queues.get(key) ?? [];
    queues.set(key, queue);
    const units = f.quantity.dividedBy(unit).toNumber();
    let charged: RefTrip | undefined = current.get(key);
    let realized = ZERO;
    const touched = new Set<RefTrip>();
    for (let u = 0; u < units; u++) {
      let trip = current.get(key);
      if (queue.length === 0 || queue[0]!.sign === sign) {
        if (trip === undefined) {
          trip = { key, side: sign === 1 ? 'long' : 'short', units: 0, exitedUnits: 0, entryNotional: ZERO, exitNotional: ZERO, realized: ZERO, fees: ZERO, other: new Map(), openedAt: f.filledAt, fills: 0 };
          current.set(key, trip);
          trips.push(trip);
          charged ??= trip;
        }
        queue.push({ sign, price: f.price });
        trip.units += 1;
        trip.entryNotional = trip.entryNotional.plus(f.price.times(unit));
      } else {
        const entry = queue.shift()!;
        const gain = f.price.minus(entry.price).times(unit).times(entry.sign);
        realized = realized.plus(gain);
        trip!.realized = trip!.realized.plus(gain);
        trip!.exitedUnits += 1;
        trip!.exitNotional = trip!.exitNotional.plus(f.price.times(unit));
        if (queue.length === 0) {
          trip!.closedAt = f.filledAt;
          touched.add(trip!);
          current.delete(key);
        }
      }
      touched.add(current.get(key) ?? trip!);
    }
    for (const t of touched) t.fills += 1;
    charged!.fees = charged!.fees.plus(feeInQuote);
    if (feeInQuote.isZero() && !f.fee.isZero()) charged!.other.set(f.feeCurrency, (charged!.other.get(f.feeCurrency) ?? ZERO).plus(f.fee));
    out.push({ fill: f, pnl: realized.minus(feeInQuote), feeInQuote });
  }
  return { trips, fills: out };
}
