/**
 * The ready-to-paste TradingView alert message of PATRIOT's native JSON format.
 *
 * strategy mode: paste into an alert created on the strategy ("Order fills"); every placeholder
 *   below is filled by TradingView at each fill. `id` = order id + ticker + fire time, so every
 *   fill event has its own idempotency key while TradingView's resends of one event share it.
 * indicator mode: for a plain (indicator / price) alert, where {{strategy.*}} is not available:
 *   the trader sets the action ("buy", "sell" or "close") per alert, and sizing comes from the
 *   strategy's accounts. No `id`: TradingView has no per-alert placeholder to build one from, so the
 *   server's fallback (the body hash, which includes {{timenow}}) is the better idempotency key.
 */
export interface AlertTemplateOptions {
  readonly secret: string;
  readonly mode: 'strategy' | 'indicator';
}

export function tradingViewAlertMessage(options: AlertTemplateOptions): string {
  const message =
    options.mode === 'strategy'
      ? {
          secret: options.secret,
          id: '{{strategy.order.id}}-{{ticker}}-{{timenow}}',
          action: '{{strategy.order.action}}',
          ticker: '{{ticker}}',
          quantity: '{{strategy.order.contracts}}',
          price: '{{close}}',
          position_size: '{{strategy.position_size}}',
          market_position: '{{strategy.market_position}}',
          order_id: '{{strategy.order.id}}',
          timenow: '{{timenow}}',
        }
      : {
          secret: options.secret,
          action: 'buy',
          ticker: '{{ticker}}',
          price: '{{close}}',
          timenow: '{{timenow}}',
        };
  return JSON.stringify(message, null, 2);
}

/** One ready-to-paste alert message per action a trader can send (issue 17), for plain indicator or price alerts. */
export interface ActionAlertMessage {
  /** stable key, e.g. "bracket" */
  readonly action: string;
  /** what it does, in words */
  readonly label: string;
  readonly message: string;
}

/**
 * The message of each action PATRIOT understands, with the secret filled in. Sizes come from the
 * strategy's accounts unless the message names one; prices are examples to edit ({{close}} is
 * filled by TradingView). Every message is accepted by the parser as it stands (spec beside).
 */
export function actionAlertMessages(secret: string): ActionAlertMessage[] {
  const base = { secret, ticker: '{{ticker}}' };
  const msg = (fields: Record<string, string>) => JSON.stringify({ ...base, ...fields, timenow: '{{timenow}}' });
  return [
    { action: 'buy', label: 'Buy at market (size from the strategy)', message: msg({ action: 'buy', price: '{{close}}' }) },
    { action: 'sell', label: 'Sell at market (size from the strategy)', message: msg({ action: 'sell', price: '{{close}}' }) },
    { action: 'limit', label: 'Buy with a limit order', message: msg({ action: 'buy', order_type: 'limit', limit_price: '{{close}}' }) },
    { action: 'percent', label: 'Buy with 25 % of the sizing base (equity, balance or position, as the strategy sizes)', message: msg({ action: 'buy', qty: '25%', price: '{{close}}' }) },
    { action: 'bracket', label: 'Buy with a take-profit 2 % above and a stop-loss 1 % below the entry', message: msg({ action: 'buy', price: '{{close}}', take_profit: '2%', stop_loss: '1%' }) },
    { action: 'bracket_levels', label: 'Buy with two take-profits (half at +2 %, half at +4 %), a stop 1.5 % below, moved to break-even after the first', message: msg({ action: 'buy', price: '{{close}}', take_profit: '2%,4%', take_profit_split: '50,50', stop_loss: '1.5%', break_even: 'true' }) },
    { action: 'bracket_stop_limit', label: 'Buy with a take-profit 2 % above and a stop-limit 1 % below that never sells more than 0.3 % under its trigger', message: msg({ action: 'buy', price: '{{close}}', take_profit: '2%', stop_loss: '1%', stop_loss_limit: '0.3%' }) },
    { action: 'stop', label: 'Sell stop-market (edit the trigger)', message: msg({ action: 'sell', order_type: 'stop', stop_price: '{{close}}' }) },
    { action: 'stop_limit', label: 'Sell stop-limit (edit the trigger and the limit)', message: msg({ action: 'sell', order_type: 'stop_limit', stop_price: '{{close}}', limit_price: '{{close}}' }) },
    { action: 'take_profit', label: 'Sell take-profit (edit the trigger)', message: msg({ action: 'sell', order_type: 'take_profit', stop_price: '{{close}}' }) },
    { action: 'trailing', label: 'Sell trailing stop 1.5 % under the best price', message: msg({ action: 'sell', trailing_percent: '1.5%' }) },
    { action: 'close', label: "Close the strategy's position (long or short)", message: msg({ action: 'close' }) },
    { action: 'close_half', label: "Close half of the strategy's position", message: msg({ action: 'close', qty: '50%' }) },
    { action: 'exit_long', label: 'Close a long only (does nothing while flat or short)', message: msg({ action: 'exit_long' }) },
    { action: 'exit_short', label: 'Close a short only (does nothing while flat or long)', message: msg({ action: 'exit_short' }) },
    { action: 'cancel', label: "Cancel the strategy's open orders of this ticker", message: msg({ action: 'cancel' }) },
  ];
}
