/**
 * Merging what two WebSocket connections and the REST poller observe into one quote per symbol:
 * deduplicated and never going back in time (pure; no clock, no I/O).
 */
import type { Quote } from '../../application/ports/market-data.js';
import { Dec, decToString } from '../../domain/shared/decimal.js';

/**
 * One thing seen about a symbol: a best bid/ask update (`book`), a trade (`trade`) or a REST
 * ticker (`snapshot`: bid, ask and last together). Prices are canonical decimal strings.
 */
export interface Observation {
  readonly symbol: string;
  readonly kind: 'book' | 'trade' | 'snapshot';
  /** e.g. "binance:spot:ws-a" */
  readonly source: string;
  readonly receivedAt: number;
  /** the exchange's own time of the event, when it gave one */
  readonly exchangeTime?: number;
  /** the exchange's ordering key within the kind: the book update id, the trade id */
  readonly seq?: string;
  readonly bid?: string;
  readonly ask?: string;
  readonly last?: string;
}

/** The merge state of one symbol: the quote published last and what it was built from. */
export interface HeldQuote {
  readonly quote: Quote;
  /** the newest exchange time accepted, of any kind */
  readonly exchangeTime?: number;
  readonly bookSeq?: string;
  readonly tradeSeq?: string;
  readonly bid?: string;
  readonly ask?: string;
  readonly last?: string;
}

/**
 * The new state when `obs` brings something new, `undefined` when it is a duplicate or older than
 * what is held. Rules, in order:
 * 1. an exchange time older than the newest held one is dropped;
 * 2. an equal exchange time from another source is a duplicate (dropped) unless both carry an
 *    ordering key of the same kind, which then decides; from the same source it counts when its
 *    content differs;
 * 3. an ordering key (book update id, trade id) not above the held one of its kind is dropped;
 * 4. with no time and no key to compare, an update equal in content to the held one is dropped.
 */
export function mergeObservation(held: HeldQuote | undefined, obs: Observation): HeldQuote | undefined {
  if (obs.bid === undefined && obs.ask === undefined && obs.last === undefined) return undefined;
  if (held === undefined) return build(undefined, obs);
  const heldSeq = obs.kind === 'book' ? held.bookSeq : obs.kind === 'trade' ? held.tradeSeq : undefined;
  const seqOrder = obs.seq !== undefined && heldSeq !== undefined ? compareSeq(obs.seq, heldSeq) : undefined;
  if (obs.exchangeTime !== undefined && held.exchangeTime !== undefined) {
    if (obs.exchangeTime < held.exchangeTime) return undefined;
    if (obs.exchangeTime === held.exchangeTime && seqOrder === undefined) {
      if (obs.source !== held.quote.source) return undefined;
      return sameContent(held, obs) ? undefined : build(held, obs);
    }
  }
  if (seqOrder !== undefined) return seqOrder > 0 ? build(held, obs) : undefined;
  const newerTime = obs.exchangeTime !== undefined && (held.exchangeTime === undefined || obs.exchangeTime > held.exchangeTime);
  if (!newerTime && sameContent(held, obs)) return undefined;
  return build(held, obs);
}

/**
 * Whether a dropped observation still confirms the held quote is current: the same content, not
 * older by the exchange's time. A quiet market re-sending its unchanged book is not a stale one:
 * the quote's age then counts from this confirmation.
 */
export function confirms(held: HeldQuote, obs: Observation): boolean {
  if (obs.exchangeTime !== undefined && held.exchangeTime !== undefined && obs.exchangeTime < held.exchangeTime) return false;
  return sameContent(held, obs);
}

/**
 * Orders two keys when both are non-negative integers (any length: Binance ids outgrow 2^53 in
 * string form); `undefined` when they cannot be ordered (then they are not used).
 */
export function compareSeq(a: string, b: string): number | undefined {
  if (!DIGITS.test(a) || !DIGITS.test(b)) return a === b ? 0 : undefined;
  const x = stripZeros(a);
  const y = stripZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The price of a quote: the last trade while it lies within the best bid and ask (a trade outside
 * them has been overtaken by the book), else the mid of bid and ask, else whichever side is known.
 */
export function quotePrice(bid: string | undefined, ask: string | undefined, last: string | undefined): string | undefined {
  if (bid === undefined || ask === undefined) return last ?? bid ?? ask;
  if (last !== undefined) {
    // a range check: binary doubles of the decimal strings are precise enough for it
    const l = Number(last);
    if (l >= Number(bid) && l <= Number(ask)) return last;
  }
  return decToString(new Dec(bid).plus(ask).dividedBy(2));
}

const DIGITS = /^\d+$/;

function stripZeros(text: string): string {
  const stripped = text.replace(/^0+/, '');
  return stripped.length === 0 ? '0' : stripped;
}

function sameContent(held: HeldQuote, obs: Observation): boolean {
  switch (obs.kind) {
    case 'book':
      return obs.bid === held.bid && obs.ask === held.ask;
    case 'trade':
      return obs.last === held.last;
    case 'snapshot':
      return (obs.bid ?? held.bid) === held.bid && (obs.ask ?? held.ask) === held.ask && (obs.last ?? held.last) === held.last;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// hot path (every accepted update): plain assignments, no spreads
function build(held: HeldQuote | undefined, obs: Observation): HeldQuote | undefined {
  const isBook = obs.kind !== 'trade';
  const isLast = obs.kind !== 'book';
  const bid = isBook ? (obs.bid ?? held?.bid) : held?.bid;
  const ask = isBook ? (obs.ask ?? held?.ask) : held?.ask;
  const last = isLast ? (obs.last ?? held?.last) : held?.last;
  const price = quotePrice(bid, ask, last);
  if (price === undefined) return undefined;
  const quote: Mutable<Quote> = { symbol: obs.symbol, price, source: obs.source, receivedAt: obs.receivedAt };
  if (bid !== undefined) quote.bid = bid;
  if (ask !== undefined) quote.ask = ask;
  if (obs.exchangeTime !== undefined) quote.exchangeTime = obs.exchangeTime;
  return {
    quote,
    exchangeTime: maxDefined(held?.exchangeTime, obs.exchangeTime),
    bookSeq: obs.kind === 'book' ? (obs.seq ?? held?.bookSeq) : held?.bookSeq,
    tradeSeq: obs.kind === 'trade' ? (obs.seq ?? held?.tradeSeq) : held?.tradeSeq,
    bid,
    ask,
    last,
  };
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
