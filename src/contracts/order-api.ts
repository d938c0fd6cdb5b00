import { Type } from 'typebox';

const DecimalText = (description: string) => Type.Union([Type.String({ maxLength: 64 }), Type.Number()], { description });
const Text = (description: string, maxLength = 64) => Type.String({ maxLength, description });

/**
 * An order placed through the API or the dashboard (issue 17): the fields of PATRIOT's native alert
 * format, with the webhook's meaning, without the secret (the caller's login authenticates it).
 * Numbers may be JSON numbers or strings; their digits are read as sent.
 */
export const PlaceOrderBody = Type.Object({
  action: Text('buy, sell, close, exit_long, exit_short or cancel (and the webhook\'s aliases: long, short, flat, ...)', 32),
  ticker: Type.Optional(Text('the instrument as TradingView names it (BINANCE:BTCUSDT) or a unified symbol (BTC/USDT); mapped by the strategy\'s symbol map')),
  quantity: Type.Optional(DecimalText('base quantity; or a percent of the sizing mode\'s base, e.g. "25%"')),
  qty: Type.Optional(DecimalText('the same as quantity')),
  quote_amount: Type.Optional(DecimalText('spend this much of the quote currency')),
  price: Type.Optional(DecimalText('the reference price (TradingView\'s {{close}}); a limit order\'s price when limit_price is absent')),
  order_type: Type.Optional(Text('market, limit, stop (stop-market), stop_limit, take_profit or take_profit_limit', 32)),
  limit_price: Type.Optional(DecimalText('a limit, stop-limit or take-profit-limit order\'s limit price')),
  stop_price: Type.Optional(DecimalText('the trigger of a stop or take-profit order')),
  trailing_percent: Type.Optional(DecimalText('a trailing stop\'s distance from the best price, in percent (e.g. "1.5" or "1.5%")')),
  trailing_distance: Type.Optional(DecimalText('a trailing stop\'s distance from the best price, in the quote currency')),
  take_profit: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Number()], { description: 'bracket: take-profit levels, comma-separated prices or percents from the entry (at most 5), e.g. "2%,4%"' })),
  take_profit_split: Type.Optional(Text('bracket: percent of the entry per take-profit level, summing to 100, e.g. "50,50"', 100)),
  stop_loss: Type.Optional(DecimalText('bracket: the stop-loss, a price or a percent from the entry, e.g. "1.5%"')),
  stop_loss_limit: Type.Optional(DecimalText('bracket: makes the stop-loss a stop-limit order: its limit price, or a percent beyond the trigger (e.g. "0.3%")')),
  break_even: Type.Optional(Type.Union([Type.Boolean(), Type.String({ maxLength: 8 })], { description: 'bracket: move the stop to the entry once the first take-profit filled' })),
  position_size: Type.Optional(DecimalText('a signed target position (for target-position sizing)')),
  market_position: Type.Optional(Text('long, short or flat', 8)),
  order_id: Type.Optional(Text('your own name for the order', 200)),
  comment: Type.Optional(Text('a note kept with the signal', 500)),
}, { additionalProperties: false, description: 'the alert fields of the webhook, without "secret" (and without "id": send an Idempotency-Key header instead)' });

export const PlaceOrderHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'the same key places once: a retry answers the first signalId with repeated: true' })),
});

export const OrderPlacedDto = Type.Object({
  signalId: Type.String({ description: 'the signal recorded; its trace (/api/v1/signals/{signalId}/trace) shows the orders it led to and who placed it' }),
  repeated: Type.Boolean({ description: 'true: this Idempotency-Key was already used; nothing new was recorded' }),
  signal: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'what the fields mean, as the webhook reads them (absent on a repeat)' })),
});
