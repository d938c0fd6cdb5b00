import { api, errorText } from '../api.js';
import { confirmAction } from '../dialog.js';
import { copyButton, h, replace, toast } from '../dom.js';
import { controlButtons, runBadge } from '../strategy-control.js';
import { OrderTicket } from '../order-ticket.js';
import type { Account, OrderTemplate, Sizing, Strategy, StrategyInput, WebhookSecret } from '../types.js';

const SIZING: Record<Sizing['kind'], { label: string; field: string; hint: string }> = {
  fixed_quantity: { label: 'Fixed quantity', field: 'quantity', hint: 'base quantity, e.g. 0.01' },
  quote_amount: { label: 'Quote amount', field: 'amount', hint: 'spend this much USDT' },
  signal_quantity: { label: "Alert's quantity ×", field: 'multiplier', hint: 'multiplier of {{strategy.order.contracts}}' },
  target_position: { label: 'Target position ×', field: 'multiplier', hint: 'multiplier of {{strategy.position_size}}: the strategy is brought to it' },
  percent_of_equity: { label: '% of equity', field: 'percent', hint: 'percent of the account equity per order, e.g. 5' },
  percent_of_balance: { label: '% of USDT balance', field: 'percent', hint: 'percent of the quote balance per order, e.g. 10' },
  percent_of_position: { label: '% of position (exits)', field: 'percent', hint: "percent of the strategy's position each exit takes, e.g. 50" },
  risk: { label: 'Risk % of equity', field: 'riskPercent', hint: "percent of equity lost at the stop (the alert's stop_loss, else the default stop %)" },
};

/** Strategies: create and edit, webhook URL and ready-to-paste alert message, test alerts, the order ticket. */
export class StrategiesView {
  private readonly listEl = h('div', { class: 'grid' });
  private readonly editorEl = h('section', { class: 'card wide', 'aria-labelledby': 'editor-h' });
  private readonly secretEl = h('div');
  private accounts: Account[] = [];
  private strategies: Strategy[] = [];
  private readonly ticket = new OrderTicket();

  render(main: HTMLElement): void {
    replace(main, h('h1', {}, 'Strategies'), this.secretEl, h('div', { class: 'grid' }, this.ticket.element), h('div', { class: 'grid' }, this.editorEl), h('h2', { class: 'section-title' }, 'Your strategies'), this.listEl);
    void this.update(['all']).then(() => this.edit(undefined));
  }

  destroy(): void {}
  price(): void {}

  async update(topics: readonly string[]): Promise<void> {
    if (!topics.some((t) => ['all', 'strategies', 'accounts'].includes(t))) return;
    try {
      const [accounts, strategies] = await Promise.all([api<{ items: Account[] }>('/accounts'), api<{ items: Strategy[] }>('/strategies')]);
      this.accounts = accounts.items;
      this.strategies = strategies.items;
      this.ticket.setStrategies(this.strategies);
      this.renderList();
    } catch (error) {
      replace(this.listEl, h('p', { class: 'error' }, errorText(error)));
    }
  }

  private renderList(): void {
    const name = (id: string) => this.accounts.find((a) => a.accountId === id)?.name ?? id;
    replace(this.listEl, this.strategies.length === 0 ? h('p', { class: 'empty' }, 'No strategies yet.') : this.strategies.map((s) => {
      const ticker = h('input', { 'aria-label': `Ticker for a test alert of ${s.name}`, value: 'BINANCE:BTCUSDT', name: 'ticker' });
      const quantity = h('input', { 'aria-label': `Quantity for a test alert of ${s.name}`, value: '0.01', name: 'quantity', inputmode: 'decimal' });
      const action = h('select', { 'aria-label': `Action of the test alert of ${s.name}` }, h('option', { value: 'buy' }, 'buy'), h('option', { value: 'sell' }, 'sell'), h('option', { value: 'close' }, 'close'));
      const result = h('p', { role: 'status', class: 'muted' });
      return h('article', { class: 'card', 'data-strategy': s.strategyId, 'aria-label': s.name },
        h('h3', {}, s.name, ' ', runBadge(s)),
        h('p', { class: 'muted' }, s.accounts.map((a) => `${name(a.accountId)}: ${describeSizing(a.sizing)}, ${a.orderTemplate.type}`).join(' · ')),
        h('div', { class: 'copy-line' }, h('span', {}, 'Webhook URL'), h('code', {}, s.webhookUrl), copyButton(() => s.webhookUrl, `Copy the webhook URL of ${s.name}`)),
        h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: () => this.ticket.choose(s.strategyId), 'aria-label': `Place an order through ${s.name}` }, 'Place an order'),
          h('button', { type: 'button', onclick: () => this.edit(s) }, 'Edit'),
          h('button', { type: 'button', onclick: () => void this.rotate(s) }, 'New secret & alert message'),
          ...controlButtons(s, () => void this.update(['strategies']))),
        h('form', { class: 'row test-alert', onsubmit: (e: Event) => { e.preventDefault(); void this.testAlert(s, action.value, ticker.value, quantity.value, result); } },
          action, ticker, quantity, h('button', { type: 'submit' }, 'Send test alert')),
        result);
    }));
  }

  private async testAlert(s: Strategy, action: string, ticker: string, quantity: string, result: HTMLElement): Promise<void> {
    result.textContent = 'Sending…';
    try {
      const answer = await api<{ status: string; signalId?: string }>(`/strategies/${encodeURIComponent(s.strategyId)}/test-alert`, {
        body: { action, ticker: ticker.trim(), ...(quantity.trim() ? { quantity: quantity.trim() } : {}) },
      });
      result.textContent = `Test alert ${answer.status} (${answer.signalId ?? ''}): see the signal log on the overview.`;
    } catch (error) {
      result.textContent = `Test alert refused: ${errorText(error)}`;
    }
  }

  private async rotate(s: Strategy): Promise<void> {
    if (!(await confirmAction('Replace the webhook secret?', `Alerts of "${s.name}" that still carry the old secret will be refused. You will paste the new alert message into TradingView.`, 'Replace secret'))) return;
    try {
      this.showSecret(s.name, await api<WebhookSecret>(`/strategies/${encodeURIComponent(s.strategyId)}/rotate-secret`, { method: 'POST', body: {} }));
    } catch (error) {
      toast(errorText(error));
    }
  }

  private showSecret(name: string, w: WebhookSecret): void {
    replace(this.secretEl, h('section', { class: 'card secret-panel', 'aria-labelledby': 'secret-h', tabindex: '-1' },
      h('h2', { id: 'secret-h' }, `Connect TradingView to "${name}"`),
      h('p', {}, h('strong', {}, 'Shown once: '), 'copy the alert message now. It holds the webhook secret, which PATRIOT never shows again.'),
      h('div', { class: 'copy-line' }, h('span', {}, 'Webhook URL'), h('code', {}, w.webhookUrl), copyButton(() => w.webhookUrl, 'Copy the webhook URL')),
      h('p', {}, 'Alert message for a strategy alert ("Order fills and alert() function calls"):'),
      h('pre', { class: 'code', id: 'alert-message' }, w.alertMessage),
      h('div', { class: 'actions' }, copyButton(() => w.alertMessage, 'Copy the alert message')),
      h('details', {}, h('summary', {}, 'For an indicator or price alert'), h('pre', { class: 'code' }, w.indicatorAlertMessage), copyButton(() => w.indicatorAlertMessage, 'Copy the indicator alert message')),
      (w.actionAlertMessages?.length ?? 0) > 0
        ? h('details', { class: 'action-messages' }, h('summary', {}, 'A message for each action (brackets, stops, trailing, close, cancel, …)'),
          ...(w.actionAlertMessages ?? []).map((m) => h('div', { class: 'action-message', 'data-action': m.action },
            h('p', {}, m.label), h('pre', { class: 'code' }, m.message), copyButton(() => m.message, `Copy: ${m.label}`))))
        : null,
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => replace(this.secretEl) }, 'I have copied it'))));
    this.secretEl.querySelector<HTMLElement>('section')?.focus();
  }

  private edit(s: Strategy | undefined): void {
    const rows = h('div', { class: 'stack' });
    const addRow = (link?: Strategy['accounts'][number]) => rows.append(this.accountRow(link, () => rows.children.length > 1));
    (s?.accounts ?? [undefined]).forEach((link) => addRow(link));
    const error = h('p', { class: 'error', role: 'alert' });
    const field = (label: string, name: string, value: string | number | undefined, hint = '', attrs: Record<string, string> = {}) =>
      h('label', {}, label, hint ? h('span', { class: 'hint' }, hint) : null, h('input', { name, value: value ?? '', ...attrs }));
    const symbolMap = Object.entries(s?.symbolMap ?? {}).map(([k, v]) => `${k}=${v}`).join('\n');
    const form = h('form', { class: 'stack' },
      field('Name', 'name', s?.name, '', { required: 'true', maxlength: '100' }),
      h('fieldset', {}, h('legend', {}, 'Accounts and sizing'), rows, h('div', {}, h('button', { type: 'button', class: 'small', onclick: () => addRow() }, 'Add another account'))),
      h('fieldset', {}, h('legend', {}, 'Risk limits (USDT; empty = no limit)'),
        h('div', { class: 'row' },
          field('Max order notional', 'maxOrderNotional', s?.risk.maxOrderNotional, '', { inputmode: 'decimal' }),
          field('Max position notional', 'maxPositionNotional', s?.risk.maxPositionNotional, '', { inputmode: 'decimal' }),
          field('Max open orders', 'maxOpenOrders', s?.risk.maxOpenOrders, '', { inputmode: 'numeric' })),
        field('Allowed symbols', 'allowedSymbols', s?.risk.allowedSymbols?.join(', '), ' comma-separated, e.g. BTC/USDT, ETH/USDT')),
      h('div', { class: 'row' },
        h('label', {}, 'Symbol map', h('span', { class: 'hint' }, ' one per line: TICKER=BASE/QUOTE'), h('textarea', { name: 'symbolMap', placeholder: 'BINANCE:BTCUSDT.P=BTC/USDT' }, symbolMap)),
        field('Max signal age (seconds)', 'maxSignalAgeSeconds', s?.maxSignalAgeSeconds ?? 300, ' 0 = no stale-signal guard', { inputmode: 'numeric' })),
      error,
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, s ? 'Save strategy' : 'Create strategy'),
        s ? h('button', { type: 'button', onclick: () => this.edit(undefined) }, 'Cancel') : null));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.save(form, s, error);
    });
    replace(this.editorEl, h('h2', { id: 'editor-h' }, s ? `Edit "${s.name}"` : 'New strategy'), form);
    if (s) form.querySelector<HTMLInputElement>('input[name=name]')?.focus();
  }

  private accountRow(link: Strategy['accounts'][number] | undefined, removable: () => boolean): HTMLElement {
    const account = h('select', { name: 'accountId', 'aria-label': 'Account' }, this.accounts.map((a) => h('option', { value: a.accountId, selected: a.accountId === link?.accountId }, `${a.name} (${a.exchange})`)));
    const kind = h('select', { name: 'sizingKind', 'aria-label': 'Sizing' }, Object.entries(SIZING).map(([k, v]) => h('option', { value: k, selected: k === (link?.sizing.kind ?? 'fixed_quantity') }, v.label)));
    const known = link ? SIZING[link.sizing.kind as Sizing['kind']] : undefined;
    const sizingValue = link ? (known ? link.sizing[known.field] : Object.entries(link.sizing).find(([k]) => k !== 'kind')?.[1]) : '0.01';
    const amount = h('input', { name: 'sizingValue', 'aria-label': 'Sizing amount', inputmode: 'decimal', value: sizingValue ?? '', required: true, title: SIZING.fixed_quantity.hint });
    const type = h('select', { name: 'orderType', 'aria-label': 'Order type' }, h('option', { value: 'market', selected: link?.orderTemplate.type !== 'limit' }, 'Market'), h('option', { value: 'limit', selected: link?.orderTemplate.type === 'limit' }, 'Limit'));
    const offset = h('input', { name: 'offsetBps', 'aria-label': 'Limit offset (bps)', placeholder: 'offset bps', inputmode: 'decimal', value: link?.orderTemplate.offsetBps ?? '5', hidden: link?.orderTemplate.type !== 'limit' });
    type.addEventListener('change', () => (offset.hidden = type.value !== 'limit'));
    const stop = h('input', { name: 'stopPercent', 'aria-label': 'Default stop %', placeholder: 'default stop %', inputmode: 'decimal', value: link?.sizing.kind === 'risk' ? (link.sizing.stopPercent ?? '') : '', hidden: link?.sizing.kind !== 'risk' });
    kind.addEventListener('change', () => {
      amount.title = SIZING[kind.value as Sizing['kind']].hint;
      stop.hidden = kind.value !== 'risk';
    });
    const row = h('div', { class: 'row account-row' }, account, kind, amount, stop, type, offset,
      h('button', { type: 'button', class: 'small', 'aria-label': 'Remove this account', onclick: () => { if (removable()) row.remove(); } }, 'Remove'));
    return row;
  }

  private async save(form: HTMLFormElement, existing: Strategy | undefined, error: HTMLElement): Promise<void> {
    error.textContent = '';
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const accounts = [...form.querySelectorAll<HTMLElement>('.account-row')].map((row) => {
      const value = (name: string) => (row.querySelector<HTMLInputElement | HTMLSelectElement>(`[name=${name}]`)?.value ?? '').trim();
      const kind = value('sizingKind') as Sizing['kind'];
      const sizing = { kind, [SIZING[kind].field]: value('sizingValue'), ...(kind === 'risk' && value('stopPercent') ? { stopPercent: value('stopPercent') } : {}) } as Sizing;
      const orderTemplate: OrderTemplate = value('orderType') === 'limit' ? { type: 'limit', offsetBps: value('offsetBps') } : { type: 'market' };
      return { accountId: value('accountId'), sizing, orderTemplate };
    });
    const symbolMap: Record<string, string> = {};
    for (const line of text('symbolMap').split('\n').map((l) => l.trim()).filter(Boolean)) {
      const [ticker, symbol] = line.split('=').map((x) => x.trim());
      if (!ticker || !symbol) {
        error.textContent = `Symbol map line "${line}" is not TICKER=BASE/QUOTE`;
        return;
      }
      symbolMap[ticker] = symbol;
    }
    const allowed = text('allowedSymbols').split(',').map((x) => x.trim().toUpperCase()).filter(Boolean);
    const input: StrategyInput = {
      name: text('name'), accounts, symbolMap, maxSignalAgeSeconds: Number(text('maxSignalAgeSeconds') || '300'),
      risk: {
        ...(text('maxOrderNotional') ? { maxOrderNotional: text('maxOrderNotional') } : {}),
        ...(text('maxPositionNotional') ? { maxPositionNotional: text('maxPositionNotional') } : {}),
        ...(text('maxOpenOrders') ? { maxOpenOrders: Number(text('maxOpenOrders')) } : {}),
        ...(allowed.length > 0 ? { allowedSymbols: allowed } : {}),
      },
    };
    try {
      if (existing) {
        await api<Strategy>(`/strategies/${encodeURIComponent(existing.strategyId)}`, { method: 'PUT', body: input });
        toast(`Strategy "${input.name}" saved`);
      } else {
        const created = await api<{ strategy: Strategy; webhook: WebhookSecret }>('/strategies', { body: input });
        this.showSecret(created.strategy.name, created.webhook);
        toast(`Strategy "${input.name}" created`);
      }
      await this.update(['strategies']);
      this.edit(undefined);
      if (!existing) this.secretEl.querySelector<HTMLElement>('section')?.focus();
    } catch (e) {
      error.textContent = errorText(e);
    }
  }
}

function describeSizing(sizing: Record<string, string>): string {
  switch (sizing.kind) {
    case 'fixed_quantity':
      return `${sizing.quantity} per order`;
    case 'quote_amount':
      return `${sizing.amount} USDT per order`;
    case 'signal_quantity':
      return `alert quantity × ${sizing.multiplier}`;
    case 'target_position':
      return `target position × ${sizing.multiplier}`;
    case 'percent_of_equity':
      return `${sizing.percent} % of equity per order`;
    case 'percent_of_balance':
      return `${sizing.percent} % of the quote balance per order`;
    case 'percent_of_position':
      return `${sizing.percent} % of the position per exit`;
    case 'risk':
      return `risk ${sizing.riskPercent} % of equity${sizing.stopPercent ? ` (stop ${sizing.stopPercent} % by default)` : ''}`;
    default:
      return String(sizing.kind);
  }
}
