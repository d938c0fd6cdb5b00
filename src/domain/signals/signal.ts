import type { ConditionalOrderType } from '../events.js';

/** A TradingView (or peer-format) alert after parsing and normalisation. Decimals are strings. */
export type SignalAction = 'buy' | 'sell' | 'close' | 'cancel';

export interface NormalizedSignal {
  readonly action: SignalAction;
  /**
   * for 'close' only: the alert named the side to close (close_long / close_short / closelong ...);
   * absent = close whatever position is open
   */
  readonly closeSide?: 'long' | 'short';
  /** the instrument as the alert named it, e.g. "BINANCE:BTCUSDT.P" */
  readonly ticker: string;
  /** unified symbol after mapping, e.g. "BTC/USDT" */
  readonly symbol: string;
  /** base quantity the alert asked for ({{strategy.order.contracts}}), if any */
  readonly quantity?: string;
  /** quote amount the alert asked for, if any */
  readonly quoteAmount?: string;
  /** price the alert carried ({{close}} / {{strategy.order.price}}), if any */
  readonly price?: string;
  readonly orderType?: 'market' | 'limit' | ConditionalOrderType;
  readonly limitPrice?: string;
  /** issue 17: take-profit legs and a stop-loss for the entry (`take_profit`, `stop_loss`, ...) */
  readonly bracket?: BracketRequest;
  /** the trigger of a stop / take-profit order (`stop_price`; issue 17) */
  readonly stopPrice?: string;
  /** a trailing stop's distance in percent (`trailing_percent`; issue 17) */
  readonly trailingPercent?: string;
  /** a trailing stop's distance in price, in the quote currency (`trailing_distance`; issue 17) */
  readonly trailingDistance?: string;
  /** signed target position ({{strategy.position_size}}), if any */
  readonly targetPosition?: string;
  readonly marketPosition?: 'long' | 'short' | 'flat';
  /** {{strategy.order.id}} */
  readonly orderId?: string;
  readonly comment?: string;
  /** {{timenow}} as ISO-8601, if sent */
  readonly alertTime?: string;
  /** a percent quantity ("qty": "25%"): percent of the sizing mode's base, 0 < p <= 100 (ADR-0019) */
  readonly quantityPercent?: string;
  /** the alert's stop-loss price (stop_loss / sl), for risk-based sizing (ADR-0019) */
  readonly stopLossPrice?: string;
  /**
   * a close the kill switch's flatten recorded (its request id; issue 17): it passes an engaged
   * kill switch, which refuses every other order. Never set from an alert.
   */
  readonly killSwitchFlatten?: string;
}

/** A level as the alert gave it: a price, or a distance from the entry in percent. */
export type BracketLevel = { readonly price: string } | { readonly percent: string };

/** The bracket an alert asks for (issue 17). */
export interface BracketRequest {
  readonly takeProfits: readonly BracketLevel[];
  /** percent of the entry per take-profit leg (sums to 100); absent: equal parts */
  readonly split?: readonly string[];
  readonly stopLoss?: BracketLevel;
  /**
   * The stop-loss as a stop-limit order: once triggered it rests as a limit order at this price
   * (a price) or this far beyond the trigger (a percent of the trigger price), so it never fills
   * worse than that; absent: the stop leaves at market.
   */
  readonly stopLossLimit?: BracketLevel;
  readonly breakEven: boolean;
}
