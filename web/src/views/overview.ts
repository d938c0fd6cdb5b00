import { BaselineSeries, createChart, type IChartApi, type ISeriesApi, type Time, type UTCTimestamp } from 'lightweight-charts';
import { api, errorText } from '../api.js';
import { showDialog } from '../dialog.js';
import { badge, h, pnl, replace, table, td, time, type Child } from '../dom.js';
import { fixed, moneyPlaces, moneyText, priceText, quoteOf, stepPlaces } from '../decimals.js';
import { loadMarkets, marketOf, shownPrice } from '../markets.js';
import { toggleKillSwitch } from '../kill-switch.js';
import { closePositionButton } from '../close-position.js';
import { cancelOrder } from '../cancel-orders.js';
import type { Account, EquityPoint, Fill, Order, Page, Position, Signal, Strategy, TraceEvent } from '../types.js';

const FINAL = new Set(['filled', 'cancelled', 'rejected', 'expired', 'exchange_rejected']);

/** The live overview: per-account PnL, equity curve, positions, open orders, fills and the signal log. */
export class OverviewView {
  private readonly accountsEl = h('section', { class: 'stats', 'aria-label': 'Accounts' });
  private readonly positionsEl = h('div');
  private readonly ordersEl = h('div');
  private readonly fillsEl = h('div');
  private readonly signalsEl = h('div');
  private readonly chartEl = h('div', { class: 'chart', role: 'img', 'aria-label': 'Equity curve' });
  private readonly chartNote = h('p', { class: 'muted' });
  private readonly accountSelect = h('select', { id: 'equity-account', onchange: () => void this.loadEquity() });
  /** issue 20: equity in the quote asset, or as % change from the window's first snapshot; both drawn against that start (the baseline) */
  private readonly scaleSelect = h('select', { id: 'equity-scale', onchange: () => void this.loadEquity() }, h('option', { value: 'amount' }, 'Amount'), h('option', { value: 'percent' }, '% change'));
  private chart: IChartApi | undefined;
  private series: ISeriesApi<'Baseline'> | undefined;
  private accounts: Account[] = [];
  private positions: Position[] = [];
  private strategies = new Map<string, string>();
  private pricesDue = false;
  /** snapshots are not events: the curve is reloaded on a timer too */
  private equityTimer: number | undefined;
  private priceTimer: number | undefined;

  render(main: HTMLElement): void {
    replace(main,
      h('h1', {}, 'Overview'),
      this.accountsEl,
      h('div', { class: 'grid' },
        h('section', { class: 'card wide', 'aria-labelledby': 'equity-h' },
          h('div', { class: 'actions' }, h('h2', { id: 'equity-h' }, 'Equity curve'), h('label', { class: 'inline' }, h('span', { class: 'hint' }, 'Account'), this.accountSelect), h('label', { class: 'inline' }, h('span', { class: 'hint' }, 'Scale'), this.scaleSelect)),
          this.chartEl, this.chartNote),
        h('section', { class: 'card wide', 'aria-labelledby': 'positions-h' }, h('h2', { id: 'positions-h' }, 'Open positions'), this.positionsEl),
        h('section', { class: 'card', 'aria-labelledby': 'orders-h' }, h('h2', { id: 'orders-h' }, 'Open orders'), this.ordersEl),
        h('section', { class: 'card', 'aria-labelledby': 'fills-h' }, h('h2', { id: 'fills-h' }, 'Recent fills'), this.fillsEl),
        h('section', { class: 'card wide', 'aria-labelledby': 'signals-h' }, h('h2', { id: 'signals-h' }, 'Signal log'), this.signalsEl),
      ),
    );
    this.chart = createChart(this.chartEl, {
      autoSize: true, layout: { attributionLogo: false }, timeScale: { timeVisible: true, secondsVisible: false }, rightPriceScale: { borderVisible: false },
      // the dashboard's one time format (UTC) in the crosshair's label too
      localization: { timeFormatter: (t: Time) => (typeof t === 'number' ? time(t * 1000) : String(t)) },
    });
    this.series = this.chart.addSeries(BaselineSeries, { lineWidth: 2, baseValue: { type: 'price', price: 0 } });
    void this.update(['all']);
    this.equityTimer = window.setInterval(() => void this.loadEquity().catch(() => undefined), 30_000);
  }

  destroy(): void {
    clearInterval(this.equityTimer);
    this.chart?.remove();
    this.chart = undefined;
    this.series = undefined; // a curve still loading finds no chart (it was disposed)
    clearTimeout(this.priceTimer);
  }

  async update(topics: readonly string[]): Promise<void> {
    const all = topics.includes('all');
    const has = (...names: string[]) => all || names.some((n) => topics.includes(n));
    const work: Promise<void>[] = [];
    if (has('accounts', 'kill-switch', 'strategies') || this.accounts.length === 0) work.push(this.loadAccounts());
    if (has('positions', 'fills')) work.push(this.loadPositions());
    if (has('orders')) work.push(this.loadOrders());
    if (has('fills')) work.push(this.loadFills());
    if (has('signals', 'orders')) work.push(this.loadSignals());
    if (has('fills', 'balances')) work.push(this.loadEquity());
    await Promise.all(work.map((p) => p.catch(() => undefined)));
  }

  /** A mark price moved: refetch positions (the server computes unrealised PnL in decimals), at most once a second. */
  price(symbol: string): void {
    if (!this.positions.some((p) => p.symbol === symbol && !/^-?0(\.0*)?$/.test(p.quantity))) return;
    if (this.priceTimer !== undefined) {
      this.pricesDue = true;
      return;
    }
    void this.loadPositions();
    this.priceTimer = window.setTimeout(() => {
      this.priceTimer = undefined;
      if (this.pricesDue) {
        this.pricesDue = false;
        void this.loadPositions();
      }
    }, 1000);
  }

  private async loadAccounts(): Promise<void> {
    const [accounts, strategies] = await Promise.all([api<{ items: Account[] }>('/accounts'), api<{ items: Strategy[] }>('/strategies')]);
    this.accounts = [...accounts.items].sort((a, b) => a.openedAt.localeCompare(b.openedAt));
    this.strategies = new Map(strategies.items.map((s) => [s.strategyId, s.name]));
    const selected = this.accountSelect.value;
    replace(this.accountSelect, this.accounts.map((a) => h('option', { value: a.accountId }, a.name)));
    if (selected && this.accounts.some((a) => a.accountId === selected)) this.accountSelect.value = selected;
    this.renderAccounts();
    if (!selected) await this.loadEquity();
  }

  private renderAccounts(): void {
    replace(this.accountsEl, this.accounts.map((a) => {
      // PnL is summed per currency (a position's is in its market's quote): an ETH/BTC position's BTC is never added to USDT
      const mine = this.positions.filter((p) => p.accountId === a.accountId);
      const currencies = [...new Set([a.quoteAsset, ...mine.map((p) => currencyOf(p) ?? a.quoteAsset)])];
      const groups = currencies.map((currency) => {
        const these = mine.filter((p) => (currencyOf(p) ?? a.quoteAsset) === currency);
        const realised = sum(these.map((p) => p.realizedPnl));
        const unrealised = sum(these.map((p) => p.unrealizedPnl ?? '0'));
        const fees = sum(these.map((p) => p.feesPaid));
        // the headline is after fees (issue 20): what the equity moved by, not the gross
        return { currency, realised, unrealised, fees, net: addDecimals(addDecimals(realised, unrealised), negated(fees)) };
      });
      const several = groups.length > 1;
      return h('div', { class: 'stat', 'data-account': a.accountId },
        h('div', { class: 'label' }, `${a.name} · ${a.exchange}`),
        h('div', { class: 'value' }, 'PnL after fees ', groups.flatMap((g, i) => [i > 0 ? ' · ' : '', h('span', { [i === 0 ? 'data-net-pnl' : 'data-net-pnl-other']: g.net, 'data-currency': g.currency }, pnl(g.net, g.currency))])),
        groups.map((g, i) => h('div', { class: 'label' }, several ? `${g.currency}: realised ` : 'realised ', pnl(g.realised, g.currency, false), ' · unrealised ', pnl(g.unrealised, g.currency, false), ' · fees ',
          h('span', i === 0 ? { 'data-fees': g.fees } : {}, moneyText(g.fees, g.currency)))),
        h('div', { class: 'actions' },
          a.killSwitch.engaged ? badge('engaged') : null,
          h('button', {
            type: 'button', class: 'small', 'aria-pressed': String(a.killSwitch.engaged),
            onclick: async () => { if (await toggleKillSwitch({ accountId: a.accountId, name: a.name }, a.killSwitch)) await this.loadAccounts(); },
          }, a.killSwitch.engaged ? 'Release kill switch' : 'Kill switch')));
    }));
  }

  private async loadPositions(): Promise<void> {
    const positions = (await api<{ items: Position[] }>('/positions')).items;
    const open = positions.filter((p) => !/^-?0(\.0*)?$/.test(p.quantity));
    await loadMarkets(open);
    this.positions = positions;
    const name = (id: string) => this.accounts.find((a) => a.accountId === id)?.name ?? id;
    replace(this.positionsEl, table(
      ['Account', 'Symbol', { text: 'Quantity', num: true }, { text: 'Entry', num: true }, { text: 'Mark', num: true }, { text: 'Unrealised PnL', num: true }, { text: 'Realised PnL', num: true }, ''],
      open.map((p) => h('tr', { 'data-symbol': p.symbol, 'data-account': p.accountId },
        td(name(p.accountId)), td(p.symbol), shown(p, p.quantity, 'quantity'), shown(p, p.averageEntryPrice, 'price'),
        td(markCell(p), p.markStale ? 'num stale' : 'num'), td(pnl(p.unrealizedPnl, currencyOf(p)), 'num upnl'), td(pnl(p.realizedPnl, currencyOf(p)), 'num'),
        td(closePositionButton(p, name(p.accountId), (id) => this.strategies.get(id) ?? id, () => void this.loadPositions())))),
      'No open positions.', 'Open positions'));
    this.renderAccounts();
  }

  private async loadOrders(): Promise<void> {
    const page = await api<Page<Order>>('/orders?status=open');
    const orders = page.items.filter((o) => !FINAL.has(o.status)); // every open order, however old (issue 20)
    await loadMarkets(orders);
    // beyond 1,000 open orders the API lists the newest: say so rather than show a list that looks whole
    const cut = page.total !== undefined && page.total > page.items.length
      ? h('p', { class: 'muted small', 'data-open-orders-cut': String(page.total) }, `Showing the newest ${page.items.length.toLocaleString('en')} of ${page.total.toLocaleString('en')} open orders.`)
      : [];
    replace(this.ordersEl, cut, table(
      ['Symbol', 'Side', 'Type', { text: 'Quantity', num: true }, { text: 'Limit', num: true }, 'Status', ''],
      nestBrackets(orders).map((o) => h('tr', { 'data-order': o.clientOrderId, 'data-market': o.symbol, 'data-account': o.accountId },
        td(o.parent ? `↳ ${o.symbol}` : o.symbol), td(o.side), td(orderKind(o), 'kind'), shown(o, o.quantity, 'quantity'),
        o.limitPrice ? shown(o, o.limitPrice, 'price') : td('—', 'num'),
        td(STATUS_WORDS[o.status] ? h('span', { title: STATUS_WORDS[o.status] }, badge(o.status), h('span', { class: 'muted small' }, ` ${STATUS_HINTS[o.status] ?? ''}`)) : badge(o.status)), td(cancelCell(o, () => this.loadOrders())))),
      'No open orders.', 'Open orders'));
  }

  private async loadFills(): Promise<void> {
    const fills = (await api<Page<Fill>>('/fills?limit=15')).items;
    await loadMarkets(fills);
    replace(this.fillsEl, table(
      ['Time', 'Symbol', 'Side', { text: 'Quantity', num: true }, { text: 'Price', num: true }, { text: 'Fee', num: true }],
      fills.map((f) => h('tr', { 'data-trade': f.tradeId, 'data-market': f.symbol, 'data-account': f.accountId },
        td(time(f.filledAt), 'when'), td(f.symbol), td(f.side), shown(f, f.quantity, 'quantity'), shown(f, f.price, 'price'),
        h('td', { class: 'num', 'data-value': f.fee }, moneyText(f.fee, f.feeCurrency)))),
      'No fills yet.', 'Recent fills'));
  }

  private async loadSignals(): Promise<void> {
    const signals = (await api<Page<Signal>>('/signals?limit=30')).items;
    replace(this.signalsEl, table(
      ['Received', 'Strategy', 'Alert', 'Outcome', 'Why', ''],
      signals.map((s) => h('tr', { 'data-signal': s.signalId },
        td(time(s.receivedAt)), td(this.strategies.get(s.strategyId) ?? s.strategyId),
        td(s.signal ? [s.signal.action, s.signal.symbol ?? s.signal.ticker, s.signal.quantity].filter(Boolean).join(' ') : receivedText(s), s.signal ? undefined : 'wrap'),
        td([badge(s.rejection?.code === 'STALE_SIGNAL' ? 'stale' : s.outcome), ...(s.repeats ? [' ', h('span', { class: 'badge duplicate', title: `the same alert came again; last at ${time(s.repeats.lastAt)}; answered as the original, nothing traded again` }, `duplicate ×${s.repeats.count}`)] : [])]),
        td(reasonsOf(s), 'wrap reasons'),
        td(h('button', { type: 'button', class: 'small', onclick: () => void this.trace(s.signalId) }, 'Trace')))),
      'No alerts received yet.', 'Signal log'));
  }

  private async trace(signalId: string): Promise<void> {
    try {
      const trace = await api<{ events: TraceEvent[] }>(`/signals/${encodeURIComponent(signalId)}/trace`);
      await showDialog(`Trace of ${signalId}`, [
        h('ol', { class: 'trace' }, trace.events.map((e) => h('li', {},
          h('strong', {}, e.type), ' ', h('span', { class: 'muted' }, `#${e.globalPosition} · ${time(e.time)} · ${e.streamId}`),
          h('pre', { class: 'code' }, JSON.stringify(e.data, null, 2))))),
      ]);
    } catch (error) {
      await showDialog('Trace', [h('p', { class: 'error' }, errorText(error))]);
    }
  }

  private async loadEquity(): Promise<void> {
    const accountId = this.accountSelect.value;
    if (!accountId || !this.series) return;
    const from = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString();
    const curve = await api<{ points: EquityPoint[] }>(`/accounts/${encodeURIComponent(accountId)}/equity?from=${encodeURIComponent(from)}`);
    if (!this.series) return; // the page was left meanwhile
    const seen = new Set<number>();
    const points = curve.points
      .map((p) => ({ time: Math.floor(Date.parse(p.time) / 1000) as UTCTimestamp, value: Number(p.equity) }))
      .filter((p) => Number.isFinite(p.value) && !seen.has(p.time) && seen.add(p.time));
    const percent = this.scaleSelect.value === 'percent';
    const start = points[0]?.value;
    const shown = percent && start ? points.map((p) => ({ time: p.time, value: ((p.value - start) / start) * 100 })) : points;
    const base = percent ? 0 : (start ?? 0);
    // a move of a few units on a large account must not fill the axis and look like a crash: the scale spans at least ±0.5 % around the start
    const least = percent ? 0.5 : Math.abs(base) * 0.005;
    const quote = this.accounts.find((a) => a.accountId === accountId)?.quoteAsset;
    const places = moneyPlaces(quote);
    this.series.applyOptions({
      baseValue: { type: 'price', price: base },
      priceFormat: percent ? { type: 'custom', formatter: (v: number) => `${v.toFixed(3)} %`, minMove: 0.001 } : { type: 'price', precision: places, minMove: 10 ** -places },
      autoscaleInfoProvider: (original: () => { priceRange: { minValue: number; maxValue: number } | null } | null) => {
        const found = original();
        if (!found?.priceRange) return found;
        return { ...found, priceRange: { minValue: Math.min(found.priceRange.minValue, base - least), maxValue: Math.max(found.priceRange.maxValue, base + least) } };
      },
    });
    this.series.setData(shown);
    this.chart?.timeScale().fitContent();
    const last = curve.points[curve.points.length - 1];
    const change = last && curve.points[0] ? changeText(curve.points[0].equity, last.equity, places) : '';
    this.chartNote.textContent = last ? `Latest equity ${moneyText(last.equity, quote)} at ${time(last.time)}${change} (${curve.points.length} snapshot${curve.points.length === 1 ? '' : 's'}; the line is drawn against the first one)` : 'No portfolio snapshots yet: they are taken every minute.';
  }
}

/** The change since the window's first snapshot, in the quote asset (decimal, at the money scale) and in %, e.g. "; −13.00 (−0.013 %) since the first". */
function changeText(first: string, last: string, places: number): string {
  const [a, b] = [Number(first), Number(last)];
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0) return '';
  const diff = fixed(addDecimals(last, negated(first)), places);
  const negative = diff.startsWith('-');
  const sign = negative ? '−' : /[1-9]/.test(diff) ? '+' : '';
  return `; ${sign}${negative ? diff.slice(1) : diff} (${sign}${Math.abs(((b - a) / a) * 100).toFixed(3)} %) since the first`;
}

/** A price or quantity cell at its market's tick or step: the API's value in data-value, the places shown in data-places (absent: market not known, up to 8). */
function shown(w: { accountId: string; symbol: string }, value: string, kind: 'price' | 'quantity'): HTMLTableCellElement {
  const market = marketOf(w);
  const step = kind === 'price' ? market?.precision.price : market?.precision.amount;
  return h('td', { class: 'num', 'data-value': value, 'data-kind': kind, 'data-places': stepPlaces(step) }, priceText(value, step));
}

/** The currency a position's PnL is in: its market's quote (a swap's settle asset). */
function currencyOf(p: Position): string | undefined {
  return quoteOf(p.symbol) ?? marketOf(p)?.quote;
}

function reasonsOf(s: Signal): string {
  if (s.rejection) return `${s.rejection.code}: ${s.rejection.message}`;
  const reasons = s.orders.flatMap((o) => o.reasons ?? []).map((r) => `${r.code}: ${r.message}`);
  const skipped = s.skipped.map((x) => `${x.code}: ${x.message}`);
  const fates = s.orders.flatMap((o) => (STATUS_WORDS[o.status] ? [`order ${o.clientOrderId.slice(0, 8)}…: ${STATUS_WORDS[o.status]}`] : []));
  return [...reasons, ...skipped, ...fates].join('; ');
}

/** The same, in two or three words for a narrow table cell (the full words are its title). */
const STATUS_HINTS: Readonly<Record<string, string>> = { unknown: 'being looked up', parked: 'at order limit', armed: 'held by PATRIOT', expired: 'expired', exchange_rejected: 'refused' };

/** Order states that need words (issue 20): what they mean for the trader. */
export const STATUS_WORDS: Readonly<Record<string, string>> = {
  unknown: 'the exchange did not answer clearly whether it took it; PATRIOT is looking it up and will never send it a second time',
  expired: 'expired at the exchange: not filled in time, or no funds were there when its trigger came; nothing more happens to it',
  exchange_rejected: 'refused by the exchange; nothing was placed',
  parked: 'waiting: the account is at its open-order limit; sent once an order ends',
  armed: 'held by PATRIOT: the exchange cannot hold this order, so PATRIOT watches the exchange\'s price and sends it as a market (or limit) order once the trigger is crossed; nothing is on the exchange until then',
};

/** Decimal addition on strings (display only; no binary floats): scaled BigInts. */
export function addDecimals(a: string, b: string): string {
  const scale = Math.max(fraction(a), fraction(b));
  const total = toScaled(a, scale) + toScaled(b, scale);
  return fromScaled(total, scale);
}
const fraction = (x: string): number => (x.split('.')[1] ?? '').length;
function toScaled(x: string, scale: number): bigint {
  const negative = x.startsWith('-');
  const [whole = '0', frac = ''] = x.replace(/^[-+]/, '').split('.');
  const value = BigInt(whole + frac.padEnd(scale, '0'));
  return negative ? -value : value;
}
function fromScaled(v: bigint, scale: number): string {
  const negative = v < 0n;
  const digits = (negative ? -v : v).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const frac = scale > 0 ? digits.slice(-scale).replace(/0+$/, '') : '';
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}
const sum = (values: string[]): string => values.reduce((acc, v) => addDecimals(acc, v), '0');

/** The mark at its own precision, where it came from and how old it is; a stale one says so. */
function markCell(p: Position): Child[] {
  if (!p.markPrice) return ['—'];
  const age = p.markAgeMs === undefined ? '' : p.markAgeMs < 1000 ? `${p.markAgeMs} ms` : `${(p.markAgeMs / 1000).toFixed(1)} s`;
  const note = [p.markStale ? 'stale' : '', p.markSource ?? '', age].filter(Boolean).join(' · ');
  return [h('span', { 'data-value': p.markPrice, 'data-kind': 'price', 'data-places': stepPlaces(marketOf(p)?.precision.price) }, shownPrice(p, p.markPrice)), h('small', { class: p.markStale ? 'mark-note warn' : 'mark-note', title: 'price source and age' }, note)];
}

/** Issue 17: the open order's cancel button, or the pending request while the exchange has not answered. */
function cancelCell(o: Order, reload: () => Promise<void>): HTMLElement {
  if (o.cancelRequested) return h('span', { class: 'muted', title: `${o.cancelRequested.reason} (by ${o.cancelRequested.by})` }, 'cancel requested');
  return h('button', { type: 'button', class: 'small', 'data-cancel': o.clientOrderId, onclick: async () => { if (await cancelOrder(o)) await reload(); } }, 'Cancel');
}

/** Issue 17: bracket children right under their entry (the entry first when it is still open). */
function nestBrackets(orders: Order[]): Order[] {
  const children = new Map<string, Order[]>();
  for (const o of orders) if (o.parent) children.set(o.parent.clientOrderId, [...(children.get(o.parent.clientOrderId) ?? []), o]);
  const placed = new Set<string>();
  const out: Order[] = [];
  for (const o of orders) {
    if (o.parent && orders.some((e) => e.clientOrderId === o.parent!.clientOrderId)) continue; // shown under its entry
    out.push(o);
    for (const c of children.get(o.clientOrderId) ?? []) if (!placed.has(c.clientOrderId)) (placed.add(c.clientOrderId), out.push(c));
  }
  return out;
}

/** The order's type, its trigger, and its leg when it is a bracket child. */
function orderKind(o: Order): string {
  const price = (value: string) => shownPrice(o, value);
  const trigger = o.stopPrice ? ` @ ${price(o.stopPrice)}` : '';
  // a trailing stop PATRIOT holds shows where its trigger is now (issue 17); one on the exchange shows its first trigger
  const now = o.managed && o.currentTrigger ? ` @ ${price(o.currentTrigger)} now${o.trailExtreme ? ` (best ${price(o.trailExtreme)})` : ''}` : '';
  const trailed = now || `${trigger} (first trigger)`;
  const type = o.trailingPercent ? `trailing ${o.trailingPercent}%${trailed}`
    : o.trailingDistance ? `trailing ${price(o.trailingDistance)}${trailed}` : `${o.type}${trigger}`;
  const held = o.managed ? (o.triggered ? `, triggered at ${price(o.triggered.price)}` : ', held by PATRIOT') : '';
  const list = o.orderList ? ', one-cancels-other' : '';
  return o.parent ? `${type} (${o.parent.role.replace('_', '-')}${list}${held})` : `${type}${held}`;
}

/** A refused alert's fields as received (issue 20), or why nothing could be read. */
function receivedText(s: Signal): string {
  const fields = Object.entries(s.received ?? {});
  if (fields.length === 0) return s.rejection ? '(not readable)' : '—';
  return fields.map(([k, v]) => `${k}=${v}`).join(' ');
}

/** A decimal string with its sign turned (display arithmetic on strings, never a float). */
function negated(value: string): string {
  if (/^-?0(\.0*)?$/.test(value)) return '0';
  return value.startsWith('-') ? value.slice(1) : `-${value}`;
}
