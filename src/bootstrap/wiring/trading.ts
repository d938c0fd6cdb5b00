import { settleKillSwitchActions } from '../../application/workflows/kill-switch-actions.js';
import { OrderExecutor } from '../../application/workflows/order-executor.js';
import { ManagedTriggers } from '../../application/workflows/managed-triggers.js';
import { AccountHealth } from '../../application/workflows/account-health.js';
import { SignalProcessor } from '../../application/workflows/signal-processor.js';
import { AccountReconciler } from '../../application/workflows/account-reconciler.js';
import type { TradingView } from '../../application/workflows/trading-state.js';
import { parseDec } from '../../domain/shared/decimal.js';
import type { Core } from './core.js';
import type { Markets } from './markets.js';
import type { StartOptions } from '../runtime.js';

/** Signals to orders: the processor routes, the executor sends and records, the reconciler compares accounts with their exchanges. */
export interface Trading {
  readonly processor: SignalProcessor;
  readonly executor: OrderExecutor;
  readonly reconciler: AccountReconciler;
  /** the account's exchange connection changes, recorded to be told (issue 19) */
  readonly health: AccountHealth;
  /** PATRIOT-managed orders armed on this node (issue 17) */
  readonly triggers: ManagedTriggers;
  /** an account was opened (read from the log after start-up): the lease keeper looks for an owner */
  onAccountOpened(listener: () => void): void;
  /** compares the account with its exchange once nothing of it is in flight (not awaited by callers) */
  reconcileWhenIdle(accountId: string, trigger: string): void;
  stop(): Promise<void>;
}

/**
 * Wires the order flow around one TradingView (the folded state and the owned accounts): the
 * executor and the exchanges read it, the processor folds into it, so none needs the others.
 */
export function wireTrading(core: Core, markets: Markets, view: TradingView, options: StartOptions): Trading {
  const { config, log } = core;
  const { exchanges } = markets;
  const executor = newExecutor(core, markets, view, options);
  const triggers = new ManagedTriggers({
    store: core.events, streamMutex: core.streamMutex, clock: core.clock, log, prices: markets.prices,
    account: (accountId) => view.account(accountId),
    tickSize: (accountId, symbol) => {
      const account = view.account(accountId);
      return parseDec(account ? markets.marketLists.list(account)?.find((m) => m.symbol === symbol)?.tickSize : undefined);
    },
    owns: (accountId) => view.ownsAccount(accountId),
    send: (intent) => executor.submit(intent),
    maxPriceAgeMs: config.marketData.maxPriceAgeMs,
  });
  triggers.start();
  const arm = (clientOrderId: string, accountId: string): void =>
    void triggers.arm(clientOrderId, accountId).catch((error: unknown) => log.warn({ clientOrderId, reason: String(error) }, 'arming a managed order failed; armed again when the account is taken'));
  exchanges.gateway.onOrderUpdate((update) => void executor.onExchangeUpdate(update.order, update.accountId));
  const opened = new Set<() => void>();
  const processor = new SignalProcessor({
    store: core.events, clock: core.clock, log, markets: markets.marketLists, prices: markets.prices, view,
    maxPriceAgeMs: config.marketData.maxPriceAgeMs, priceWaitMs: config.marketData.priceWaitMs,
    onAccountOpened: (accountId) => {
      const account = view.account(accountId);
      if (account) {
        exchanges.register(account);
        void markets.marketLists.register(account);
      }
      for (const listener of opened) listener();
    },
    onCredentialsChanged: (accountId) => {
      void exchanges.credentialsChanged(accountId, view.ownsAccount(accountId)).catch((error: unknown) => log.warn({ accountId, reason: String(error) }, 'restarting the exchange client failed'));
    },
    // an order PATRIOT holds the trigger of is armed here, and sent by the executor once the price crosses it (issue 17)
    submit: (intent) => (intent.managed === true ? arm(intent.clientOrderId, intent.accountId) : executor.submit(intent)),
    // an order that leaves at once has its attempt recorded with its approval, and leaves with nothing read first (ADR-0030)
    sendsAtOnce: (intent) => executor.sendsAtOnce(intent), submitRecorded: (intent) => executor.submitRecorded(intent),
    adoptArmed: arm,
    reconcile: (clientOrderId, accountId) => executor.reconcile(clientOrderId, accountId),
    adoptParked: (clientOrderId, accountId) => executor.adoptParked(clientOrderId, accountId),
    cancel: (clientOrderId, accountId) => executor.cancel(clientOrderId, accountId),
    onProcessed: (signalId, decision) => {
      if (!decision.orders.some((o) => o.event.type === 'OrderApproved')) core.metrics.signalDone(signalId);
    },
    killSwitchActions: (state) => settleKillSwitchActions({ ...core.commandDeps, ids: core.ids }, state),
    // the paper exchange trails by a price distance natively; no ccxt venue is wired for it (Binance spot trails by percent)
    trailsByDistance: (account) => account.exchange === 'paper',
    // Binance spot holds one-cancels-other lists natively; the paper exchange (its stops hold nothing) and other venues get PATRIOT-managed brackets
    placesOrderLists: (account) => exchanges.gateway.placesOrderLists?.(account.accountId) === true,
  });
  const reconciler = new AccountReconciler({
    store: core.events, exchange: exchanges.gateway, clock: core.clock, log, state: () => view.current,
    lookUp: (clientOrderId, accountId) => executor.reconcile(clientOrderId, accountId),
    tenantOf: (accountId) => view.account(accountId)?.tenantId,
    adoptsBalances: (accountId) => (view.account(accountId)?.exchange ?? 'paper') !== 'paper',
  });
  const reconcileWhenIdle = (accountId: string, trigger: string): void => {
    void executor
      .accountIdle(accountId)
      .then(() => (view.ownsAccount(accountId) ? reconciler.reconcile(accountId, trigger) : undefined))
      .catch((error: unknown) => log.warn({ accountId, trigger, reason: String(error) }, 'comparing the account with its exchange failed; tried again later'));
  };
  const balancesTimer = watchAccounts(core, markets, view, reconcileWhenIdle);
  const health = newHealth(core, markets, view);
  // once a second (in-memory reads; a breaker stays open at least its cool-down, so no opening goes unseen)
  const healthTimer = setInterval(() => void health.check(), 1000);
  healthTimer.unref();
  return {
    processor, executor, reconciler, reconcileWhenIdle, health, triggers,
    onAccountOpened: (listener) => void opened.add(listener),
    stop: async () => {
      clearInterval(balancesTimer);
      clearInterval(healthTimer);
      await processor.stop();
      triggers.stop();
      await executor.stop();
    },
  };
}

/**
 * Real exchanges' connections as their owner sees them (issue 19): the host's circuit breaker, and
 * the account's prices older than the allowed age (a symbol with no price yet is not counted: routing
 * refuses it with NO_PRICE). Paper accounts have neither a breaker nor a feed that can fail: not watched.
 */
function newHealth(core: Core, markets: Markets, view: TradingView): AccountHealth {
  const { config } = core;
  const real = (accountId: string) => {
    const account = view.account(accountId);
    return account && account.exchange !== 'paper' ? account : undefined;
  };
  return new AccountHealth({
    store: core.events, kv: core.kv, clock: core.clock, log: core.log, nodeId: config.nodeId,
    tenantOf: (accountId) => real(accountId)?.tenantId,
    owned: () => view.current.allAccounts().filter((a) => a.exchange !== 'paper' && view.ownsAccount(a.accountId)).map((a) => a.accountId),
    read: (accountId) => {
      const account = real(accountId);
      if (!account) return undefined;
      const connection = markets.exchanges.connection(accountId, account.exchange, true);
      const stale: string[] = [];
      let oldest: number | undefined;
      for (const symbol of view.current.symbolsInUse(accountId)) {
        const quote = markets.accountPrice(accountId, symbol);
        if (!quote || quote.ageMs <= config.marketData.maxPriceAgeMs) continue;
        stale.push(symbol);
        oldest = Math.max(oldest ?? 0, Math.round(quote.ageMs));
      }
      return {
        exchange: account.exchange, circuit: connection.circuit, ...(connection.circuitRetryAt !== undefined ? { circuitRetryAt: connection.circuitRetryAt } : {}),
        staleSymbols: stale, ...(oldest !== undefined ? { oldestAgeMs: oldest } : {}),
      };
    },
  });
}

function newExecutor(core: Core, markets: Markets, view: TradingView, options: StartOptions): OrderExecutor {
  const { config, log, metrics } = core;
  const { exchanges } = markets;
  return new OrderExecutor({
    store: core.events, exchange: exchanges.gateway, clock: core.clock, log, streamMutex: core.streamMutex,
    ...(options.lookupDelaysMs ? { lookupDelaysMs: options.lookupDelaysMs } : {}),
    retryWithinMs: config.orderRetryWithinMs,
    owns: (accountId) => view.ownsAccount(accountId),
    openOrderCap: (accountId) => exchanges.openOrderCap(view.account(accountId)),
    absenceGraceMs: (accountId) => exchanges.visibilityMs(view.account(accountId)),
    markPrice: (symbol, accountId) => parseDec(markets.accountPrice(accountId, symbol)?.price),
    onPlacing: (intent) => metrics.orderLeaving(intent.signalId),
    onOutcome: (intent, outcome) => {
      if (config.killAfterRefusal && outcome.kind === 'rejected') {
        log.warn({ clientOrderId: intent.clientOrderId }, 'fault injection: killed after the exchange refused an order, before recording it');
        process.kill(process.pid, 'SIGKILL');
      }
      metrics.orders.inc({ outcome: outcome.kind });
      if (outcome.kind === 'accepted') return;
      const exchange = view.account(intent.accountId)?.exchange ?? 'unknown';
      metrics.exchangeErrors.inc({ exchange, kind: outcome.kind, code: outcome.kind === 'rejected' || outcome.kind === 'not_placed' ? outcome.code : 'unknown' });
    },
  });
}

/**
 * A real account's balances are read from its exchange periodically (deposits, withdrawals, trades
 * made elsewhere), and after its fill stream comes back (what the socket missed shows up then).
 */
function watchAccounts(core: Core, markets: Markets, view: TradingView, reconcileWhenIdle: (accountId: string, trigger: string) => void): NodeJS.Timeout {
  const timer = setInterval(() => {
    for (const account of view.current.allAccounts()) {
      if (account.exchange !== 'paper' && view.ownsAccount(account.accountId)) reconcileWhenIdle(account.accountId, 'periodic');
    }
  }, core.config.marketData.balancesRefreshMs);
  timer.unref();
  const streamStates = new Map<string, string>();
  markets.exchanges.onStreamStateChange((accountId, state) => {
    const before = streamStates.get(accountId);
    streamStates.set(accountId, state);
    if (state === 'streaming' && before === 'polling' && view.ownsAccount(accountId)) reconcileWhenIdle(accountId, 'reconnect');
  });
  return timer;
}
