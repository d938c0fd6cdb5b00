/**
 * The order ticket's choices -> the alert fields PATRIOT reads (the same for the API and for a
 * TradingView alert), and which inputs each choice needs. Pure: no DOM.
 */
export type TicketAction = 'buy' | 'sell' | 'close' | 'exit_long' | 'exit_short' | 'cancel';
export type TicketType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'take_profit' | 'take_profit_limit' | 'trailing';

export interface Ticket {
  readonly action: TicketAction;
  readonly ticker: string;
  /** a base quantity, or a percent ("25%"); empty: the strategy's sizing decides */
  readonly quantity: string;
  readonly orderType: TicketType;
  readonly limitPrice: string;
  readonly stopPrice: string;
  readonly trailingBy: 'percent' | 'distance';
  readonly trailing: string;
  readonly bracket: boolean;
  /** comma-separated prices or percents ("2%,4%") */
  readonly takeProfit: string;
  readonly takeProfitSplit: string;
  readonly stopLoss: string;
  readonly stopLossLimit: string;
  readonly breakEven: boolean;
  readonly comment: string;
}

export const ACTIONS: readonly { value: TicketAction; label: string }[] = [
  { value: 'buy', label: 'Buy' },
  { value: 'sell', label: 'Sell' },
  { value: 'close', label: 'Close the position' },
  { value: 'exit_long', label: 'Close a long only' },
  { value: 'exit_short', label: 'Close a short only' },
  { value: 'cancel', label: 'Cancel open orders' },
];

export const ORDER_TYPES: readonly { value: TicketType; label: string }[] = [
  { value: 'market', label: 'Market' },
  { value: 'limit', label: 'Limit' },
  { value: 'stop', label: 'Stop (stop-market)' },
  { value: 'stop_limit', label: 'Stop-limit' },
  { value: 'take_profit', label: 'Take-profit (market)' },
  { value: 'take_profit_limit', label: 'Take-profit limit' },
  { value: 'trailing', label: 'Trailing stop' },
];

/** Which inputs the choice uses (the others are hidden and not sent). */
export interface Shown {
  readonly quantity: boolean;
  readonly orderType: boolean;
  readonly limitPrice: boolean;
  readonly stopPrice: boolean;
  readonly trailing: boolean;
  /** the bracket's switch */
  readonly bracket: boolean;
  /** the bracket's own inputs (the switch is on) */
  readonly bracketFields: boolean;
}

const entering = (t: Pick<Ticket, 'action'>) => t.action === 'buy' || t.action === 'sell';

export function shownFor(t: Pick<Ticket, 'action' | 'orderType' | 'bracket'>): Shown {
  const entry = entering(t);
  const type = entry ? t.orderType : 'market';
  const bracket = entry && (type === 'market' || type === 'limit');
  return {
    quantity: t.action !== 'cancel',
    orderType: entry,
    limitPrice: type === 'limit' || type === 'stop_limit' || type === 'take_profit_limit',
    stopPrice: type === 'stop' || type === 'stop_limit' || type === 'take_profit' || type === 'take_profit_limit',
    trailing: type === 'trailing',
    bracket,
    bracketFields: bracket && t.bracket,
  };
}

/** The alert fields of the ticket, in the order a trader reads them; blank inputs are left out. */
export function alertFields(t: Ticket): Record<string, string> {
  const shown = shownFor(t);
  const out: Record<string, string> = { action: t.action };
  const put = (name: string, value: string, when = true) => {
    const v = value.trim();
    if (when && v !== '') out[name] = v;
  };
  put('ticker', t.ticker);
  put('quantity', t.quantity, shown.quantity);
  if (shown.orderType && t.orderType !== 'trailing') out.order_type = t.orderType;
  put('limit_price', t.limitPrice, shown.limitPrice);
  put('stop_price', t.stopPrice, shown.stopPrice);
  if (shown.trailing) put(t.trailingBy === 'percent' ? 'trailing_percent' : 'trailing_distance', t.trailing);
  if (shown.bracketFields) {
    put('take_profit', t.takeProfit.replace(/\s+/g, ''));
    put('take_profit_split', t.takeProfitSplit.replace(/\s+/g, ''));
    put('stop_loss', t.stopLoss);
    put('stop_loss_limit', t.stopLossLimit);
    if (t.breakEven) out.break_even = 'true';
  }
  put('comment', t.comment);
  return out;
}

/** The same order as a ready-to-paste TradingView alert message (the secret to fill in, and the fire time). */
export function tradingViewMessage(fields: Record<string, string>): string {
  return JSON.stringify({ secret: 'YOUR_WEBHOOK_SECRET', ...fields, timenow: '{{timenow}}' }, null, 2);
}

/** One line saying what the order is, for the confirmation. */
export function describeOrder(fields: Record<string, string>): string {
  const f = fields;
  const size = f.quantity ? `${f.quantity}${f.quantity.endsWith('%') ? '' : ' of'}` : "the strategy's size of";
  const on = f.ticker ?? 'every symbol';
  switch (f.action) {
    case 'cancel':
      return `Cancel the strategy's open orders of ${on}.`;
    case 'close':
    case 'exit_long':
    case 'exit_short':
      return `${f.action === 'close' ? 'Close' : f.action === 'exit_long' ? 'Close the long of' : 'Close the short of'} ${f.quantity ? `${f.quantity} of ` : ''}the strategy's position in ${on} at market.`;
    default: {
      const type = f.trailing_percent ? `a trailing stop ${f.trailing_percent.replace(/%$/, '')} % behind the best price`
        : f.trailing_distance ? `a trailing stop ${f.trailing_distance} behind the best price`
        : `${(f.order_type ?? 'market').replace(/_/g, '-')}${f.stop_price ? ` triggered at ${f.stop_price}` : ''}${f.limit_price ? ` limit ${f.limit_price}` : ''}`;
      const bracket = [
        f.take_profit ? `take-profit ${f.take_profit}${f.take_profit_split ? ` split ${f.take_profit_split}` : ''}` : '',
        f.stop_loss ? `stop-loss ${f.stop_loss}${f.stop_loss_limit ? ` (stop-limit ${f.stop_loss_limit})` : ''}` : '',
        f.break_even ? 'stop to break-even after the first take-profit' : '',
      ].filter(Boolean).join(', ');
      return `${f.action === 'buy' ? 'Buy' : 'Sell'} ${size} ${on}: ${type}${bracket ? `; ${bracket}` : ''}.`;
    }
  }
}
