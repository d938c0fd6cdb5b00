import { Type } from 'typebox';
import { DecimalString } from './common.js';

/** Request and answer bodies of strategy and account configuration. Unknown fields are refused (no mass assignment). */

const PositiveDecimal = Type.String({ pattern: '^[0-9]{1,20}(\\.[0-9]{1,18})?$', description: 'a decimal number as a string', examples: ['0.01'] });
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
const UnifiedSymbol = Type.String({ pattern: '^[A-Z0-9]{1,20}/[A-Z0-9]{1,20}(:[A-Z0-9]{1,20})?$', examples: ['BTC/USDT'] });

export const SizingBody = Type.Union([
  Type.Object({ kind: Type.Literal('fixed_quantity'), quantity: PositiveDecimal }, { additionalProperties: false, description: 'always this base quantity' }),
  Type.Object({ kind: Type.Literal('quote_amount'), amount: PositiveDecimal }, { additionalProperties: false, description: 'spend this quote amount per order' }),
  Type.Object({ kind: Type.Literal('signal_quantity'), multiplier: PositiveDecimal }, { additionalProperties: false, description: "the alert's own quantity times a multiplier" }),
  // ADR-0019: sizing modes of positions and sizing
  Type.Object({ kind: Type.Literal('target_position'), multiplier: PositiveDecimal }, { additionalProperties: false, description: "bring the strategy's position to the alert's position_size (times a multiplier)" }),
  Type.Object({ kind: Type.Literal('percent_of_equity'), percent: PositiveDecimal }, { additionalProperties: false, description: "spend this percent (0-100] of the account's equity per order" }),
  Type.Object({ kind: Type.Literal('percent_of_balance'), percent: PositiveDecimal }, { additionalProperties: false, description: "spend this percent (0-100] of the account's quote balance per order" }),
  Type.Object({ kind: Type.Literal('percent_of_position'), percent: PositiveDecimal }, { additionalProperties: false, description: "exits: this percent (0-100] of the strategy's position" }),
  Type.Object({ kind: Type.Literal('risk'), riskPercent: PositiveDecimal, stopPercent: Type.Optional(PositiveDecimal) }, { additionalProperties: false, description: "risk riskPercent of equity to the alert's stop_loss, or stopPercent away from the price" }),
]);

export const OrderTemplateBody = Type.Union([
  Type.Object({ type: Type.Literal('market') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('limit'), offsetBps: PositiveDecimal }, { additionalProperties: false, description: 'limit at the reference price shifted by offsetBps in the passive direction' }),
]);

export const RiskLimitsBody = Type.Object(
  {
    maxOrderNotional: Type.Optional(PositiveDecimal),
    maxPositionNotional: Type.Optional(PositiveDecimal),
    allowedSymbols: Type.Optional(Type.Array(UnifiedSymbol, { maxItems: 200 })),
    maxOpenOrders: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    maxTradesPerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    cooldownAfterLosses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    cooldownMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 525_600 })),
    dailyLossLimit: Type.Optional(PositiveDecimal),
    maxDrawdownPercent: Type.Optional(PositiveDecimal),
  },
  { additionalProperties: false, description: 'pre-trade limits in the quote asset; an absent limit is not enforced' },
);

export const StrategyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    accounts: Type.Array(Type.Object({ accountId: Id, sizing: SizingBody, orderTemplate: OrderTemplateBody }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }),
    risk: Type.Optional(RiskLimitsBody),
    symbolMap: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 64 }), UnifiedSymbol, { maxProperties: 200, description: 'alert ticker -> unified symbol, e.g. "BINANCE:BTCUSDT.P" -> "BTC/USDT"' })),
    maxSignalAgeSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'alerts whose {{timenow}} is older are rejected as stale; 0 = no guard (default 300)' })),
    allowedSources: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 49 }), {
      minItems: 1, maxItems: 100, examples: [['tradingview', '203.0.113.0/24']],
      description: 'who may send this strategy\'s alerts: IPv4/IPv6 addresses, CIDRs and "tradingview" (its four sender addresses); absent: any sender the server allows',
    })),
  },
  { additionalProperties: false },
);

/** How often a strategy's orders filled (kept by the strategy-fill-counts processor). */
export const StrategyFillCountsDto = Type.Object({
  strategyId: Type.String(),
  fills: Type.Integer({ description: 'fills recorded (one per trade)' }),
  buys: Type.Integer(),
  sells: Type.Integer(),
  ordersFilled: Type.Integer({ description: 'orders that filled completely' }),
  lastFillAt: Type.Optional(Type.String()),
});

export const StrategyView = Type.Object({
  strategyId: Type.String(),
  name: Type.String(),
  webhookUrl: Type.String(),
  accounts: Type.Array(Type.Object({ accountId: Type.String(), sizing: Type.Record(Type.String(), Type.String()), orderTemplate: Type.Record(Type.String(), Type.String()) })),
  symbolMap: Type.Record(Type.String(), Type.String()),
  risk: Type.Object({
    maxOrderNotional: Type.Optional(DecimalString), maxPositionNotional: Type.Optional(DecimalString),
    allowedSymbols: Type.Optional(Type.Array(Type.String())), maxOpenOrders: Type.Optional(Type.Integer()),
  }),
  maxSignalAgeSeconds: Type.Integer(),
  allowedSources: Type.Optional(Type.Array(Type.String())),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('paused')], { description: 'paused: its alerts are recorded and refused (STRATEGY_PAUSED)' })),
  pausedReason: Type.Optional(Type.String()),
});

/** The webhook secret and the messages to paste into TradingView: only in the answer that creates or rotates the secret. */
export const StrategySecretDto = Type.Object({
  strategyId: Type.String(),
  webhookUrl: Type.String(),
  secret: Type.String({ description: 'shown once: store it in the TradingView alert' }),
  alertMessage: Type.String({ description: 'for an alert on a strategy ("Order fills"): every {{placeholder}} is filled by TradingView' }),
  indicatorAlertMessage: Type.String({ description: 'for a plain indicator or price alert: set "action" per alert' }),
  actionAlertMessages: Type.Array(
    Type.Object({ action: Type.String(), label: Type.String(), message: Type.String() }),
    { description: 'one ready-to-paste message per action (buy, limit, percent, bracket, stop, trailing, close, exit_long, exit_short, cancel, ...), for indicator or price alerts' },
  ),
});

export const NewStrategyDto = Type.Object({ strategy: StrategyView, webhook: StrategySecretDto });

export const TestAlertBody = Type.Object(
  {
    action: Type.Union([Type.Literal('buy'), Type.Literal('sell'), Type.Literal('close')]),
    ticker: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:/!-]+$', examples: ['BINANCE:BTCUSDT'] }),
    quantity: Type.Optional(PositiveDecimal),
    price: Type.Optional(PositiveDecimal),
  },
  { additionalProperties: false },
);

export const TestAlertDto = Type.Object({
  status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('refused')]),
  signalId: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

export const NewAccountBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    exchange: Type.Union([Type.Literal('paper'), Type.Literal('binance'), Type.Literal('bybit'), Type.Literal('okx')], { description: "'paper' (the built-in simulator) or a ccxt exchange id" }),
    marketType: Type.Optional(Type.Union([Type.Literal('spot'), Type.Literal('swap')])),
    quoteAsset: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{2,10}$', default: 'USDT' })),
    startingBalance: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}(\\.[0-9]{1,8})?$', description: 'paper only: the quote asset to start with (default 100000)' })),
    risk: Type.Optional(RiskLimitsBody),
  },
  { additionalProperties: false },
);
