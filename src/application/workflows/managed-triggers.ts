import type { AccountConfig } from '../../domain/accounts/account.js';
import type { OrderIntent } from '../../domain/events.js';
import { streams } from '../../domain/events.js';
import { stepTrigger, watchOf, type TriggerWatch } from '../../domain/orders/managed-trigger.js';
import { orderDecider, type OrderCommand } from '../../domain/orders/order-decider.js';
import { Dec, parseDec } from '../../domain/shared/decimal.js';
import { handleCommand } from '../commands/command-handler.js';
import type { AccountPrices } from '../ports/account-prices.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';
import type { Quote } from '../ports/market-data.js';
import { aggregateStream } from '../shared/aggregate-stream.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';

export interface ManagedTriggerDeps {
  readonly store: EventStore;
  /** serialises writers of one order stream (shared with the executor) */
  readonly streamMutex: KeyedMutex;
  readonly clock: Clock;
  readonly log: Logger;
  readonly prices: Pick<AccountPrices, 'onQuote' | 'follow' | 'quote' | 'venueOf'>;
  readonly account: (accountId: string) => AccountConfig | undefined;
  /** the market's price step on the account's exchange (a trail's trigger is rounded to it) */
  readonly tickSize: (accountId: string, symbol: string) => Dec | undefined;
  /** whether this node owns the account's order flow now */
  readonly owns: (accountId: string) => boolean;
  /** hands a triggered order to the executor, which sends it (as a market / limit order) */
  readonly send: (intent: OrderIntent) => void;
  /** a quote older than this (ms) is not acted on */
  readonly maxPriceAgeMs: number;
  /** a trailing stop's moves are recorded at most this often per order (ms; default 1000); it follows every price in between */
  readonly trailRecordMs?: number;
}

interface Watched {
  readonly intent: OrderIntent;
  readonly venue: string;
  watch: TriggerWatch;
  /** the trigger the log has (recorded trail moves) */
  recorded: Dec;
  recordedAt: number;
  busy: boolean;
  /** the newest quote that came while a record was being written */
  waiting?: Quote;
  /** a trail move held back by `trailRecordMs`, recorded when it passes */
  flush?: NodeJS.Timeout;
}

/**
 * PATRIOT-managed conditional orders (issue 17; ADR-0018 "native or managed"): on the node that
 * owns the account, each armed order is watched on the account's own exchange price. A trailing
 * stop follows the best price (its moves recorded at most once a second); once the price is at or
 * past the trigger, OrderTriggered is recorded (the decider checks the price against the trigger)
 * and the order goes to the executor, which sends it once like any approved order. A quote older
 * than `maxPriceAgeMs` is never acted on. A node that loses the account stops watching; the new
 * owner arms the order again from the log (with its last recorded trail).
 */
export class ManagedTriggers {
  private readonly watched = new Map<string, Watched>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: ManagedTriggerDeps) {}

  start(): void {
    this.unsubscribe ??= this.deps.prices.onQuote((venue, quote) => this.onQuote(venue, quote));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const w of this.watched.values()) clearTimeout(w.flush);
    const accounts = new Set([...this.watched.values()].map((w) => w.intent.accountId));
    this.watched.clear();
    for (const id of accounts) this.follow(id);
  }

  /** Watches an order approved as PATRIOT-managed (again and again: once). Reads its log: only an armed order is watched. */
  async arm(clientOrderId: string, accountId: string): Promise<void> {
    if (this.watched.has(clientOrderId) || !this.deps.owns(accountId)) return;
    const account = this.deps.account(accountId);
    const { state } = await aggregateStream(this.deps.store, streams.order(clientOrderId), orderDecider);
    const intent = state.intent;
    if (state.status !== 'armed' || !intent || !account || this.watched.has(clientOrderId)) return;
    const watch = watchOf(intent, state.trail);
    if (!watch) return;
    const entry: Watched = { intent, venue: this.deps.prices.venueOf(account), watch, recorded: watch.trigger, recordedAt: this.deps.clock.now(), busy: false };
    this.watched.set(clientOrderId, entry);
    this.follow(accountId);
    const quote = this.deps.prices.quote(account, intent.symbol);
    if (quote) this.consider(clientOrderId, entry, quote);
  }

  /** The account is no longer this node's: its orders are watched by the new owner. */
  dropAccount(accountId: string): void {
    for (const [id, w] of this.watched) {
      if (w.intent.accountId !== accountId) continue;
      clearTimeout(w.flush);
      this.watched.delete(id);
    }
    this.follow(accountId);
  }

  /** The orders watched now, with their triggers (for tests and the metrics). */
  armed(): { clientOrderId: string; trigger: string }[] {
    return [...this.watched].map(([clientOrderId, w]) => ({ clientOrderId, trigger: w.watch.trigger.toString() }));
  }

  private follow(accountId: string): void {
    const account = this.deps.account(accountId);
    if (!account) return;
    const symbols = new Set<string>();
    for (const w of this.watched.values()) if (w.intent.accountId === accountId) symbols.add(w.intent.symbol);
    this.deps.prices.follow(`managed-triggers:${accountId}`, account, [...symbols]);
  }

  private onQuote(venue: string, quote: Quote): void {
    for (const [id, w] of this.watched) if (w.venue === venue && w.intent.symbol === quote.symbol) this.consider(id, w, quote);
  }

  private consider(clientOrderId: string, w: Watched, quote: Quote): void {
    if (w.busy) {
      w.waiting = quote;
      return;
    }
    void this.evaluate(clientOrderId, w, quote).catch((error: unknown) =>
      this.deps.log.warn({ clientOrderId, reason: error instanceof Error ? error.message : String(error) }, 'a managed trigger could not be recorded; tried again on the next price'),
    ).finally(() => {
      w.busy = false;
      const next = w.waiting;
      w.waiting = undefined;
      if (next && this.watched.get(clientOrderId) === w) this.consider(clientOrderId, w, next);
    });
  }

  private async evaluate(clientOrderId: string, w: Watched, quote: Quote): Promise<void> {
    w.busy = true;
    const { accountId, symbol } = w.intent;
    if (!this.deps.owns(accountId)) {
      this.forget(clientOrderId, accountId);
      return;
    }
    const now = this.deps.clock.now();
    const price = parseDec(quote.price);
    if (!price || now - quote.receivedAt > this.deps.maxPriceAgeMs) return; // never on a stale price
    const step = stepTrigger(w.intent, w.watch, price, this.deps.tickSize(accountId, symbol) ?? new Dec(0));
    switch (step.kind) {
      case 'none':
        await this.recordTrail(clientOrderId, w); // a move held back, when its time has come
        return;
      case 'trail':
        w.watch = step.watch;
        await this.recordTrail(clientOrderId, w);
        return;
      case 'trigger': {
        w.watch = step.watch;
        const command: OrderCommand = {
          type: 'Trigger', trigger: step.watch.trigger, ...(step.watch.extreme ? { extreme: step.watch.extreme } : {}), price,
          source: quote.source, quotedAt: new Date(quote.exchangeTime ?? quote.receivedAt).toISOString(),
        };
        const recorded = await this.record(clientOrderId, command, `trigger:${clientOrderId}`);
        if (recorded === 'failed') return; // the log could not be written: the next price tries again
        this.forget(clientOrderId, accountId);
        if (recorded === 'recorded') {
          this.deps.log.info({ clientOrderId, trigger: step.watch.trigger.toString(), price: quote.price, source: quote.source }, 'managed trigger crossed; sending the order');
          this.deps.send(w.intent);
        }
        return;
      }
      default: {
        const never: never = step;
        return never;
      }
    }
  }

  /**
   * Records the trail's trigger when it moved since the last record, at most once per
   * `trailRecordMs` (the watch follows every price meanwhile); a move held back is recorded when
   * that time has passed, whether or not another price comes.
   */
  private async recordTrail(clientOrderId: string, w: Watched): Promise<void> {
    const { trigger, extreme } = w.watch;
    if (trigger.equals(w.recorded) || !extreme || w.flush) return;
    const wait = w.recordedAt + (this.deps.trailRecordMs ?? 1000) - this.deps.clock.now();
    if (wait > 0) {
      const flush = (): void => {
        w.flush = undefined;
        if (this.watched.get(clientOrderId) !== w) return;
        if (w.busy) {
          w.flush = setTimeout(flush, 50); // a price is being handled: after it
          w.flush.unref();
          return;
        }
        // through the latest price, like any price: the trail is recorded there, and a price that comes meanwhile waits its turn
        const account = this.deps.account(w.intent.accountId);
        const quote = account ? this.deps.prices.quote(account, w.intent.symbol) : undefined;
        if (quote) this.consider(clientOrderId, w, quote);
      };
      w.flush = setTimeout(flush, wait);
      w.flush.unref();
      return;
    }
    const recorded = await this.record(clientOrderId, { type: 'MoveTrail', trigger, extreme }, `trail:${clientOrderId}`);
    if (recorded === 'refused') this.forget(clientOrderId, w.intent.accountId);
    else if (recorded === 'recorded') {
      w.recorded = trigger;
      w.recordedAt = this.deps.clock.now();
    }
  }

  private forget(clientOrderId: string, accountId: string): void {
    clearTimeout(this.watched.get(clientOrderId)?.flush);
    if (this.watched.delete(clientOrderId)) this.follow(accountId);
  }

  /** 'recorded', 'refused' (the order is no longer armed: cancelled, triggered elsewhere), or 'failed' (the log could not be written). */
  private async record(clientOrderId: string, command: OrderCommand, causationId: string): Promise<'recorded' | 'refused' | 'failed'> {
    let result: Awaited<ReturnType<typeof handleCommand>>;
    try {
      result = await handleCommand(this.deps.store, this.deps.streamMutex, orderDecider, streams.order(clientOrderId), command, (history) => ({
        tenantId: history[0]?.metadata.tenantId ?? 'unknown',
        time: new Date(this.deps.clock.now()).toISOString(),
        ...(history[0]?.metadata.correlationId !== undefined ? { correlationId: history[0].metadata.correlationId } : {}),
        causationId,
      }));
    } catch (error) {
      this.deps.log.warn({ clientOrderId, reason: error instanceof Error ? error.message : String(error) }, 'recording a managed trigger failed; tried again on the next price');
      return 'failed';
    }
    if (result.ok) return result.value.events.length > 0 || command.type === 'MoveTrail' ? 'recorded' : 'refused';
    if (result.error.code === 'NOT_TRIGGERED' || result.error.code === 'TRIGGER_MISMATCH') {
      this.deps.log.warn({ clientOrderId, code: result.error.code, message: result.error.message }, 'managed trigger not recorded');
      return 'failed';
    }
    return 'refused';
  }
}
