import { api, authHeaders, errorText } from '../api.js';
import { h, replace, table, td, time, toast, type Child } from '../dom.js';
import { fixed, moneyPlaces, percent, priceText, quantityText, quoteOf, stepPlaces } from '../decimals.js';
import { loadMarkets, marketOf } from '../markets.js';
import type { Account, Analytics, Metrics, RoundTrip, Strategy } from '../types.js';

/** Money (PnL, fees, equity) is shown at this fixed scale where the currency is USDT or not known; an account's own quote asset sets its own (moneyPlaces). */
export const MONEY_PLACES = 2;
const RATIO_PLACES = 2;
const EXPORTS = ['fills', 'orders', 'round-trips', 'signals'] as const;

/** A number cell: the API's value kept in data-value, shown rounded half even to `places`. */
export function num(value: string | undefined, places: number, signed = false): HTMLTableCellElement {
  if (value === undefined) return td('—', 'num muted');
  const cls = !signed ? '' : value.startsWith('-') ? 'neg' : /^0(\.0*)?$/.test(value) ? '' : 'pos';
  return h('td', { class: `num ${cls}`.trim(), 'data-value': value, 'data-places': places }, fixed(value, places));
}

/** Analytics (issue 20): metrics per strategy and per account, daily PnL as bars, the trade history with filters, downloads. */
export class AnalyticsView {
  private readonly form = h('form', { class: 'row filters', 'aria-label': 'Filters' });
  private readonly accountSelect = h('select', { name: 'accountId' });
  private readonly strategySelect = h('select', { name: 'strategyId' });
  private readonly symbolInput = h('input', { name: 'symbol', placeholder: 'BTC/USDT', autocomplete: 'off', spellcheck: 'false' });
  private readonly fromInput = h('input', { name: 'from', type: 'date' });
  private readonly toInput = h('input', { name: 'to', type: 'date' });
  private readonly status = h('p', { class: 'muted', role: 'status' });
  private readonly strategiesEl = h('div');
  private readonly accountsEl = h('div');
  private readonly dailyEl = h('div');
  private readonly tripsEl = h('div');
  private readonly downloadsEl = h('div', { class: 'actions' });
  private accounts: Account[] = [];
  private strategies: Strategy[] = [];

  render(main: HTMLElement): void {
    replace(this.form,
      h('label', {}, 'Account', this.accountSelect), h('label', {}, 'Strategy', this.strategySelect),
      h('label', {}, 'Symbol', this.symbolInput), h('label', {}, 'From (UTC day)', this.fromInput), h('label', {}, 'To (UTC day)', this.toInput),
      h('button', { type: 'submit', class: 'primary' }, 'Apply'));
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.load();
    });
    replace(main,
      h('h1', {}, 'Analytics'),
      h('section', { class: 'card', 'aria-label': 'Filters' }, this.form, this.status),
      h('div', { class: 'grid' },
        h('section', { class: 'card wide', 'aria-labelledby': 'an-strategies-h' }, h('h2', { id: 'an-strategies-h' }, 'Per strategy'), this.strategiesEl),
        h('section', { class: 'card wide', 'aria-labelledby': 'an-accounts-h' }, h('h2', { id: 'an-accounts-h' }, 'Per account'), this.accountsEl),
        h('section', { class: 'card wide', 'aria-labelledby': 'an-daily-h' }, h('h2', { id: 'an-daily-h' }, 'Daily PnL after fees'), this.dailyEl),
        h('section', { class: 'card wide', 'aria-labelledby': 'an-trips-h' }, h('h2', { id: 'an-trips-h' }, 'Trade history (round trips)'), this.tripsEl),
        h('section', { class: 'card wide', 'aria-labelledby': 'an-downloads-h' }, h('h2', { id: 'an-downloads-h' }, 'Downloads'),
          h('p', { class: 'muted' }, 'With the filters above; newest first. CSV has a header line; JSON is one array.'), this.downloadsEl)));
    void this.start();
  }

  destroy(): void {}

  async update(topics: readonly string[]): Promise<void> {
    if (topics.includes('all') || topics.includes('fills')) await this.load().catch(() => undefined);
  }

  price(): void {}

  private async start(): Promise<void> {
    try {
      const [accounts, strategies] = await Promise.all([api<{ items: Account[] }>('/accounts'), api<{ items: Strategy[] }>('/strategies')]);
      this.accounts = accounts.items;
      this.strategies = strategies.items;
      replace(this.accountSelect, h('option', { value: '' }, 'All accounts'), this.accounts.map((a) => h('option', { value: a.accountId }, a.name)));
      replace(this.strategySelect, h('option', { value: '' }, 'All strategies'), this.strategies.map((s) => h('option', { value: s.strategyId }, s.name)));
    } catch (error) {
      this.status.textContent = errorText(error);
    }
    await this.load();
  }

  private query(): URLSearchParams {
    const q = new URLSearchParams();
    const set = (name: string, value: string) => { if (value.trim() !== '') q.set(name, value.trim()); };
    set('accountId', this.accountSelect.value);
    set('strategyId', this.strategySelect.value);
    set('symbol', this.symbolInput.value);
    set('from', this.fromInput.value);
    set('to', this.toInput.value);
    return q;
  }

  private async load(): Promise<void> {
    const q = this.query();
    this.renderDownloads(q);
    try {
      const [analytics, trips] = await Promise.all([api<Analytics>(`/analytics?${q}`), api<{ items: RoundTrip[]; truncated: boolean }>(`/round-trips?${q}`)]);
      await loadMarkets(trips.items);
      this.status.textContent = `From ${time(analytics.from)} to ${time(analytics.to)} (UTC days; money at ${MONEY_PLACES} decimals in the quote asset).`;
      const strategyName = (id: string) => this.strategies.find((s) => s.strategyId === id)?.name ?? id;
      const accountName = (id: string) => this.accounts.find((a) => a.accountId === id)?.name ?? id;
      replace(this.strategiesEl, metricsTable(analytics.strategies.map((s) => [strategyName(s.strategyId), s.metrics, s.strategyId]), 'Strategy', 'Metrics per strategy'));
      replace(this.accountsEl, metricsTable(analytics.accounts.map((a) => [`${accountName(a.accountId)} (${this.quoteOf(a.accountId)})`, a.metrics, a.accountId, moneyPlaces(this.quoteOf(a.accountId))]), 'Account', 'Metrics per account'));
      const selected = this.strategySelect.value !== '' ? analytics.strategies[0] : undefined;
      const daily = selected?.metrics.daily ?? analytics.accounts[0]?.metrics.daily ?? [];
      const whose = selected ? strategyName(selected.strategyId) : analytics.accounts[0] ? accountName(analytics.accounts[0].accountId) : '';
      replace(this.dailyEl, dailyBars(daily, whose));
      replace(this.tripsEl, this.tripsTable(trips.items, strategyName, accountName), trips.truncated ? h('p', { class: 'muted' }, 'Only the latest 500 trips: narrow the filters or download them all.') : null);
    } catch (error) {
      this.status.textContent = errorText(error);
    }
  }

  private quoteOf(accountId: string): string {
    return this.accounts.find((a) => a.accountId === accountId)?.quoteAsset ?? '';
  }

  private tripsTable(trips: RoundTrip[], strategyName: (id: string) => string, accountName: (id: string) => string): HTMLElement {
    return table(
      ['Closed', 'Symbol', 'Side', { text: 'PnL after fees', num: true }, { text: 'Quantity', num: true }, { text: 'Entry', num: true }, { text: 'Exit', num: true }, { text: 'Fees', num: true }, 'Strategy', 'Account', 'Opened'],
      trips.map((t) => {
        const market = marketOf(t);
        const money = moneyPlaces(quoteOf(t.symbol));
        const other = t.otherFees.map((o) => ` + ${o.amount} ${o.currency}`).join('');
        return h('tr', { 'data-trip': `${t.accountId}|${t.strategyId}|${t.symbol}|${t.openedAt}` },
          td(t.closedAt ? time(t.closedAt) : h('span', { class: 'badge open' }, 'open')), td(t.symbol), td(t.side),
          num(t.pnl, money, true), atMarket(t.quantity, quantityText, market?.precision.amount), atMarket(t.averageEntryPrice, priceText, market?.precision.price), atMarket(t.averageExitPrice, priceText, market?.precision.price),
          (() => { const cell = num(t.fees, money); if (other) cell.append(h('small', { class: 'muted' }, other)); return cell; })(),
          td(strategyName(t.strategyId)), td(accountName(t.accountId)), td(time(t.openedAt)));
      }),
      'No trades in this range.', 'Trade history');
  }

  private renderDownloads(q: URLSearchParams): void {
    replace(this.downloadsEl, EXPORTS.flatMap((kind) => (['csv', 'json'] as const).map((format) => {
      const params = new URLSearchParams(q);
      params.set('format', format);
      const href = `/api/v1/export/${kind}?${params}`;
      return h('a', {
        href, class: 'button small', download: `${kind}.${format}`, 'data-export': `${kind}.${format}`,
        onclick: (event: Event) => { event.preventDefault(); void download(href, `${kind}.${format}`); },
      }, `${kind.replace('-', ' ')} (${format.toUpperCase()})`);
    })));
  }
}

/** The API needs the bearer token, which a plain link cannot send: fetch with it, then save the file. */
async function download(href: string, name: string): Promise<void> {
  const headers = await authHeaders();
  if (!headers) return;
  const res = await fetch(href, { headers }).catch(() => undefined);
  if (!res?.ok) {
    toast(`The download failed${res ? ` (HTTP ${res.status})` : ': no connection'}`);
    return;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A price or quantity cell at its market's tick or step (unknown: up to 8 places, trimmed); the API's value in data-value. */
function atMarket(value: string | undefined, show: (value: string, step: string | undefined) => string, step: string | undefined): HTMLTableCellElement {
  if (value === undefined) return td('—', 'num muted');
  return h('td', { class: 'num', 'data-value': value, 'data-places': stepPlaces(step) }, show(value, step));
}

/** Metrics rows: name, metrics, id, and the money scale of the row's currency (default MONEY_PLACES). */
export function metricsTable(rows: [string, Metrics, string, number?][], first: string, label: string): HTMLElement {
  return table(
    [first, { text: 'PnL after fees', num: true }, { text: 'Trades', num: true }, { text: 'Win rate', num: true }, { text: 'Fees', num: true }, { text: 'Unrealised', num: true },
      { text: 'Avg win', num: true }, { text: 'Avg loss', num: true }, { text: 'Profit factor', num: true }, { text: 'Expectancy', num: true },
      { text: 'Max drawdown', num: true }, { text: 'Sharpe (daily)', num: true }, { text: 'Sortino (daily)', num: true }, { text: 'Exposure', num: true }],
    rows.map(([name, m, id, money = MONEY_PLACES]) => h('tr', { 'data-group': id },
      td(name), num(m.realizedPnl, money, true), td(String(m.trades), 'num'), td(m.winRate === undefined ? '—' : percent(m.winRate), 'num'),
      num(m.fees, money), num(m.unrealizedPnl, money, true), num(m.averageWin, money, true), num(m.averageLoss, money, true),
      num(m.profitFactor, RATIO_PLACES), num(m.expectancy, money, true),
      drawdownCell(m, money), num(m.sharpe, RATIO_PLACES), num(m.sortino, RATIO_PLACES), td(m.exposure === undefined ? '—' : percent(m.exposure), 'num'))),
    'No fills in this range.', label);
}

function drawdownCell(m: Metrics, money: number): HTMLTableCellElement {
  const cell = num(m.maxDrawdown.amount, money);
  const dates: Child = m.maxDrawdown.peakAt && m.maxDrawdown.troughAt ? h('small', { class: 'mark-note' }, `${time(m.maxDrawdown.peakAt)} → ${time(m.maxDrawdown.troughAt)}`) : null;
  if (m.maxDrawdown.percent !== undefined) cell.append(` (${fixed(m.maxDrawdown.percent, 2)} %)`);
  if (dates) cell.append(dates);
  return cell;
}

/** Daily PnL as bars (SVG: gains up, losses down from a zero line); each bar's title has the exact figure. */
function dailyBars(daily: readonly { day: string; pnl: string; equity: string }[], whose: string): HTMLElement {
  if (daily.length === 0) return h('p', { class: 'empty' }, 'No days in this range.');
  const ns = 'http://www.w3.org/2000/svg';
  const width = Math.max(daily.length * 12, 120);
  const height = 160;
  // geometry only: the figures themselves stay decimal strings
  const values = daily.map((d) => Math.abs(Number(d.pnl)));
  const max = Math.max(...values, 1e-12);
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'bars');
  svg.style.width = `min(100%, ${daily.length * 16}px)`; // a few days are a few narrow bars, not one wide block (CSSOM: the CSP allows no style attribute)
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Daily PnL after fees of ${whose}, ${daily.length} days`);
  const mid = height / 2;
  daily.forEach((d, i) => {
    const size = (Math.abs(Number(d.pnl)) / max) * (mid - 4);
    const rect = document.createElementNS(ns, 'rect');
    rect.setAttribute('x', String(i * (width / daily.length) + 1));
    rect.setAttribute('width', String(Math.max(width / daily.length - 2, 1)));
    rect.setAttribute('y', String(d.pnl.startsWith('-') ? mid : mid - size));
    rect.setAttribute('height', String(Math.max(size, 0.5)));
    rect.setAttribute('class', d.pnl.startsWith('-') ? 'bar neg' : 'bar pos');
    rect.setAttribute('data-day', d.day);
    const title = document.createElementNS(ns, 'title');
    title.textContent = `${d.day}: ${fixed(d.pnl, MONEY_PLACES)} (equity ${fixed(d.equity, MONEY_PLACES)})`;
    rect.append(title);
    svg.append(rect);
  });
  const zero = document.createElementNS(ns, 'line');
  for (const [k, v] of [['x1', '0'], ['x2', String(width)], ['y1', String(mid)], ['y2', String(mid)], ['class', 'zero']] as const) zero.setAttribute(k, v);
  svg.append(zero);
  const last = daily[daily.length - 1]!;
  return h('div', {}, h('p', { class: 'muted' }, `${whose}: ${daily[0]!.day} to ${last.day}, cumulative ${fixed(last.equity, MONEY_PLACES)}`), svg as unknown as HTMLElement);
}
