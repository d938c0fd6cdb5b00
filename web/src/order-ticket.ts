import { api, errorText } from './api.js';
import { confirmAction } from './dialog.js';
import { copyButton, h, replace, toast } from './dom.js';
import { ACTIONS, ORDER_TYPES, alertFields, describeOrder, shownFor, tradingViewMessage, type Ticket, type TicketAction, type TicketType } from './order-fields.js';
import type { Strategy } from './types.js';

interface Placed { signalId: string; repeated: boolean }

/**
 * The order ticket (issue 17): any order PATRIOT supports, placed by hand through a strategy (routed,
 * sized and risk-checked like its alerts), asked for once more before it is sent; the same order as
 * a ready-to-paste TradingView alert message beside it.
 */
export class OrderTicket {
  readonly element: HTMLElement;
  private readonly strategy = h('select', { id: 'ot-strategy', name: 'strategy' });
  private readonly action = h('select', { id: 'ot-action', name: 'action' }, ACTIONS.map((a) => h('option', { value: a.value }, a.label)));
  private readonly ticker = h('input', { id: 'ot-ticker', name: 'ticker', value: 'BINANCE:BTCUSDT', autocomplete: 'off', maxlength: 64 });
  private readonly quantity = h('input', { id: 'ot-quantity', name: 'quantity', inputmode: 'decimal', placeholder: 'e.g. 0.01 or 25%', autocomplete: 'off', maxlength: 64 });
  private readonly orderType = h('select', { id: 'ot-type', name: 'orderType' }, ORDER_TYPES.map((t) => h('option', { value: t.value }, t.label)));
  private readonly limitPrice = h('input', { id: 'ot-limit', name: 'limitPrice', inputmode: 'decimal', autocomplete: 'off', maxlength: 64 });
  private readonly stopPrice = h('input', { id: 'ot-stop', name: 'stopPrice', inputmode: 'decimal', autocomplete: 'off', maxlength: 64 });
  private readonly trailingBy = h('select', { id: 'ot-trailing-by', name: 'trailingBy' }, h('option', { value: 'percent' }, 'Percent'), h('option', { value: 'distance' }, 'Price distance'));
  private readonly trailing = h('input', { id: 'ot-trailing', name: 'trailing', inputmode: 'decimal', placeholder: 'e.g. 1.5', autocomplete: 'off', maxlength: 64 });
  private readonly bracket = h('input', { id: 'ot-bracket', name: 'bracket', type: 'checkbox' });
  private readonly takeProfit = h('input', { id: 'ot-tp', name: 'takeProfit', placeholder: 'e.g. 99000,101000 or 2%,4%', autocomplete: 'off', maxlength: 200 });
  private readonly split = h('input', { id: 'ot-split', name: 'takeProfitSplit', placeholder: 'e.g. 50,50', autocomplete: 'off', maxlength: 100 });
  private readonly stopLoss = h('input', { id: 'ot-sl', name: 'stopLoss', placeholder: 'e.g. 96000 or 1.5%', autocomplete: 'off', maxlength: 64 });
  private readonly stopLossLimit = h('input', { id: 'ot-sl-limit', name: 'stopLossLimit', placeholder: 'e.g. 95900 or 0.3%', autocomplete: 'off', maxlength: 64 });
  private readonly breakEven = h('input', { id: 'ot-break-even', name: 'breakEven', type: 'checkbox' });
  private readonly comment = h('input', { id: 'ot-comment', name: 'comment', autocomplete: 'off', maxlength: 500 });
  private readonly message = h('pre', { class: 'code', id: 'ot-alert-json', 'aria-label': 'The same order as a TradingView alert message' });
  private readonly result = h('p', { role: 'status', class: 'muted', id: 'ot-result' });
  private readonly groups: Record<'quantity' | 'orderType' | 'limitPrice' | 'stopPrice' | 'trailing' | 'bracket' | 'bracketFields', HTMLElement>;
  private strategies: Strategy[] = [];

  constructor() {
    const field = (label: string, input: HTMLElement, hint = '') => h('label', { for: input.id }, label, hint ? h('span', { class: 'hint' }, hint) : null, input);
    this.groups = {
      quantity: field('Quantity', this.quantity, ' base quantity, or a percent of the sizing base; empty: the strategy\'s sizing'),
      orderType: field('Order type', this.orderType),
      limitPrice: field('Limit price', this.limitPrice),
      stopPrice: field('Trigger (stop price)', this.stopPrice),
      trailing: h('div', { class: 'row' }, field('Trail by', this.trailingBy), field('Trailing distance', this.trailing, ' percent or price')),
      bracket: h('label', { class: 'check', for: this.bracket.id }, this.bracket, ' Add take-profit and stop-loss (a bracket)'),
      bracketFields: h('fieldset', { class: 'bracket' }, h('legend', {}, 'Bracket'),
        h('div', { class: 'row' },
          field('Take-profit levels', this.takeProfit, ' prices or % from the entry, comma-separated'),
          field('Split (%)', this.split, ' per level, summing to 100; empty: equal parts')),
        h('div', { class: 'row' },
          field('Stop-loss', this.stopLoss, ' a price or % from the entry'),
          field('Stop-loss limit', this.stopLossLimit, ' optional: makes the stop a stop-limit (a price or % beyond the trigger)')),
        h('label', { class: 'check', for: this.breakEven.id }, this.breakEven, ' Move the stop to the entry once the first take-profit filled (break-even)')),
    };
    const form = h('form', { class: 'stack order-ticket', 'aria-labelledby': 'ot-h', novalidate: true },
      h('div', { class: 'row' }, field('Strategy', this.strategy, ' routes, sizes and risk-checks it like its alerts'), field('Action', this.action)),
      h('div', { class: 'row' }, field('Ticker', this.ticker, ' as in TradingView (BINANCE:BTCUSDT), or BTC/USDT'), this.groups.quantity),
      h('div', { class: 'row' }, this.groups.orderType, this.groups.stopPrice, this.groups.limitPrice),
      this.groups.trailing,
      this.groups.bracket,
      this.groups.bracketFields,
      field('Comment', this.comment, ' optional, kept with the signal'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Review and place order')),
      this.result,
      h('details', { class: 'ticket-alert' }, h('summary', {}, 'The same order as a TradingView alert message'),
        h('p', { class: 'muted small' }, 'Paste it into a TradingView alert sent to the strategy\'s webhook URL, with your webhook secret in place of YOUR_WEBHOOK_SECRET.'),
        this.message, copyButton(() => this.message.textContent ?? '', 'Copy the alert message of this order')));
    form.addEventListener('input', () => this.refresh());
    form.addEventListener('change', () => this.refresh());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.element = h('section', { class: 'card wide', 'aria-labelledby': 'ot-h', id: 'order-ticket' },
      h('h2', { id: 'ot-h' }, 'Place an order'),
      h('p', { class: 'muted' }, 'Market, limit, stop, stop-limit, take-profit, trailing stop or a bracket, placed now through a strategy: its accounts, sizing and risk limits apply, as to its alerts.'),
      form);
    this.refresh();
  }

  /** The tenant's strategies to choose from (the choice is kept when it still exists). */
  setStrategies(strategies: Strategy[]): void {
    const chosen = this.strategy.value;
    this.strategies = strategies;
    replace(this.strategy, strategies.map((s) => h('option', { value: s.strategyId }, s.status === 'paused' ? `${s.name} (paused)` : s.name)));
    if (strategies.some((s) => s.strategyId === chosen)) this.strategy.value = chosen;
    this.refresh();
  }

  /** Chooses a strategy and brings the ticket into view. */
  choose(strategyId: string): void {
    this.strategy.value = strategyId;
    this.refresh();
    this.element.scrollIntoView({ block: 'start' });
    this.action.focus();
  }

  private ticket(): Ticket {
    return {
      action: this.action.value as TicketAction, ticker: this.ticker.value, quantity: this.quantity.value, orderType: this.orderType.value as TicketType,
      limitPrice: this.limitPrice.value, stopPrice: this.stopPrice.value, trailingBy: this.trailingBy.value === 'distance' ? 'distance' : 'percent', trailing: this.trailing.value,
      bracket: this.bracket.checked, takeProfit: this.takeProfit.value, takeProfitSplit: this.split.value, stopLoss: this.stopLoss.value, stopLossLimit: this.stopLossLimit.value,
      breakEven: this.breakEven.checked, comment: this.comment.value,
    };
  }

  /** Shows only the inputs the choice uses, and the alert message of what is filled in. */
  private refresh(): void {
    const ticket = this.ticket();
    const shown = shownFor(ticket);
    for (const [name, el] of Object.entries(this.groups)) el.hidden = !shown[name as keyof typeof shown];
    this.message.textContent = tradingViewMessage(alertFields(ticket));
  }

  private async submit(): Promise<void> {
    const strategy = this.strategies.find((s) => s.strategyId === this.strategy.value);
    if (!strategy) {
      toast('Choose a strategy first');
      return;
    }
    const fields = alertFields(this.ticket());
    const confirmed = await confirmAction(`Place this order through "${strategy.name}"?`,
      `${describeOrder(fields)} It is sized and risk-checked like an alert of the strategy, on each of its accounts.`, 'Place order');
    if (!confirmed) return;
    this.result.textContent = 'Sending…';
    try {
      // one key per confirmed order: a retry of this request never places it twice
      const answer = await api<Placed>(`/strategies/${encodeURIComponent(strategy.strategyId)}/signals`, { body: fields, headers: { 'idempotency-key': crypto.randomUUID() } });
      this.result.textContent = `Order recorded: signal ${answer.signalId}. Its orders appear under Open orders and in the signal log.`;
      this.result.dataset.signal = answer.signalId;
      toast(`Order recorded: ${answer.signalId}`);
    } catch (error) {
      this.result.textContent = `Nothing was placed: ${errorText(error)}`;
      delete this.result.dataset.signal;
      toast(`Nothing was placed: ${errorText(error)}`);
    }
  }
}
