/**
 * AlertEnvelope -> NormalizedSignal: maps every accepted format's field names onto one shape,
 * validates decimals and times, resolves the instrument. Pure.
 *
 * Field aliases (first present, non-blank one wins; names are the envelope's lower-cased keys):
 *   action          action, side, signal, strategy.order.action, order.action, order_action
 *   ticker          ticker, symbol, tv_instrument, instrument, pair; prefixed with
 *                   tv_exchange / exchange as "EXCHANGE:TICKER" when the ticker has no prefix
 *   quantity        quantity, qty, contracts, strategy.order.contracts, size, volume;
 *                   amount / order.amount with [order.]currency_type base (default) | quote
 *   quoteAmount     quote_amount, quote_quantity, quote_qty, vol_dollar; amount with currency_type=quote
 *   price           price, close, trigger_price, strategy.order.price, order_price
 *   orderType       order_type, type, ordertype, order.type (market | limit)
 *   limitPrice      limit_price; for a limit order without it, the price above (OctoBot PRICE)
 *   targetPosition  position_size, strategy.position_size, target_position (signed)
 *   marketPosition  market_position, strategy.market_position, strategy_info.market_position
 *   orderId         order_id, strategy.order.id
 *   comment         comment, strategy.order.comment, tag
 *   alertTime       timenow, timestamp, alert_time, time  ({{time}} is the BAR time: prefer {{timenow}})
 */
import { decToString, parseDec, Dec } from '../shared/decimal.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';
import type { AlertEnvelope } from './alert-envelope.js';
import type { ConditionalOrderType } from '../events.js';
import type { BracketLevel, BracketRequest, NormalizedSignal, SignalAction } from './signal.js';
import { resolveSymbol, type ListingContext } from './symbols.js';

export interface NormalizeContext {
  /** unified symbols the strategy's accounts can trade, e.g. ["BTC/USDT", "BTC/USDT:USDT"] */
  readonly listedSymbols: readonly string[];
  /** the strategy's explicit ticker -> unified symbol map */
  readonly symbolMap: Readonly<Record<string, string>>;
  /** the exchanges' names and whether every account's list is known */
  readonly listing?: ListingContext;
}

/** Largest quantity / price / |target position| accepted from an alert. */
export const MAX_ALERT_DECIMAL = new Dec('1e9');
/** Most decimal places accepted from an alert. */
export const MAX_ALERT_DECIMAL_PLACES = 18;
const MAX_COMMENT_LENGTH = 500;
const MAX_ID_LENGTH = 200;

const KEYS = {
  action: ['action', 'side', 'signal', 'strategy.order.action', 'order.action', 'order_action'],
  ticker: ['ticker', 'symbol', 'tv_instrument', 'instrument', 'pair'],
  exchange: ['tv_exchange', 'exchange'],
  quantity: ['quantity', 'qty', 'contracts', 'strategy.order.contracts', 'size', 'volume'],
  amount: ['amount', 'order.amount'],
  currencyType: ['currency_type', 'order.currency_type'],
  quoteAmount: ['quote_amount', 'quote_quantity', 'quote_qty', 'vol_dollar'],
  price: ['price', 'close', 'trigger_price', 'strategy.order.price', 'order_price'],
  orderType: ['order_type', 'type', 'ordertype', 'order.type'],
  limitPrice: ['limit_price'],
  targetPosition: ['position_size', 'strategy.position_size', 'target_position'],
  marketPosition: ['market_position', 'strategy.market_position', 'strategy_info.market_position'],
  orderId: ['order_id', 'strategy.order.id'],
  comment: ['comment', 'strategy.order.comment', 'tag'],
  alertTime: ['timenow', 'timestamp', 'alert_time', 'time'],
} as const;

type Fields = Readonly<Record<string, string | undefined>>;
interface Found {
  readonly key: string;
  readonly value: string;
}

function find(fields: Fields, keys: readonly string[]): Found | undefined {
  for (const key of keys) {
    const value = fields[key]?.trim();
    if (value !== undefined && value.length > 0) return { key, value };
  }
  return undefined;
}

/** Quotes alert content in a message, bounded. */
function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
}

const PLACEHOLDER = /\{\{[^{}]{0,80}\}\}/;

export function normalizeSignal(envelope: AlertEnvelope, ctx: NormalizeContext): Result<NormalizedSignal, DomainError> {
  const fields = envelope.fields;

  const placeholder = findPlaceholder(fields);
  if (placeholder !== undefined) return err(placeholder);

  // action
  const actionField = find(fields, KEYS.action);
  if (actionField === undefined) {
    return err({
      code: 'MISSING_ACTION',
      message: 'The alert has no action: add "action": "{{strategy.order.action}}" (strategy alerts) or "action": "buy" / "sell" / "close".',
    });
  }
  const action = parseAction(actionField.value);
  if (action === undefined) {
    return err({
      code: 'INVALID_ACTION',
      message:
        `Field "${actionField.key}" is ${shown(actionField.value)}, which is not an action PATRIOT understands; ` +
        'use buy, sell, long, short, close, exit, flat, close_long, close_short or cancel.',
    });
  }

  // ticker and symbol
  const tickerField = find(fields, KEYS.ticker);
  if (tickerField === undefined && action.action === 'cancel') return ok(cancelEverySymbol(fields)); // issue 17
  if (tickerField === undefined) {
    return err({ code: 'MISSING_SYMBOL', message: 'The alert names no instrument: add "ticker": "{{ticker}}".' });
  }
  const exchange = find(fields, KEYS.exchange);
  const ticker =
    exchange !== undefined && !tickerField.value.includes(':') && !tickerField.value.includes('/')
      ? `${exchange.value}:${tickerField.value}`
      : tickerField.value;
  const symbol = resolveSymbol(ticker, ctx.listedSymbols, ctx.symbolMap, ctx.listing);
  if (!symbol.ok) return symbol;

  // quantities
  let quantity: string | undefined;
  let quoteAmount: string | undefined;
  const qtyField = find(fields, KEYS.quantity);
  let quantityPercent: string | undefined;
  if (qtyField !== undefined && qtyField.value.endsWith('%')) {
    const p = percentOf(qtyField);
    if (!p.ok) return p;
    quantityPercent = p.value;
  } else if (qtyField !== undefined) {
    const q = positiveDecimal(qtyField, 'INVALID_QUANTITY', 'quantity');
    if (!q.ok) return q;
    quantity = q.value;
  }
  const amountField = find(fields, KEYS.amount);
  if (amountField !== undefined) {
    const currencyType = find(fields, KEYS.currencyType);
    const kind = (currencyType?.value ?? 'base').toLowerCase();
    if (kind !== 'base' && kind !== 'quote') {
      return err({
        code: 'INVALID_QUANTITY',
        message: `Field "${currencyType?.key ?? 'currency_type'}" is ${shown(kind)}; PATRIOT accepts "base" (amount in coins) or "quote" (amount in the quote currency).`,
      });
    }
    const a = positiveDecimal(amountField, 'INVALID_QUANTITY', kind === 'base' ? 'quantity' : 'quote amount');
    if (!a.ok) return a;
    if (kind === 'base') quantity ??= a.value;
    else quoteAmount = a.value;
  }
  const quoteField = find(fields, KEYS.quoteAmount);
  if (quoteField !== undefined && quoteAmount === undefined) {
    const a = positiveDecimal(quoteField, 'INVALID_QUANTITY', 'quote amount');
    if (!a.ok) return a;
    quoteAmount = a.value;
  }

  // prices and order type
  let price: string | undefined;
  const priceField = find(fields, KEYS.price);
  if (priceField !== undefined) {
    const p = positiveDecimal(priceField, 'INVALID_PRICE', 'price');
    if (!p.ok) return p;
    price = p.value;
  }
  let limitPrice: string | undefined;
  const limitField = find(fields, KEYS.limitPrice);
  if (limitField !== undefined) {
    const p = positiveDecimal(limitField, 'INVALID_PRICE', 'limit price');
    if (!p.ok) return p;
    limitPrice = p.value;
  }
  let orderType: NormalizedSignal['orderType'];
  const typeField = find(fields, KEYS.orderType);
  if (typeField !== undefined) {
    const t = typeField.value.toLowerCase();
    const conditional = conditionalTypeOf(t); // issue 17
    if (t !== 'market' && t !== 'limit' && conditional === undefined) {
      return err({
        code: 'INVALID_ORDER_TYPE',
        message: `Field "${typeField.key}" is ${shown(typeField.value)}; use "market", "limit", "stop", "stop_limit", "take_profit" or "take_profit_limit".`,
      });
    }
    orderType = conditional ?? (t as 'market' | 'limit');
  } else if (limitPrice !== undefined) {
    orderType = 'limit';
  }
  const trailing = parseTrailing(fields); // issue 17
  if (!trailing.ok) return trailing;
  if (trailing.value !== undefined) orderType = 'stop_market';
  const stop = trailing.value !== undefined ? ok(undefined) : parseStopPrice(fields, orderType);
  if (!stop.ok) return stop;
  const bracket = parseBracket(fields); // issue 17
  if (!bracket.ok) return bracket;
  if (orderType === 'limit' || orderType === 'stop_limit' || orderType === 'take_profit_limit') {
    limitPrice ??= price;
    if (limitPrice === undefined) {
      return err({
        code: 'LIMIT_PRICE_REQUIRED',
        message: 'The alert asks for a limit order but carries no price: add "limit_price" (or "price", e.g. "{{close}}").',
      });
    }
  } else if (orderType !== undefined) {
    limitPrice = undefined; // an explicit market order (or stop / take-profit market) ignores a stray limit price
  }

  // positions
  let targetPosition: string | undefined;
  const targetField = find(fields, KEYS.targetPosition);
  if (targetField !== undefined) {
    const t = boundedDecimal(targetField, 'INVALID_QUANTITY', 'target position');
    if (!t.ok) return t;
    targetPosition = t.value;
  }
  let marketPosition: 'long' | 'short' | 'flat' | undefined;
  const mpField = find(fields, KEYS.marketPosition);
  if (mpField !== undefined) {
    const mp = mpField.value.toLowerCase();
    if (mp !== 'long' && mp !== 'short' && mp !== 'flat') {
      return err({
        code: 'INVALID_MARKET_POSITION',
        message: `Field "${mpField.key}" is ${shown(mpField.value)}; use "{{strategy.market_position}}" (long, short or flat).`,
      });
    }
    marketPosition = mp;
  }

  // time
  let alertTime: string | undefined;
  const timeField = find(fields, KEYS.alertTime);
  if (timeField !== undefined) {
    const t = parseAlertTime(timeField.value);
    if (t === undefined) {
      return err({
        code: 'INVALID_TIME',
        message:
          `Field "${timeField.key}" is ${shown(timeField.value)}, which is not a time; ` +
          'send "{{timenow}}" (e.g. 2024-05-01T12:00:00Z), another ISO-8601 time with a zone, or epoch seconds / milliseconds.',
      });
    }
    alertTime = t;
  }

  const orderId = find(fields, KEYS.orderId)?.value.slice(0, MAX_ID_LENGTH);
  const comment = find(fields, KEYS.comment)?.value.slice(0, MAX_COMMENT_LENGTH);

  const signal: NormalizedSignal = {
    action: action.action,
    ...(action.closeSide !== undefined ? { closeSide: action.closeSide } : {}),
    ticker,
    symbol: symbol.value,
    ...(quantity !== undefined ? { quantity } : {}),
    ...(quoteAmount !== undefined ? { quoteAmount } : {}),
    ...(price !== undefined ? { price } : {}),
    ...(orderType !== undefined ? { orderType } : {}),
    ...(limitPrice !== undefined ? { limitPrice } : {}),
    ...(stop.value !== undefined ? { stopPrice: stop.value } : {}),
    ...(trailing.value?.percent !== undefined ? { trailingPercent: trailing.value.percent } : {}),
    ...(trailing.value?.distance !== undefined ? { trailingDistance: trailing.value.distance } : {}),
    ...(bracket.value !== undefined ? { bracket: bracket.value } : {}),
    ...(targetPosition !== undefined ? { targetPosition } : {}),
    ...(marketPosition !== undefined ? { marketPosition } : {}),
    ...(orderId !== undefined ? { orderId } : {}),
    ...(comment !== undefined ? { comment } : {}),
    ...(alertTime !== undefined ? { alertTime } : {}),
    ...(quantityPercent !== undefined ? { quantityPercent } : {}),
  };
  return withStopLoss(signal, fields);
}

// ---------------------------------------------------------------------------------------------

function findPlaceholder(fields: Fields): DomainError | undefined {
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === undefined) continue;
    const m = PLACEHOLDER.exec(value);
    if (m === null) continue;
    const isStrategy = m[0].replace(/\s+/g, '').startsWith('{{strategy.');
    return {
      code: 'UNRESOLVED_PLACEHOLDER',
      message: isStrategy
        ? `Field "${key}" still contains ${m[0]}: TradingView fills {{strategy.*}} placeholders only in alerts created on a strategy ` +
          '(condition: your strategy, "Order fills"). Create the alert on the strategy, or use the indicator message with fixed values.'
        : `Field "${key}" still contains ${m[0]}, which TradingView did not replace: check its spelling (placeholders are case-sensitive) ` +
          'or replace it with a value.',
    };
  }
  return undefined;
}

const ACTIONS: Readonly<Record<string, { readonly action: SignalAction; readonly closeSide?: 'long' | 'short' }>> = {
  buy: { action: 'buy' },
  long: { action: 'buy' },
  enter_long: { action: 'buy' },
  sell: { action: 'sell' },
  short: { action: 'sell' },
  enter_short: { action: 'sell' },
  close: { action: 'close' },
  exit: { action: 'close' },
  flat: { action: 'close' },
  closeall: { action: 'close' },
  close_all: { action: 'close' },
  exit_all: { action: 'close' },
  close_long: { action: 'close', closeSide: 'long' },
  closelong: { action: 'close', closeSide: 'long' },
  exit_long: { action: 'close', closeSide: 'long' },
  exitlong: { action: 'close', closeSide: 'long' },
  close_short: { action: 'close', closeSide: 'short' },
  closeshort: { action: 'close', closeSide: 'short' },
  exit_short: { action: 'close', closeSide: 'short' },
  exitshort: { action: 'close', closeSide: 'short' },
  // order lifecycle (issue 17): cancel the strategy's open orders (of the ticker, when the alert names one)
  cancel: { action: 'cancel' },
  cancel_all: { action: 'cancel' },
  cancel_orders: { action: 'cancel' },
};

function parseAction(value: string): { readonly action: SignalAction; readonly closeSide?: 'long' | 'short' } | undefined {
  const key = value.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return Object.prototype.hasOwnProperty.call(ACTIONS, key) ? ACTIONS[key] : undefined;
}

function checkDecimal(field: Found, code: string, what: string, allowZeroOrNegative: boolean): Result<string, DomainError> {
  const value = parseDec(field.value);
  const hint = code === 'INVALID_PRICE' ? 'e.g. "{{close}}"' : 'e.g. "{{strategy.order.contracts}}" or 0.01';
  if (value === undefined) {
    const percent = field.value.endsWith('%') ? ' A percent is accepted in "qty" / "quantity" only (e.g. "25%").' : '';
    return err({ code, message: `Field "${field.key}" (${what}) is ${shown(field.value)}, which is not a decimal number (${hint}).${percent}` });
  }
  if (!allowZeroOrNegative && value.lessThanOrEqualTo(0)) {
    return err({
      code,
      message: `Field "${field.key}" (${what}) is ${shown(field.value)}; it must be greater than zero (the side comes from the action).`,
    });
  }
  if (value.abs().greaterThan(MAX_ALERT_DECIMAL)) {
    return err({ code, message: `Field "${field.key}" (${what}) is ${shown(field.value)}, above the limit of 1000000000.` });
  }
  const text = decToString(value);
  const dot = text.indexOf('.');
  if (dot >= 0 && text.length - dot - 1 > MAX_ALERT_DECIMAL_PLACES) {
    return err({
      code,
      message: `Field "${field.key}" (${what}) is ${shown(field.value)}, with more than ${MAX_ALERT_DECIMAL_PLACES} decimal places.`,
    });
  }
  return ok(text);
}

const positiveDecimal = (field: Found, code: string, what: string): Result<string, DomainError> => checkDecimal(field, code, what, false);
const boundedDecimal = (field: Found, code: string, what: string): Result<string, DomainError> => checkDecimal(field, code, what, true);

// ---------------------------------------------------------------------------------------------
// Time: TradingView's yyyy-MM-ddTHH:mm:ssZ, other ISO-8601, epoch seconds or milliseconds.

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;
/** 9999-12-31T23:59:59.999Z */
const MAX_EPOCH_MS = 253_402_300_799_999;

/**
 * Canonical ISO-8601 (`toISOString`, UTC, milliseconds) of an alert time, or undefined.
 * An ISO time without a zone is taken as UTC (TradingView's times are UTC). Epoch values below
 * 1e11 are seconds (fractions allowed), larger ones milliseconds. Years before 1970 are refused.
 */
export function parseAlertTime(text: string): string | undefined {
  const value = text.trim();
  let ms: number;
  if (/^\d{1,16}(?:\.\d{1,9})?$/.test(value)) {
    const n = Number(value);
    ms = n < 1e11 ? Math.round(n * 1000) : Math.trunc(n);
  } else {
    const m = ISO.exec(value);
    if (m === null) return undefined;
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const hour = Number(h);
    const minute = Number(mi);
    const second = Number(s);
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    let offsetMinutes = 0;
    if (zone !== 'Z' && zone !== 'z') {
      const digits = zone.slice(1).replace(':', '');
      const oh = Number(digits.slice(0, 2));
      const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
      if (oh > 18 || om > 59) return undefined;
      offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
    }
    const millis = Number(frac.padEnd(3, '0').slice(0, 3));
    ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  }
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_EPOCH_MS) return undefined;
  return new Date(ms).toISOString();
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// ---------------------------------------------------------------------------------------------
// Positions and sizing (ADR-0019): a percent quantity, and the stop-loss price risk sizing reads.

const STOP_LOSS_KEYS = ['stop_loss', 'sl', 'stop_loss_price'] as const;

/** "25%" -> "25": a percent of the sizing mode's base, 0 < p <= 100 (INVALID_PERCENT otherwise). */
function percentOf(field: Found): Result<string, DomainError> {
  const value = parseDec(field.value.slice(0, -1));
  if (value === undefined || !value.greaterThan(0) || value.greaterThan(100)) {
    return err({
      code: 'INVALID_PERCENT',
      message: `Field "${field.key}" is ${shown(field.value)}; a percent quantity must be above 0 % and at most 100 % (of the sizing mode's base: the position for a close, the equity, the balance or the configured size).`,
    });
  }
  return ok(decToString(value));
}

function withStopLoss(signal: NormalizedSignal, fields: Fields): Result<NormalizedSignal, DomainError> {
  const stopField = find(fields, STOP_LOSS_KEYS);
  if (stopField === undefined) return ok(signal);
  // a percent distance ("1.5%") is the bracket's stop (parsed there); risk sizing reads it from the bracket
  if (stopField.value.trim().endsWith('%')) return ok(signal);
  const stop = positiveDecimal(stopField, 'INVALID_PRICE', 'stop-loss price');
  if (!stop.ok) return stop;
  return ok({ ...signal, stopLossPrice: stop.value });
}

// ---- order lifecycle (issue 17)

/** A `cancel` alert naming no instrument: every symbol (ticker and symbol empty). */
function cancelEverySymbol(fields: Fields): NormalizedSignal {
  const orderId = find(fields, KEYS.orderId)?.value.slice(0, MAX_ID_LENGTH);
  const comment = find(fields, KEYS.comment)?.value.slice(0, MAX_COMMENT_LENGTH);
  return { action: 'cancel', ticker: '', symbol: '', ...(orderId !== undefined ? { orderId } : {}), ...(comment !== undefined ? { comment } : {}) };
}

const CONDITIONAL_ALIASES: Readonly<Record<string, ConditionalOrderType>> = {
  trailing_stop: 'stop_market',
  stop: 'stop_market', stop_market: 'stop_market', stop_loss: 'stop_market', stop_limit: 'stop_limit', stop_loss_limit: 'stop_limit',
  take_profit: 'take_profit', take_profit_market: 'take_profit', take_profit_limit: 'take_profit_limit',
};

/** The stop / take-profit order type an alert's `order_type` names, if it names one. */
function conditionalTypeOf(text: string): ConditionalOrderType | undefined {
  return Object.hasOwn(CONDITIONAL_ALIASES, text) ? CONDITIONAL_ALIASES[text] : undefined;
}

/** `stop_price`: required by a stop / take-profit order type, refused (as meaningless) by none. */
function parseStopPrice(fields: Fields, orderType: NormalizedSignal['orderType']): Result<string | undefined, DomainError> {
  const field = find(fields, ['stop_price', 'stopprice']);
  const conditional = orderType !== undefined && orderType !== 'market' && orderType !== 'limit';
  if (field === undefined) {
    return conditional ? err({ code: 'STOP_PRICE_REQUIRED', message: `The alert asks for a ${orderType} order but carries no "stop_price".` }) : ok(undefined);
  }
  const p = positiveDecimal(field, 'INVALID_PRICE', 'stop price');
  if (!p.ok) return p;
  return conditional ? ok(p.value) : ok(undefined);
}

/**
 * Bracket fields (issue 17): `take_profit` (one level or several, comma-separated: prices, or
 * percent distances from the entry like "2%"), `take_profit_split` (percent of the entry per level,
 * summing to 100; default equal parts), `stop_loss` (a price or "1.5%"), `stop_loss_limit` (the
 * stop-loss as a stop-limit order: its limit price, or "0.3%" beyond the trigger price; needs
 * `stop_loss`), `break_even` ("true": move the stop to the entry once the first take-profit filled).
 */
function parseBracket(fields: Fields): Result<BracketRequest | undefined, DomainError> {
  const tpField = find(fields, ['take_profit', 'takeprofit', 'tp']);
  const slField = find(fields, ['stop_loss', 'stoploss', 'sl']);
  const splitField = find(fields, ['take_profit_split', 'tp_split']);
  const beField = find(fields, ['break_even', 'breakeven', 'move_stop_to_entry']);
  const slLimitField = find(fields, ['stop_loss_limit', 'sl_limit', 'stop_loss_limit_price']);
  if (slLimitField !== undefined && slField === undefined) {
    return err({ code: 'INVALID_BRACKET', message: `"${slLimitField.key}" makes the stop-loss a stop-limit order: it needs a "stop_loss".` });
  }
  if (tpField === undefined && slField === undefined) {
    if (splitField !== undefined || beField !== undefined) return err({ code: 'INVALID_BRACKET', message: '"take_profit_split" and "break_even" need a "take_profit" or "stop_loss".' });
    return ok(undefined);
  }
  const takeProfits: BracketLevel[] = [];
  for (const part of (tpField?.value ?? '').split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const level = bracketLevel(part, tpField!.key);
    if (!level.ok) return level;
    takeProfits.push(level.value);
  }
  if (takeProfits.length > 5) return err({ code: 'INVALID_BRACKET', message: `at most 5 take-profit levels, got ${takeProfits.length}` });
  let split: string[] | undefined;
  if (splitField !== undefined) {
    split = splitField.value.split(',').map((p) => p.trim().replace(/%$/, ''));
    const parts = split.map((p) => (DECIMAL_TEXT.test(p) ? new Dec(p) : undefined));
    if (split.length !== takeProfits.length || parts.some((p) => p === undefined || !p.greaterThan(0))) {
      return err({ code: 'INVALID_BRACKET', message: `"${splitField.key}" must give one positive percent per take-profit level (${takeProfits.length})` });
    }
    if (!parts.reduce((a, b) => a!.plus(b!), new Dec(0))!.equals(100)) return err({ code: 'PERCENT_OVER_100', message: `"${splitField.key}" must sum to 100, got ${splitField.value}` });
  }
  let stopLoss: BracketLevel | undefined;
  if (slField !== undefined) {
    const level = bracketLevel(slField.value.trim(), slField.key);
    if (!level.ok) return level;
    stopLoss = level.value;
  }
  let stopLossLimit: BracketLevel | undefined;
  if (slLimitField !== undefined) {
    const level = bracketLevel(slLimitField.value.trim(), slLimitField.key, 'the stop-loss price');
    if (!level.ok) return level;
    stopLossLimit = level.value;
  }
  const breakEven = beField !== undefined && ['true', '1', 'yes'].includes(beField.value.trim().toLowerCase());
  return ok({ takeProfits, ...(split ? { split } : {}), ...(stopLoss ? { stopLoss } : {}), ...(stopLossLimit ? { stopLossLimit } : {}), breakEven });
}

const DECIMAL_TEXT = /^[0-9]{1,12}(\.[0-9]{1,12})?$/;

function bracketLevel(text: string, key: string, from = 'the entry'): Result<BracketLevel, DomainError> {
  const percent = text.endsWith('%');
  const number = percent ? text.slice(0, -1).trim() : text;
  if (!DECIMAL_TEXT.test(number) || !new Dec(number).greaterThan(0)) {
    return err({ code: 'INVALID_BRACKET', message: `Field "${key}" has ${shown(text)}; give a price (e.g. 105000) or a percent from ${from} (e.g. 2%).` });
  }
  if (percent && !new Dec(number).lessThan(100)) return err({ code: 'PERCENT_OVER_100', message: `Field "${key}" is ${text}: a distance from ${from} must be under 100%` });
  return ok(percent ? { percent: number } : { price: number });
}

/**
 * A trailing stop (issue 17): `trailing_percent` (e.g. "1.5" or "1.5%") or `trailing_distance` (in
 * the quote currency, e.g. "250"), how far the stop follows the best price. One of them:
 * INVALID_TRAILING for both; TRAILING_DISTANCE_ZERO for 0; PERCENT_OVER_100 from 100 %.
 */
function parseTrailing(fields: Fields): Result<{ percent?: string; distance?: string } | undefined, DomainError> {
  const byDistance = find(fields, ['trailing_distance', 'trail_distance', 'trailing_offset']);
  const byPercent = find(fields, ['trailing_percent', 'trail_percent', 'trailing_stop']);
  if (byDistance !== undefined && byPercent !== undefined) {
    return err({ code: 'INVALID_TRAILING', message: `Give either "${byPercent.key}" or "${byDistance.key}", not both.` });
  }
  if (byDistance !== undefined) {
    const text = byDistance.value.trim();
    if (!DECIMAL_TEXT.test(text)) return err({ code: 'INVALID_TRAILING', message: `Field "${byDistance.key}" is ${shown(byDistance.value)}; give a distance in price such as "250".` });
    const distance = new Dec(text);
    if (distance.isZero()) return err({ code: 'TRAILING_DISTANCE_ZERO', message: `Field "${byDistance.key}" is 0: a trailing stop needs a distance above zero.` });
    return ok({ distance: decToString(distance) });
  }
  if (byPercent === undefined) return ok(undefined);
  const text = byPercent.value.trim().replace(/%$/, '');
  if (!DECIMAL_TEXT.test(text)) return err({ code: 'INVALID_TRAILING', message: `Field "${byPercent.key}" is ${shown(byPercent.value)}; give a percent such as "1.5%".` });
  const percent = new Dec(text);
  if (percent.isZero()) return err({ code: 'TRAILING_DISTANCE_ZERO', message: `Field "${byPercent.key}" is 0: a trailing stop needs a distance above zero.` });
  if (!percent.lessThan(100)) return err({ code: 'PERCENT_OVER_100', message: `Field "${byPercent.key}" is ${byPercent.value}: a trailing distance must be under 100%.` });
  return ok({ percent: decToString(percent) });
}
