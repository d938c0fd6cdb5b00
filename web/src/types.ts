/** The API's answers, as the dashboard uses them (decimals are strings). */
export interface Page<T> { items: T[]; nextBefore?: number; /** with status=open: every open order (items holds the newest 1,000) */ total?: number }
export interface KillSwitchActions { requestId: string; cancelOrders: boolean; flatten: boolean; status: 'pending' | 'done'; requestedAt: string; cancelled?: string[]; closes?: { strategyId: string; symbol: string; signalId: string }[] }
export interface KillSwitch { engaged: boolean; reason?: string; actions?: KillSwitchActions }
export interface Account {
  accountId: string; name: string; exchange: string; quoteAsset: string; killSwitch: KillSwitch; openedAt: string;
  credentials?: { apiKeyHint: string; updatedAt: string };
  /** a ccxt account's market type (absent for paper) */
  marketType?: 'spot' | 'swap';
  /** a swap account's leverage and margin mode (issue 17): a default and overrides per symbol */
  futures?: FuturesSettings;
}
export interface FuturesSettings { leverage: number; marginMode: 'isolated' | 'cross'; symbols: Record<string, { leverage?: number; marginMode?: 'isolated' | 'cross' }> }
export interface Connection { accountId: string; exchange: string; owner: string; stream: string; circuit: string; circuitRetryAt?: string; disabledReason?: string }
export interface Position { accountId: string; symbol: string; quantity: string; averageEntryPrice: string; realizedPnl: string; feesPaid: string; markPrice?: string; unrealizedPnl?: string; markSource?: string; markAgeMs?: number; markStale?: boolean }
export interface Balance { accountId: string; asset: string; total: string }
export interface Order {
  clientOrderId: string; accountId: string; strategyId: string; signalId: string; symbol: string; side: string; type: string; quantity: string;
  limitPrice?: string; status: string; filledQuantity: string; averageFillPrice?: string; createdAt: string; reasons?: Reason[]; statusReason?: string;
  /** issue 17: the trigger of a stop / take-profit order */
  stopPrice?: string;
  /** issue 17: a trailing stop's distance in percent */
  trailingPercent?: string;
  /** issue 17: a trailing stop's distance in price */
  trailingDistance?: string;
  /** issue 17: a bracket child, under its entry */
  parent?: { clientOrderId: string; role: string; index: number; generation?: number };
  orderList?: { listClientOrderId: string; leg: 'limit' | 'stop'; siblingClientOrderId: string };
  /** issue 17: a cancel asked for and not answered yet */
  cancelRequested?: { by: string; reason: string; at: string };
  /** issue 17: PATRIOT holds the trigger (the exchange cannot): armed until the exchange price crosses it */
  managed?: boolean;
  /** issue 17: a PATRIOT-managed order's trigger now (a trailing stop's follows the best price, trailExtreme) */
  currentTrigger?: string;
  trailExtreme?: string;
  triggered?: { trigger: string; price: string; source: string; at: string };
}
export interface Fill { tradeId: string; accountId: string; symbol: string; side: string; quantity: string; price: string; fee: string; feeCurrency: string; filledAt: string }
export interface Reason { code: string; message: string }
export interface Signal {
  signalId: string; strategyId: string; receivedAt: string; signal?: Record<string, string>;
  outcome: string; rejection?: Reason; received?: Record<string, string>;
  orders: { accountId: string; clientOrderId: string; outcome: string; status: string; reasons?: Reason[] }[];
  skipped: { accountId: string; code: string; message: string }[];
  /** the same alert came again (answered as the original) */
  repeats?: { count: number; lastAt: string; firstAt?: string };
}
export interface TraceEvent { globalPosition: number; streamId: string; type: string; time: string; data: Record<string, unknown>; hash: string }
export type Sizing = { kind: 'fixed_quantity'; quantity: string } | { kind: 'quote_amount'; amount: string } | { kind: 'signal_quantity'; multiplier: string }
  | { kind: 'target_position'; multiplier: string }
  | { kind: 'percent_of_equity'; percent: string }
  | { kind: 'percent_of_balance'; percent: string }
  | { kind: 'percent_of_position'; percent: string }
  | { kind: 'risk'; riskPercent: string; stopPercent?: string };
export type OrderTemplate = { type: 'market' } | { type: 'limit'; offsetBps: string };
export interface RiskLimits { maxOrderNotional?: string; maxPositionNotional?: string; allowedSymbols?: string[]; maxOpenOrders?: number }
export interface Strategy {
  strategyId: string; name: string; webhookUrl: string; symbolMap: Record<string, string>; risk: RiskLimits; maxSignalAgeSeconds: number;
  accounts: { accountId: string; sizing: Record<string, string>; orderTemplate: Record<string, string> }[];
  status?: 'active' | 'paused';
  pausedReason?: string;
}
export interface StrategyInput {
  name: string; accounts: { accountId: string; sizing: Sizing; orderTemplate: OrderTemplate }[];
  risk: RiskLimits; symbolMap: Record<string, string>; maxSignalAgeSeconds: number;
}
export interface WebhookSecret { strategyId: string; webhookUrl: string; secret: string; alertMessage: string; indicatorAlertMessage: string; actionAlertMessages?: { action: string; label: string; message: string }[] }
export interface EquityPoint { time: string; equity: string; unrealizedPnl: string }
/** issue 20: analytics from the fills (ADR-0022) */
export interface Metrics {
  realizedPnl: string; unrealizedPnl?: string; fees: string; otherFees: { currency: string; amount: string }[];
  trades: number; wins: number; losses: number; winRate?: string; averageWin?: string; averageLoss?: string; profitFactor?: string; expectancy?: string;
  maxDrawdown: { amount: string; percent?: string; peakAt?: string; troughAt?: string };
  sharpe?: string; sortino?: string; exposure?: string; daily: { day: string; pnl: string; equity: string }[];
}
export interface Analytics { from: string; to: string; strategies: { strategyId: string; metrics: Metrics }[]; accounts: { accountId: string; metrics: Metrics }[] }
export interface RoundTrip {
  accountId: string; strategyId: string; symbol: string; side: 'long' | 'short'; status: 'open' | 'closed'; quantity: string; exitedQuantity: string;
  averageEntryPrice: string; averageExitPrice?: string; realizedPnl: string; fees: string; otherFees: { currency: string; amount: string }[]; pnl: string;
  openedAt: string; closedAt?: string; fills: number;
}
/** A market as the account's own exchange lists it (GET /markets): price is the tick size, amount the quantity step. */
export interface Market { symbol: string; base?: string; quote?: string; precision: { price: string; amount: string } }
