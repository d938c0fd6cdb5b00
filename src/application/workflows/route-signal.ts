import type { EventOf, OrderIntent, PatriotEvent, RiskReason } from '../../domain/events.js';
import type { StrategyAccountLink, StrategyConfig } from '../../domain/strategies/strategy.js';
import type { AccountConfig } from '../../domain/accounts/account.js';
import type { MarketRules } from '../../domain/sizing/size-order.js';
import { sizeOrder } from '../../domain/sizing/size-order.js';
import type { SizingBasis } from '../../domain/sizing/sizing-modes.js';
import { limitPriceWithRequest } from '../../domain/orders/limit-price.js';
import { conditionalPrices } from '../../domain/orders/conditional-intent.js';
import { heldNatively, type NativeTriggerSupport } from '../../domain/orders/native-triggers.js';
import { bracketPlanFor } from '../../domain/orders/bracket-spec.js';
import type { BracketPlan } from '../../domain/orders/bracket.js';
import { checkRisk } from '../../domain/risk/check-risk.js';
import { checkCooldown, checkStrategyDailyLoss } from '../../domain/risk/cooldown.js';
import { checkTradesPerDay, utcDay, type TradesToday } from '../../domain/risk/trade-limits.js';
import { orderDecider } from '../../domain/orders/order-decider.js';
import { signalDecider } from '../../domain/signals/signal-decider.js';
import { fold } from '../../domain/shared/decider.js';
import { Dec, decToString, parseDec } from '../../domain/shared/decimal.js';

/** What routing needs to know about one account at decision time. */
export interface AccountSnapshot {
  readonly config: AccountConfig;
  /** the account's signed position in a symbol (all strategies) */
  readonly positionQuantity: (symbol: string) => Dec;
  /**
   * The signed quantity the account's market orders of signals approved and not final yet will
   * still fill, in a symbol (one strategy's, or all): a close or a target routed before an earlier
   * one filled counts it as done, so two alerts never both act on the old position.
   */
  readonly inFlightQuantity: (symbol: string, strategyId?: string) => Dec;
  /** one strategy's own signed position in a symbol on this account (from its fills) */
  readonly strategyPositionQuantity: (strategyId: string, symbol: string) => Dec;
  /** equity and quote balance at these prices, for percent and risk sizing (ADR-0019) */
  readonly sizingBasis: (mark: (symbol: string) => Dec | undefined) => SizingBasis;
  readonly openOrders: number;
  readonly killSwitch: boolean;
}

/** A market of one account's exchange, as routing sees it. */
export interface ListedMarket extends MarketRules, NativeTriggerSupport {
  /** 'halted': listed but not trading now */
  readonly status?: 'trading' | 'halted';
}

/** A price of one account's exchange at decision time. */
export interface MarkPrice {
  readonly price: Dec;
  /** ms since it arrived */
  readonly ageMs: number;
  readonly source: string;
}

export interface RoutingContext {
  readonly account: (accountId: string) => AccountSnapshot | undefined;
  /** the account's exchange's markets: undefined while its list is not known yet */
  readonly markets: (accountId: string) => ReadonlyMap<string, ListedMarket> | undefined;
  /** the account's exchange, for messages ("binance", "the paper exchange") */
  readonly venueName: (accountId: string) => string;
  /** the latest price of a symbol on the account's own exchange */
  readonly markPrice: (accountId: string, symbol: string) => MarkPrice | undefined;
  /** a price older than this (ms) is stale: nothing is decided on it */
  readonly maxPriceAgeMs: number;
  readonly globalKillSwitch: boolean;
  readonly clientOrderId: (accountId: string, leg: number) => string;
  /** orders approved on a UTC day that opened or added to a position (ADR-0019); absent: not counted */
  readonly tradesOn?: (day: string, accountId: string, strategyId: string) => TradesToday;
  /** whether the account's exchange trails a stop by a price distance natively (issue 17); absent: it does not */
  readonly trailsByDistance?: (accountId: string) => boolean;
  /** whether the account's exchange holds one-cancels-other lists natively (issue 17): a bracket with a stop and take-profits then uses them */
  readonly placesOrderLists?: (accountId: string) => boolean;
  /** the strategy's losing trades in a row (ADR-0019); absent: no cooldown */
  readonly lossStreak?: (strategyId: string) => { readonly losses: number; readonly lastLossAt?: string };
  /** the strategy's loss on a UTC day, realised and unrealised at these prices (ADR-0019); absent: no strategy loss limit */
  readonly strategyDayLoss?: (strategyId: string, day: string, mark: (accountId: string, symbol: string) => Dec | undefined) => Dec;
}

export interface RoutedOrder {
  readonly intent: OrderIntent;
  readonly event: PatriotEvent & { type: 'OrderApproved' | 'OrderRejected' };
}

export interface RoutingDecision {
  readonly orders: readonly RoutedOrder[];
  readonly processed: PatriotEvent & { type: 'SignalProcessed' };
}

/**
 * A close that names one account (the positions API, the dashboard's close button, the kill
 * switch's flatten) closes the strategy's whole position there: the link's order template is
 * kept, but not its sizing (a percent_of_position strategy's alert closes its percent; a close
 * asked by hand or by the kill switch closes everything), and a strategy no longer linked to the
 * account still closes what it holds there (else a flatten would leave it open).
 */
function namedCloseLink(strategy: StrategyConfig, accountId: string): StrategyAccountLink {
  const link = strategy.accounts.find((l) => l.accountId === accountId);
  return { accountId, orderTemplate: link?.orderTemplate ?? { type: 'market' }, sizing: { kind: 'signal_quantity', multiplier: '1' } };
}

/**
 * Fans one accepted signal out to the strategy's accounts: per account it sizes the order,
 * prices it, runs the pre-trade risk checks and decides OrderApproved or OrderRejected,
 * then decides SignalProcessed. Pure: every input is given.
 */
export function routeSignal(received: EventOf<'SignalReceived'>, strategy: StrategyConfig, ctx: RoutingContext): RoutingDecision {
  const { signalId, signal } = received.data;
  const orders: RoutedOrder[] = [];
  const skipped: { accountId: string; code: string; message: string }[] = [];

  const named = received.data.accountId;
  const links = named === undefined ? strategy.accounts
    : signal.action === 'close' ? [namedCloseLink(strategy, named)] : strategy.accounts.filter((l) => l.accountId === named);
  for (const link of links) {
    const account = ctx.account(link.accountId);
    if (!account) {
      skipped.push({ accountId: link.accountId, code: 'ACCOUNT_NOT_FOUND', message: `account ${link.accountId} does not exist` });
      continue;
    }
    const venue = ctx.venueName(link.accountId);
    const markets = ctx.markets(link.accountId);
    if (!markets) {
      skipped.push({ accountId: link.accountId, code: 'MARKETS_UNAVAILABLE', message: `the market list of ${venue} could not be loaded yet; nothing was sent` });
      continue;
    }
    const market = markets.get(signal.symbol);
    if (!market) {
      skipped.push({ accountId: link.accountId, code: 'SYMBOL_NOT_LISTED', message: `${signal.symbol} is not listed on ${venue}` });
      continue;
    }
    if (market.status === 'halted') {
      skipped.push({ accountId: link.accountId, code: 'SYMBOL_HALTED', message: `${signal.symbol} is halted on ${venue}: it is listed but not trading now` });
      continue;
    }
    const mark = ctx.markPrice(link.accountId, signal.symbol);
    if (!mark || !mark.price.greaterThan(0)) {
      skipped.push({ accountId: link.accountId, code: 'NO_PRICE', message: `no price for ${signal.symbol} from ${venue} to size and check the order; nothing was sent` });
      continue;
    }
    if (mark.ageMs > ctx.maxPriceAgeMs) {
      skipped.push({
        accountId: link.accountId, code: 'STALE_PRICE',
        message: `the latest ${signal.symbol} price from ${venue} is ${(mark.ageMs / 1000).toFixed(1)} s old (at most ${(ctx.maxPriceAgeMs / 1000).toFixed(1)} s allowed); nothing was sent`,
      });
      continue;
    }
    const referencePrice = mark.price;
    // the positions as they will be once the market orders already on their way have filled
    const position = account.positionQuantity(signal.symbol).plus(account.inFlightQuantity(signal.symbol));
    const own = account.strategyPositionQuantity(strategy.strategyId, signal.symbol).plus(account.inFlightQuantity(signal.symbol, strategy.strategyId));
    const basis = account.sizingBasis((symbol) => (symbol === signal.symbol ? referencePrice : ctx.markPrice(link.accountId, symbol)?.price));
    const sized = sizeOrder({ signal, sizing: link.sizing, referencePrice, market, position: own, accountPosition: position, basis });
    if (!sized.ok) {
      skipped.push({ accountId: link.accountId, ...sized.error });
      continue;
    }
    const { side, quantity, reduceOnly } = sized.value;
    const conditional = conditionalPrices(signal, side, referencePrice, market.tickSize); // issue 17: stop / take-profit
    if (conditional && !conditional.ok) {
      skipped.push({ accountId: link.accountId, ...conditional.error });
      continue;
    }
    // a conditional order the exchange cannot hold natively is held by PATRIOT: armed, sent as a market / limit order once its trigger is crossed
    const managed = conditional?.ok === true && !heldNatively(conditional.value, market, ctx.trailsByDistance?.(link.accountId) === true);
    const bracket = signal.bracket && !reduceOnly ? bracketPlanFor(signal.bracket, side, parseDec(signal.limitPrice ?? '') ?? referencePrice, market) : undefined; // issue 17
    if (bracket && !bracket.ok) {
      skipped.push({ accountId: link.accountId, ...bracket.error });
      continue;
    }
    const signalLimit = signal.limitPrice !== undefined ? parseDec(signal.limitPrice) : undefined;
    const template = signal.orderType === 'limit' ? { type: 'limit' as const, offsetBps: '0' } : signal.orderType === 'market' ? { type: 'market' as const } : link.orderTemplate;
    const limit = conditional ? undefined : limitPriceWithRequest(template, side, referencePrice, market, signalLimit);
    const limitPrice = conditional ? conditional.value.limitPrice : limit?.price;
    const intent: OrderIntent = {
      clientOrderId: ctx.clientOrderId(link.accountId, 0),
      accountId: link.accountId,
      strategyId: strategy.strategyId,
      signalId,
      symbol: signal.symbol,
      side,
      type: conditional ? conditional.value.type : limitPrice === undefined ? 'market' : 'limit',
      quantity: decToString(quantity),
      ...(limitPrice !== undefined ? { limitPrice: decToString(limitPrice) } : {}),
      ...(conditional ? { stopPrice: decToString(conditional.value.stopPrice) } : {}),
      ...(conditional?.value.trailingPercent ? { trailingPercent: decToString(conditional.value.trailingPercent) } : {}),
      ...(conditional?.value.trailingDistance ? { trailingDistance: decToString(conditional.value.trailingDistance) } : {}),
      ...(managed ? { managed: true as const } : {}),
      ...(bracket && !conditional ? { bracket: withTriggers(bracket.value, ctx.placesOrderLists?.(link.accountId) === true, heldNatively({ type: signal.bracket?.stopLossLimit ? 'stop_limit' : 'stop_market' }, market, false)) } : {}),
      referencePrice: decToString(referencePrice),
      ...(sized.value.requested !== undefined ? { requestedQuantity: decToString(sized.value.requested) } : {}),
      ...(limit !== undefined && !limit.requested.equals(limit.price) ? { requestedLimitPrice: decToString(limit.requested) } : {}),
      priceSource: mark.source,
      priceAgeMs: Math.round(mark.ageMs),
      reduceOnly,
    };
    // the kill switch's own flatten: a reduce-only close the operator asked for with the switch passes
    // it and the account's and strategy's limits (a notional cap must not keep a position open)
    const flatten = signal.killSwitchFlatten !== undefined && reduceOnly;
    const reasons: RiskReason[] = [...checkRisk({
      intent: { symbol: signal.symbol, side, quantity, referencePrice: limitPrice ?? conditional?.value.stopPrice ?? referencePrice, reduceOnly },
      accountLimits: flatten ? {} : account.config.risk,
      strategyLimits: flatten ? {} : strategy.risk,
      listedSymbols: [market.symbol],
      positionQuantity: position,
      openOrders: account.openOrders,
      killSwitch: flatten ? { global: false, account: false } : { global: ctx.globalKillSwitch, account: account.killSwitch },
    }), ...checkTradesPerDay({ reduceOnly, today: tradesToday(ctx, received.data.receivedAt, link.accountId, strategy.strategyId), account: account.config.risk, strategy: strategy.risk }),
      ...checkCooldown({ reduceOnly, ...(ctx.lossStreak?.(strategy.strategyId) ?? { losses: 0 }), now: received.data.receivedAt, strategy: strategy.risk }),
      ...checkStrategyDailyLoss({ reduceOnly, loss: strategyLossToday(ctx, received.data.receivedAt, strategy), strategy: strategy.risk })];
    const decided = orderDecider.decide(reasons.length === 0 ? { type: 'Approve', intent } : { type: 'Reject', intent, reasons }, orderDecider.initialState());
    if (!decided.ok) {
      skipped.push({ accountId: link.accountId, ...decided.error });
      continue;
    }
    const event = decided.value[0] as RoutedOrder['event'];
    orders.push({ intent, event });
  }

  const processed = signalDecider.decide(
    {
      type: 'MarkProcessed',
      orders: orders.map((o) => ({ accountId: o.intent.accountId, clientOrderId: o.intent.clientOrderId, outcome: o.event.type === 'OrderApproved' ? 'approved' : 'rejected' })),
      skipped,
    },
    fold(signalDecider, [received]),
  );
  if (!processed.ok) throw new Error(`signal decider refused MarkProcessed: ${processed.error.code}`);
  return { orders, processed: processed.value[0] as RoutingDecision['processed'] };
}

/**
 * The decision for a signal whose routing threw (a defect or corrupt configuration): no order,
 * every account skipped with the reason, so one bad signal never blocks the ones behind it.
 */
export function failedRouting(received: EventOf<'SignalReceived'>, strategy: StrategyConfig, reason: string): RoutingDecision {
  const processed = signalDecider.decide(
    { type: 'MarkProcessed', orders: [], skipped: strategy.accounts.filter((a) => received.data.accountId === undefined || a.accountId === received.data.accountId).map((a) => ({ accountId: a.accountId, code: 'ROUTING_FAILED', message: `routing failed: ${reason}` })) },
    fold(signalDecider, [received]),
  );
  if (!processed.ok) throw new Error(`signal decider refused MarkProcessed: ${processed.error.code}`);
  return { orders: [], processed: processed.value[0] as RoutingDecision['processed'] };
}

/** Trades already approved today (the signal's UTC day) for the account and the strategy (ADR-0019). */
function tradesToday(ctx: RoutingContext, receivedAt: string, accountId: string, strategyId: string): TradesToday {
  const day = utcDay(receivedAt);
  return (day !== undefined ? ctx.tradesOn?.(day, accountId, strategyId) : undefined) ?? { account: 0, strategy: 0 };
}

/** The strategy's loss today (the signal's UTC day), realised and unrealised at each account's price; 0 when not asked. */
function strategyLossToday(ctx: RoutingContext, receivedAt: string, strategy: StrategyConfig): Dec {
  const day = utcDay(receivedAt);
  if (strategy.risk.dailyLossLimit === undefined || day === undefined || !ctx.strategyDayLoss) return new Dec(0);
  return ctx.strategyDayLoss(strategy.strategyId, day, (accountId, symbol) => ctx.markPrice(accountId, symbol)?.price);
}

/**
 * A bracket with a stop and take-profits rests as one-cancels-other lists where the exchange has
 * them (issue 17); where the exchange cannot hold its stop at all, PATRIOT holds the stop legs
 * (and cancels siblings itself).
 */
function withTriggers(plan: BracketPlan, lists: boolean, stopNative: boolean): BracketPlan {
  if (plan.stopLoss !== undefined && !stopNative) return { ...plan, managedStop: true };
  return lists && plan.stopLoss !== undefined && plan.takeProfits.length > 0 ? { ...plan, orderLists: true } : plan;
}
