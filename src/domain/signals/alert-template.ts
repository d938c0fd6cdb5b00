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
