import { api, errorText } from '../api.js';
import { h, replace, table, td, time } from '../dom.js';
import { fixed, priceText, quantityText, stepPlaces } from '../decimals.js';
import type { Metrics, RoundTrip } from '../types.js';
import { MONEY_PLACES, metricsTable, num } from './analytics.js';

interface Refusal { line: number; time: string; stage: string; code: string; message: string; received?: Record<string, string> }
interface ReplayReport {
  format: string; store: string; from: string; to: string; alerts: number; accepted: number; duplicates: number;
  prices: { symbol: string; candles: number; from: string; to: string }[];
  strategies: { strategyId: string; metrics: Metrics }[];
  accounts: { accountId: string; startingBalance: string; quoteAsset: string; metrics: Metrics }[];
  roundTrips: RoundTrip[];
  refused: Refusal[];
}
interface Replay { replayId: string; name: string; createdAt: string; report: ReplayReport }
interface ReplaySummary { replayId: string; name: string; createdAt: string; alerts: number; accepted: number; refused: number; trades: number; pnl: string }

/** The paper exchange's markets (a replay trades them; ADR-0025): their tick and step (src/adapters/exchanges/paper/markets.ts). */
const MARKETS: Readonly<Record<string, { price: string; amount: string }>> = { 'BTC/USDT': { price: '0.01', amount: '0.00001' }, 'ETH/USDT': { price: '0.01', amount: '0.0001' }, 'SOL/USDT': { price: '0.01', amount: '0.001' } };

/** Replays (issue 20, ADR-0025): upload an alert history and candles, read the reports. */
export class ReplaysView {
  private readonly form = h('form', { class: 'row filters', 'aria-label': 'New replay' });
  private readonly alertsInput = h('input', { type: 'file', name: 'alerts', accept: '.json,.csv,.txt,application/json,text/csv', required: true });
  private readonly pricesInput = h('input', { type: 'file', name: 'prices', accept: '.csv,text/csv', required: true });
  private readonly symbolSelect = h('select', { name: 'symbol' }, Object.keys(MARKETS).map((s) => h('option', { value: s }, s)));
  private readonly balanceInput = h('input', { name: 'startingBalance', inputmode: 'decimal', value: '100000', autocomplete: 'off' });
  private readonly nameInput = h('input', { name: 'name', placeholder: 'January backtest', autocomplete: 'off', maxlength: '100' });
  private readonly submit = h('button', { type: 'submit', class: 'primary' }, 'Replay');
  private readonly status = h('p', { class: 'muted', role: 'status' });
  private readonly listEl = h('div');
  private readonly reportEl = h('div');

  render(main: HTMLElement): void {
    replace(this.form,
      h('label', {}, 'Alert history (JSON or CSV of time, message; or TradingView\'s "List of trades")', this.alertsInput),
      h('label', {}, 'Candles (CSV: time, open, high, low, close)', this.pricesInput),
      h('label', {}, 'Symbol of the candles', this.symbolSelect),
      h('label', {}, 'Starting balance (USDT)', this.balanceInput),
      h('label', {}, 'Name', this.nameInput),
      this.submit);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.run();
    });
    replace(main,
      h('h1', {}, 'Replays'),
      h('section', { class: 'card', 'aria-labelledby': 'rp-new-h' }, h('h2', { id: 'rp-new-h' }, 'Replay an alert history'),
        h('p', { class: 'muted' }, 'Runs the alerts through the same ingest, risk and execution as live trading, on a paper account in a store of its own: your live data is not touched.'),
        this.form, this.status),
      h('div', { class: 'grid' },
        h('section', { class: 'card wide', 'aria-labelledby': 'rp-list-h' }, h('h2', { id: 'rp-list-h' }, 'Reports'), this.listEl),
        this.reportEl));
    void this.loadList();
  }

  destroy(): void {}

  async update(): Promise<void> {}

  price(): void {}

  private async run(): Promise<void> {
    const alerts = this.alertsInput.files?.[0];
    const prices = this.pricesInput.files?.[0];
    if (!alerts || !prices) {
      this.status.textContent = 'Choose an alert history and a candle file.';
      return;
    }
    this.submit.disabled = true;
    this.status.textContent = `Replaying ${alerts.name} against ${prices.name}…`;
    try {
      const body = {
        alerts: await alerts.text(), prices: await prices.text(), symbol: this.symbolSelect.value,
        ...(this.balanceInput.value.trim() !== '' ? { startingBalance: this.balanceInput.value.trim() } : {}),
        ...(this.nameInput.value.trim() !== '' ? { name: this.nameInput.value.trim() } : {}),
      };
      const replay = await api<Replay>('/replays', { body });
      this.status.textContent = `Done: ${replay.report.alerts} alerts, ${replay.report.refused.length} refusals.`;
      this.show(replay);
      await this.loadList();
    } catch (error) {
      this.status.textContent = `Refused: ${errorText(error)}`;
    } finally {
      this.submit.disabled = false;
    }
  }

  private async loadList(): Promise<void> {
    try {
      const list = await api<{ items: ReplaySummary[] }>('/replays');
      replace(this.listEl, table(
        ['Name', { text: 'PnL after fees', num: true }, { text: 'Trades', num: true }, { text: 'Refused', num: true }, { text: 'Alerts', num: true }, 'Created', ''],
        list.items.map((r) => h('tr', { 'data-replay': r.replayId },
          td(r.name), num(r.pnl, MONEY_PLACES, true), td(String(r.trades), 'num'), td(String(r.refused), 'num'), td(String(r.alerts), 'num'), td(time(r.createdAt)),
          td(h('button', { type: 'button', class: 'small', onclick: () => void this.open(r.replayId) }, 'Open')))),
        'No replays yet.', 'Replay reports'));
    } catch (error) {
      replace(this.listEl, h('p', { class: 'empty' }, errorText(error)));
    }
  }

  private async open(replayId: string): Promise<void> {
    try {
      this.show(await api<Replay>(`/replays/${encodeURIComponent(replayId)}`));
    } catch (error) {
      this.status.textContent = errorText(error);
    }
  }

  private show(replay: Replay): void {
    const r = replay.report;
    const prices = r.prices.map((p) => `${p.symbol}: ${p.candles} candles, ${time(p.from)} to ${time(p.to)}`).join('; ');
    replace(this.reportEl,
      h('section', { class: 'card wide', 'aria-labelledby': 'rp-report-h', 'data-report': replay.replayId },
        h('h2', { id: 'rp-report-h' }, replay.name),
        h('p', { class: 'muted' }, `${r.alerts} alerts (${r.format}) from ${time(r.from)} to ${time(r.to)}: ${r.accepted} accepted, ${r.refused.length} refusals, ${r.duplicates} repeats. ${prices}. Money at ${MONEY_PLACES} decimals in the quote asset.`),
        h('h3', {}, 'Per strategy'),
        metricsTable(r.strategies.map((s) => [s.strategyId, s.metrics, s.strategyId]), 'Strategy', 'Replay metrics per strategy'),
        h('h3', {}, 'Per account'),
        metricsTable(r.accounts.map((a) => [`${a.accountId} (start ${fixed(a.startingBalance, MONEY_PLACES)} ${a.quoteAsset})`, a.metrics, a.accountId]), 'Account', 'Replay metrics per account'),
        h('h3', {}, `Round trips (${r.roundTrips.length})`),
        table(['Closed', { text: 'PnL after fees', num: true }, 'Symbol', 'Side', { text: 'Quantity', num: true }, { text: 'Entry', num: true }, { text: 'Exit', num: true }, { text: 'Fees', num: true }, 'Opened'],
          r.roundTrips.map((t) => {
            const market = MARKETS[t.symbol];
            const cell = (value: string | undefined, show: typeof priceText, step: string | undefined) => (value === undefined ? td('—', 'num muted') : h('td', { class: 'num', 'data-value': value, 'data-places': stepPlaces(step) }, show(value, step)));
            return h('tr', { 'data-trip': `${t.symbol}|${t.openedAt}` },
              td(t.closedAt ? time(t.closedAt) : h('span', { class: 'badge open' }, 'open')), num(t.pnl, MONEY_PLACES, true), td(t.symbol), td(t.side),
              cell(t.quantity, quantityText, market?.amount), cell(t.averageEntryPrice, priceText, market?.price), cell(t.averageExitPrice, priceText, market?.price), num(t.fees, MONEY_PLACES), td(time(t.openedAt)));
          }), 'No trades.', 'Replay round trips'),
        h('h3', {}, `Refused alerts (${r.refused.length})`),
        table(['Line', 'Code', 'Why', 'Stage', 'Time'],
          r.refused.map((x) => h('tr', { 'data-refusal': String(x.line) }, td(String(x.line), 'num'), td(h('code', {}, x.code)), td(x.message), td(x.stage), td(time(x.time)))),
          'No alert was refused.', 'Refused alerts')));
  }
}
