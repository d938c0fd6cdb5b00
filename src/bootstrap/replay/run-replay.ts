import type { AlertHistory, ReplayAlert } from '../../domain/replay/alert-history.js';
import { priceAt, type Candle, type CandleSeries } from '../../domain/replay/candles.js';
import { isoOf } from '../../domain/replay/replay-time.js';
import { readAlertEnvelope } from '../../domain/signals/alert-envelope.js';
import { normalizeSignal } from '../../domain/signals/normalize-signal.js';
import { Dec, parseDec } from '../../domain/shared/decimal.js';
import { AnalyticsQueries } from '../../application/queries/analytics-queries.js';
import { roundTripDto } from '../../application/queries/export-rows.js';
import { C, type OrderView, type SignalView } from '../../application/projections/read-models.js';
import { metricsDto } from '../../http/routes/analytics/metrics-dto.js';
import type { ReplayRefusal, ReplayReportDto } from '../../contracts/replay-api.js';
import type { PatriotConfig } from '../config.js';
import { openReplayStore, type ReplayStoreChoice } from './replay-store.js';
import { openReplayRuntime, replayConfig, type ReplayRuntime } from './replay-runtime.js';
import type { ReplaySetup } from './replay-setup.js';

/** The replay's report (the API's ReplayReportDto). */
export type ReplayReport = ReplayReportDto;

export interface ReplayInput {
  readonly history: AlertHistory;
  readonly prices: readonly CandleSeries[];
  readonly setup: ReplaySetup;
  readonly store: ReplayStoreChoice;
  /** the live configuration: its paper fees, slippage, feed seed and price age are the replay's */
  readonly config: PatriotConfig;
  /** called after each alert (progress) */
  readonly onAlert?: (done: number, total: number) => void;
}

/** The alert's unified symbol as ingest would resolve it (undefined: ingest will refuse it, and say why). */
function symbolOf(rt: ReplayRuntime, setup: ReplaySetup, message: string): string | undefined {
  const envelope = readAlertEnvelope(message);
  if (!envelope.ok) return undefined;
  const listing = rt.trading.processor.catalog.symbolsFor(setup.strategy);
  const signal = normalizeSignal(envelope.value, { listedSymbols: listing.symbols, symbolMap: setup.strategy.symbolMap, listing: { venues: listing.venues, complete: listing.complete } });
  return signal.ok ? signal.value.symbol : undefined;
}

/** The body with the replay strategy's secret in place of the one it carries (JSON bodies); other bodies are authenticated by the URL token. */
function withSecret(message: string, secret: string): string {
  try {
    const value: unknown = JSON.parse(message);
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'secret' in value) return JSON.stringify({ ...value, secret });
  } catch {
    // not JSON: a text alert, authenticated by ?token=
  }
  return message;
}

/**
 * Replays a history: for each alert in time order the clock is set to its time, the paper feed to
 * the historical price then (a candle's open at its start, else the latest candle's close), and
 * the alert goes through ingest, routing (deciders, sizing, risk) and execution exactly as live;
 * then the analytics of the fills (ADR-0022) and every refusal with its live code.
 */
export async function runReplay(input: ReplayInput): Promise<ReplayReportDto> {
  const { history, setup } = input;
  const first = history.alerts[0]!;
  const last = history.alerts.at(-1)!;
  const series = new Map(input.prices.map((s) => [s.symbol, s]));
  const store = await openReplayStore(input.store);
  try {
    const rt = await openReplayRuntime(replayConfig(input.config, store), first.at, setup);
    try {
      const secret = (await rt.alerts.secrets.lookup(setup.strategy.strategyId))!;
      const refused: ReplayRefusal[] = [];
      const signals = new Map<string, ReplayAlert>();
      let duplicates = 0;
      let previous = first.at;
      for (let i = 0; i < history.alerts.length; i++) {
        const alert = history.alerts[i]!;
        await walkCandles(rt, setup, input.prices, previous, alert.at);
        previous = alert.at;
        rt.clock.set(alert.at);
        const symbol = symbolOf(rt, setup, alert.message);
        if (symbol !== undefined) {
          const candles = series.get(symbol);
          const price = candles ? priceAt(candles, alert.at) : undefined;
          if (!price) {
            refused.push({
              line: alert.line, time: alert.time, stage: 'prices', code: candles ? 'NO_PRICE_AT_TIME' : 'NO_PRICES_FOR_SYMBOL',
              message: candles ? `no ${symbol} candle starts at or before ${alert.time} (the prices begin ${isoOf(candles.candles[0]!.at)}); the alert was not replayed` : `the prices given hold no ${symbol} candles; the alert was not replayed`,
            });
            continue;
          }
          rt.core.feed.setPrice(symbol, price.price);
        }
        const outcome = await rt.ingest({ strategyId: setup.strategy.strategyId, body: withSecret(alert.message, secret), urlToken: secret });
        switch (outcome.kind) {
          case 'accepted':
            signals.set(outcome.signalId, alert);
            break;
          case 'duplicate':
            duplicates++;
            break;
          case 'refused':
            if (outcome.signalId !== undefined) signals.set(outcome.signalId, alert);
            else refused.push({ line: alert.line, time: alert.time, stage: 'ingest', code: outcome.code, message: outcome.message });
            break;
        }
        await rt.settle();
        input.onAlert?.(i + 1, history.alerts.length);
      }
      await rt.finish();
      return await report(rt, input, { refused, signals, duplicates, from: first.time, to: last.time, store: store.kind });
    } finally {
      await rt.close();
    }
  } finally {
    await store.dispose();
  }
}

/** A candle's prices in the order they most likely came: open, the extreme on the way, the other extreme, close. */
const pathOf = (c: Candle): string[] => [c.open, ...(new Dec(c.close).greaterThanOrEqualTo(c.open) ? [c.low, c.high] : [c.high, c.low]), c.close];

/**
 * While an account has orders resting (limits, stops, bracket legs), the candles that start between
 * two alerts are played to the paper exchange (each at its start time: open, low / high, close), so
 * what would have filled or triggered in between does; with nothing resting, the replay jumps.
 */
async function walkCandles(rt: ReplayRuntime, setup: ReplaySetup, prices: readonly CandleSeries[], from: number, to: number): Promise<void> {
  const resting = () => setup.accounts.some((a) => rt.view.current.hasLiveOrders(a.accountId));
  if (to <= from || !resting()) return;
  const candles = prices
    .flatMap((s) => s.candles.filter((c) => c.at >= from && c.at < to).map((c) => ({ symbol: s.symbol, candle: c })))
    .sort((a, b) => a.candle.at - b.candle.at || (a.symbol < b.symbol ? -1 : 1));
  for (const { symbol, candle } of candles) {
    if (!resting()) return;
    rt.clock.set(candle.at);
    for (const price of pathOf(candle)) {
      rt.core.feed.setPrice(symbol, price);
      await rt.settle();
    }
  }
}

interface Collected {
  readonly refused: ReplayRefusal[];
  readonly signals: ReadonlyMap<string, ReplayAlert>;
  readonly duplicates: number;
  readonly from: string;
  readonly to: string;
  readonly store: 'sqlite' | 'postgres';
}

/** What the read models say of each recorded alert: refused on receipt, when routed, or by the exchange. */
async function refusalsOf(rt: ReplayRuntime, tenantId: string, signals: ReadonlyMap<string, ReplayAlert>): Promise<{ refusals: ReplayRefusal[]; accepted: number }> {
  const out: ReplayRefusal[] = [];
  let accepted = 0;
  for (const [signalId, alert] of signals) {
    const doc = await rt.core.storage.readModels.get(C.signals, tenantId, signalId);
    const view = doc?.data as SignalView | undefined;
    if (!view) continue;
    if (view.outcome === 'accepted' || view.outcome === 'partially_rejected') accepted++;
    const at = { line: alert.line, time: alert.time };
    const received = view.received ? { received: view.received } : {};
    if (view.rejection) out.push({ ...at, stage: view.signal ? 'routing' : 'ingest', code: view.rejection.code, message: view.rejection.message, ...received });
    for (const s of view.skipped) out.push({ ...at, stage: 'routing', code: s.code, message: s.message });
    for (const o of view.orders) {
      if (o.outcome === 'rejected') {
        for (const r of o.reasons ?? []) out.push({ ...at, stage: 'routing', code: r.code, message: r.message });
      } else if (o.status === 'exchange_rejected' || o.status === 'expired') {
        const order = (await rt.core.storage.readModels.get(C.orders, tenantId, o.clientOrderId))?.data as OrderView | undefined;
        out.push({ ...at, stage: 'exchange', ...exchangeReason(o.status, order?.statusReason) });
      }
    }
  }
  return { refusals: out, accepted };
}

/** An order the exchange refused ("CODE: reason") or that expired unsent, as code and message. */
function exchangeReason(status: string, reason: string | undefined): { code: string; message: string } {
  const m = reason === undefined ? null : /^([A-Z][A-Z0-9_]*): (.*)$/s.exec(reason);
  if (m) return { code: m[1]!, message: m[2]! };
  return { code: status === 'expired' ? 'ORDER_EXPIRED' : 'EXCHANGE_REJECTED', message: reason ?? `the order ${status === 'expired' ? 'expired' : 'was refused by the exchange'}` };
}

async function report(rt: ReplayRuntime, input: ReplayInput, collected: Collected): Promise<ReplayReportDto> {
  const { setup, history } = input;
  const tenantId = setup.strategy.tenantId;
  const marks = new Map<string, string>();
  for (const s of input.prices) {
    const p = priceAt(s, Date.parse(collected.to));
    if (p) marks.set(s.symbol, p.price);
  }
  const analytics = new AnalyticsQueries(rt.core.storage.readModels, (_accountId, symbol) => parseDec(marks.get(symbol)));
  const result = await analytics.report(tenantId, {}, (firstFill) => ({ start: firstFill !== undefined && firstFill < collected.from ? firstFill : collected.from, end: collected.to }));
  const recorded = await refusalsOf(rt, tenantId, collected.signals);
  const refused = [...collected.refused, ...recorded.refusals].sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.line - b.line);
  const balances = new Map(setup.accounts.map((a) => [a.accountId, a]));
  return {
    format: history.format, store: collected.store, from: result.window.start, to: result.window.end,
    alerts: history.alerts.length, accepted: recorded.accepted, duplicates: collected.duplicates,
    prices: input.prices.map((s) => ({ symbol: s.symbol, candles: s.candles.length, from: isoOf(s.candles[0]!.at), to: isoOf(s.candles.at(-1)!.at) })),
    strategies: result.strategies.map((s) => ({ strategyId: s.strategyId, metrics: metricsDto(s.metrics, result.unrealized.strategy(s.strategyId)) })),
    accounts: result.accounts.map((a) => {
      const account = balances.get(a.accountId);
      return { accountId: a.accountId, quoteAsset: account?.quoteAsset ?? 'USDT', startingBalance: account?.initialBalances.find((b) => b.asset === account.quoteAsset)?.amount ?? '0', metrics: metricsDto(a.metrics, result.unrealized.account(a.accountId)) };
    }),
    roundTrips: result.trips.map(roundTripDto),
    refused,
  };
}
