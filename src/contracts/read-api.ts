import { Type } from 'typebox';
import { DecimalString } from './common.js';

const Reason = Type.Object({ code: Type.String(), message: Type.String() });

export const SignalDto = Type.Object({
  signalId: Type.String(),
  strategyId: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
  format: Type.Optional(Type.String()),
  idempotencyKey: Type.String(),
  signal: Type.Optional(Type.Record(Type.String(), Type.String())),
  outcome: Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('rejected'), Type.Literal('partially_rejected'), Type.Literal('skipped')]),
  rejection: Type.Optional(Reason),
  received: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'a refused alert: what was received, as far as it could be read (at most 12 fields, values cut to 80 characters, never a field that may hold a credential)' })),
  orders: Type.Array(
    Type.Object({ accountId: Type.String(), clientOrderId: Type.String(), outcome: Type.String(), status: Type.String(), reasons: Type.Optional(Type.Array(Reason)) }),
  ),
  skipped: Type.Array(Type.Object({ accountId: Type.String(), code: Type.String(), message: Type.String() })),
  repeats: Type.Optional(
    Type.Object(
      { count: Type.Integer({ minimum: 1 }), lastAt: Type.String({ format: 'date-time' }), firstAt: Type.Optional(Type.String({ format: 'date-time' })) },
      { description: 'the same alert came again (same id or body): answered as the original, nothing traded again. Counted beside the log: only the first repeat is in the trace' },
    ),
  ),
});

export const OrderDto = Type.Object({
  clientOrderId: Type.String({ pattern: '^[0-9a-f]{32}$' }),
  accountId: Type.String(),
  strategyId: Type.String(),
  signalId: Type.String(),
  symbol: Type.String(),
  side: Type.String(),
  type: Type.String(),
  quantity: DecimalString,
  limitPrice: Type.Optional(DecimalString),
  referencePrice: DecimalString,
  reduceOnly: Type.Boolean(),
  status: Type.String(),
  exchangeOrderId: Type.Optional(Type.String()),
  filledQuantity: DecimalString,
  averageFillPrice: Type.Optional(DecimalString),
  fees: DecimalString,
  reasons: Type.Optional(Type.Array(Reason)),
  statusReason: Type.Optional(Type.String()),
  priceSource: Type.Optional(Type.String({ description: 'where the price the order was decided on came from (e.g. binance:ws-a)' })),
  priceAgeMs: Type.Optional(Type.Integer({ minimum: 0 })),
  requestedQuantity: Type.Optional(Type.String({ description: 'the quantity asked for before rounding down to the step, when rounding changed it' })),
  requestedLimitPrice: Type.Optional(Type.String({ description: 'the limit price asked for before rounding to the tick, when rounding changed it' })),
  sentQuantity: Type.Optional(DecimalString),
  sentPrice: Type.Optional(DecimalString),
  adjustments: Type.Optional(Type.Array(Type.String())),
  stopPrice: Type.Optional(DecimalString),
  trailingPercent: Type.Optional(DecimalString),
  trailingDistance: Type.Optional(DecimalString),
  parent: Type.Optional(Type.Object({ clientOrderId: Type.String(), role: Type.Union([Type.Literal('take_profit'), Type.Literal('stop'), Type.Literal('exit')]), index: Type.Integer({ minimum: 0 }), generation: Type.Optional(Type.Integer({ minimum: 0, description: 'which replacement of this leg (a resize, a move to break-even)' })) }, { description: 'a bracket child: its entry and its leg' })),
  orderList: Type.Optional(Type.Object({ listClientOrderId: Type.String(), leg: Type.Union([Type.Literal('limit'), Type.Literal('stop')]), siblingClientOrderId: Type.String() }, { description: 'a leg of a one-cancels-other list the exchange holds (issue 17): the exchange ends its sibling when one fills' })),
  managed: Type.Optional(Type.Boolean({ description: 'PATRIOT holds the trigger (the exchange cannot): `armed` until the exchange price crosses it, then sent as a market (or limit) order' })),
  currentTrigger: Type.Optional(Type.Union([DecimalString], { description: 'a PATRIOT-managed order\'s trigger now (a trailing stop\'s follows the best price)' })),
  trailExtreme: Type.Optional(Type.Union([DecimalString], { description: 'the best price a PATRIOT-managed trailing stop has followed' })),
  triggered: Type.Optional(Type.Object({ trigger: DecimalString, price: DecimalString, source: Type.String(), at: Type.String() }, { description: 'when and at what exchange price the trigger was crossed' })),
  cancelRequested: Type.Optional(Type.Object({ by: Type.String(), reason: Type.String(), at: Type.String() }, { description: 'a cancel asked for and not answered by the exchange yet' })),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const FillDto = Type.Object({
  tradeId: Type.String(),
  clientOrderId: Type.String(),
  accountId: Type.String(),
  strategyId: Type.String(),
  symbol: Type.String(),
  side: Type.String(),
  quantity: DecimalString,
  price: DecimalString,
  fee: DecimalString,
  feeCurrency: Type.String(),
  liquidity: Type.String(),
  filledAt: Type.String(),
});

export const PositionDto = Type.Object({
  accountId: Type.String(),
  symbol: Type.String(),
  quantity: DecimalString,
  averageEntryPrice: DecimalString,
  realizedPnl: DecimalString,
  feesPaid: DecimalString,
  markPrice: Type.Optional(DecimalString),
  unrealizedPnl: Type.Optional(DecimalString),
  markSource: Type.Optional(Type.String({ description: "where the mark came from: the account's own exchange (e.g. binance:ws-a) or the paper feed (synthetic)" })),
  markAgeMs: Type.Optional(Type.Integer({ minimum: 0 })),
  markStale: Type.Optional(Type.Boolean({ description: 'the mark is older than the allowed price age' })),
  updatedAt: Type.String(),
});

export const BalanceDto = Type.Object({ accountId: Type.String(), asset: Type.String(), total: DecimalString, updatedAt: Type.String() });

export const UserDto = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('admin'), Type.Literal('trader'), Type.Literal('viewer')]),
  registeredAt: Type.String(),
});

export const KillSwitchActionsDto = Type.Object({
  requestId: Type.String(),
  cancelOrders: Type.Boolean({ description: "the account's open orders are cancelled" }),
  flatten: Type.Boolean({ description: "every strategy's position on the account is closed (market, reduce-only) once no order is open" }),
  by: Type.String(),
  requestedAt: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('done')], { description: 'pending: waiting for open orders to end; done: cancels and closes recorded (each close is an order of its own)' }),
  doneAt: Type.Optional(Type.String()),
  cancelled: Type.Optional(Type.Array(Type.String(), { description: 'clientOrderIds asked to cancel' })),
  closes: Type.Optional(Type.Array(Type.Object({ strategyId: Type.String(), symbol: Type.String(), signalId: Type.String() }))),
}, { description: "the kill switch's latest cancel / flatten request on this account" });

const Leverage = Type.Integer({ minimum: 1, maximum: 125, description: 'a whole number; each symbol\'s own limit is the exchange\'s (Binance: -4028 above it)' });
const MarginMode = Type.Union([Type.Literal('isolated'), Type.Literal('cross')]);

/** A swap account's leverage and margin mode (issue 17): a default and overrides per symbol. */
export const FuturesSettingsBody = Type.Object(
  {
    leverage: Leverage,
    marginMode: MarginMode,
    symbols: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Z0-9]{1,20}/[A-Z0-9]{1,20}$' }), Type.Object({ leverage: Type.Optional(Leverage), marginMode: Type.Optional(MarginMode) }, { additionalProperties: false }), {
        description: 'overrides by symbol ("BTC/USDT"), each with leverage, marginMode or both',
      }),
    ),
  },
  { additionalProperties: false },
);

export const FuturesSettingsDto = Type.Object({
  leverage: Type.Integer(),
  marginMode: MarginMode,
  symbols: Type.Record(Type.String(), Type.Object({ leverage: Type.Optional(Type.Integer()), marginMode: Type.Optional(MarginMode) })),
});

export const AccountDto = Type.Object({
  accountId: Type.String(),
  name: Type.String(),
  exchange: Type.String(),
  quoteAsset: Type.String(),
  killSwitch: Type.Object({ engaged: Type.Boolean(), reason: Type.Optional(Type.String()), actions: Type.Optional(KillSwitchActionsDto) }),
  openedAt: Type.String(),
  marketType: Type.Optional(Type.Union([Type.Literal('spot'), Type.Literal('swap')], { description: 'a ccxt account\'s market type (absent for paper)' })),
  futures: Type.Optional(FuturesSettingsDto),
  futuresUpdatedAt: Type.Optional(Type.String()),
  credentials: Type.Optional(Type.Object({ apiKeyHint: Type.String({ description: 'the API key, masked to its last four characters' }), updatedAt: Type.String() })),
  lastReconciliation: Type.Optional(
    Type.Object(
      {
        at: Type.String(),
        trigger: Type.String({ description: 'start-up / takeover / reconnect' }),
        differences: Type.Array(
          Type.Object({
            kind: Type.String({ description: 'balance | foreign_order | open_on_exchange_only' }),
            asset: Type.Optional(Type.String()),
            recorded: Type.Optional(Type.String()),
            exchange: Type.Optional(Type.String()),
            clientOrderId: Type.Optional(Type.String()),
            exchangeOrderId: Type.Optional(Type.String()),
            symbol: Type.Optional(Type.String()),
          }),
        ),
      },
      { description: 'the last comparison with the exchange that found differences (nothing is changed by it)' },
    ),
  ),
});

export const AccountConnectionDto = Type.Object({
  accountId: Type.String(),
  exchange: Type.String(),
  owner: Type.Union([Type.Literal('this_node'), Type.Literal('another_node')], { description: 'the node whose orders and fill stream serve the account' }),
  stream: Type.Union([Type.Literal('connected'), Type.Literal('connecting'), Type.Literal('reconnecting'), Type.Literal('stopped'), Type.Literal('unknown')], {
    description: "fill stream: connected, connecting, reconnecting (polling meanwhile); unknown on a node that does not own the account",
  }),
  circuit: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half_open')], { description: 'open: new orders are refused at once (nothing is sent)' }),
  circuitRetryAt: Type.Optional(Type.String({ description: 'while open: when one order will be let through to probe the exchange' })),
  disabledReason: Type.Optional(Type.String({ description: 'the exchange refused the credentials; no order is sent until they are fixed' })),
});

export const CredentialsBody = Type.Object(
  {
    apiKey: Type.String({ minLength: 1, maxLength: 512, pattern: '^[\\x21-\\x7e]+$' }),
    secret: Type.String({ minLength: 1, maxLength: 4096, pattern: '^[\\x20-\\x7e\\r\\n]+$' }),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false, description: 'write-only: never returned; stored encrypted (AES-256-GCM) and bound to the tenant and account' },
);

export const CredentialsHint = Type.Object({
  accountId: Type.String(),
  apiKeyHint: Type.String(),
  hasPassword: Type.Boolean(),
  updatedAt: Type.String(),
});

export const StrategyDto = Type.Object({
  strategyId: Type.String(),
  name: Type.String(),
  webhookUrl: Type.String(),
  accounts: Type.Array(Type.Object({ accountId: Type.String(), sizing: Type.Record(Type.String(), Type.String()), orderTemplate: Type.Record(Type.String(), Type.String()) })),
  symbolMap: Type.Record(Type.String(), Type.String()),
  maxSignalAgeSeconds: Type.Integer(),
});

export const TraceEventDto = Type.Object({
  globalPosition: Type.Integer(),
  streamId: Type.String(),
  streamVersion: Type.Integer(),
  type: Type.String(),
  time: Type.String(),
  causationId: Type.Optional(Type.String()),
  data: Type.Record(Type.String(), Type.Unknown()),
  hash: Type.String(),
});

export const PriceDto = Type.Object({ symbol: Type.String(), price: DecimalString, time: Type.String() });

export const AccountPriceDto = Type.Object({
  symbol: Type.String(),
  price: DecimalString,
  bid: Type.Optional(DecimalString),
  ask: Type.Optional(DecimalString),
  source: Type.String({ description: 'the connection it came through, e.g. binance:ws-a, binance:ws-b, binance:rest, synthetic' }),
  ageMs: Type.Integer({ minimum: 0 }),
  stale: Type.Boolean({ description: 'older than the allowed price age: orders needing it are refused with STALE_PRICE' }),
  time: Type.String({ description: 'when it arrived (ISO-8601)' }),
});

export const MarketDto = Type.Object({
  symbol: Type.String({ description: "PATRIOT's unified symbol" }),
  exchangeSymbol: Type.Optional(Type.String()),
  base: Type.String(),
  quote: Type.String(),
  status: Type.Union([Type.Literal('trading'), Type.Literal('halted')]),
  precision: Type.Object({ price: DecimalString, amount: DecimalString }, { description: 'tick size and quantity step' }),
  limits: Type.Object({ minQty: DecimalString, maxQty: DecimalString, minNotional: DecimalString }),
});

export const KillSwitchBody = Type.Object(
  {
    engaged: Type.Boolean(),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    cancelOrders: Type.Optional(Type.Boolean({ description: 'with engaged: true, also cancel every open order (of every account, for the global switch)' })),
    flatten: Type.Optional(Type.Boolean({ description: "with engaged: true, also cancel every open order and then close every strategy's position with market, reduce-only orders (they pass the engaged switch)" })),
  },
  { additionalProperties: false },
);
export const KillSwitchState = Type.Object({
  engaged: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  actions: Type.Optional(KillSwitchActionsDto),
  accountActions: Type.Optional(Type.Array(Type.Object({ accountId: Type.String(), requestId: Type.String() }), { description: 'the global switch: the accounts whose orders are cancelled / positions flattened' })),
});
