import { RejectCode } from '../paper/filters.js';

/**
 * A Binance error answer: HTTP status and the `{"code": -XXXX, "msg": "..."}` body, with Binance's
 * own codes and messages (what ccxt's binance error tables match on).
 */
export class BinanceError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly msg: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${code} ${msg}`);
  }

  body(): { code: number; msg: string } {
    return { code: this.code, msg: this.msg };
  }
}

const bad = (code: number, msg: string) => new BinanceError(400, code, msg);

export const BinanceErrors = {
  unknownError: () => new BinanceError(500, -1000, 'An unknown error occurred while processing the request.'),
  internalError: () => new BinanceError(500, -1001, 'Internal error; unable to process your request. Please try again.'),
  executionUnknown: () => new BinanceError(500, -1006, 'An unexpected response was received from the message bus. Execution status unknown.'),
  unsupportedOperation: () => bad(-1020, 'This operation is not supported.'),
  /** an order list whose leg types the sandbox does not take (Binance: UNKNOWN_ORDER_COMPOSITION) */
  unsupportedOrderCombination: () => bad(-1014, 'Unsupported order combination.'),
  timestampOutsideWindow: () => bad(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  timestampAhead: () => bad(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  badSignature: () => bad(-1022, 'Signature for this request is not valid.'),
  illegalChars: (param: string, range: string) => bad(-1100, `Illegal characters found in parameter '${param}'; legal range is '${range}'.`),
  mandatory: (param: string) => bad(-1102, `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`),
  eitherParam: (a: string, b: string) => bad(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  notRequired: (param: string) => bad(-1106, `Parameter '${param}' sent when not required.`),
  invalidTimeInForce: () => bad(-1115, 'Invalid timeInForce.'),
  invalidOrderType: () => bad(-1116, 'Invalid orderType.'),
  invalidSide: () => bad(-1117, 'Invalid side.'),
  invalidSymbol: () => bad(-1121, 'Invalid symbol.'),
  invalidListenKey: () => bad(-1125, 'This listenKey does not exist.'),
  badParamCombination: () => bad(-1128, 'Combination of optional parameters invalid.'),
  startAfterEnd: () => bad(-1023, 'Start time is greater than end time.'),
  invalidInterval: () => bad(-1120, 'Invalid interval.'),
  invalidLimit: () => bad(-1130, "Data sent for parameter 'limit' is not valid."),
  recvWindowTooLarge: () => bad(-1131, 'recvWindow must be less than 60000.'),
  filterFailure: (filter: string) => bad(-1013, `Filter failure: ${filter}`),
  invalidQuantity: () => bad(-1013, 'Invalid quantity.'),
  invalidPrice: () => bad(-1013, 'Invalid price.'),
  /** an order on a symbol whose status is not TRADING (ccxt: MarketClosed) */
  marketClosed: () => bad(-1013, 'Market is closed.'),
  insufficientBalance: () => bad(-2010, 'Account has insufficient balance for requested action.'),
  duplicateOrder: () => bad(-2010, 'Duplicate order sent.'),
  wouldTriggerImmediately: () => bad(-2010, 'Stop price would trigger immediately.'),
  noLiquidity: () => bad(-2010, 'Order book liquidity is less than symbol minimum quantity.'),
  /** an OCO whose prices do not straddle the market (issue 17) */
  ocoPricesWrongSide: () => bad(-2010, 'The relationship of the prices for the orders is not correct.'),
  unknownOrderListOnCancel: () => bad(-2011, 'Unknown order list sent.'),
  orderListDoesNotExist: () => bad(-2013, 'Order list does not exist.'),
  unknownOrderOnCancel: () => bad(-2011, 'Unknown order sent.'),
  orderDoesNotExist: () => bad(-2013, 'Order does not exist.'),
  // USDⓈ-M futures (/fapi)
  marginInsufficient: () => bad(-2019, 'Margin is insufficient.'),
  reduceOnlyRejected: () => bad(-2022, 'ReduceOnly Order is rejected.'),
  leverageNotValid: (leverage: string) => bad(-4028, `Leverage ${leverage} is not valid`),
  noNeedToChangeMarginType: () => bad(-4046, 'No need to change margin type.'),
  marginTypeWithPosition: () => bad(-4048, 'Margin type cannot be changed if there exists position.'),
  marginTypeWithOpenOrders: () => bad(-4047, 'Margin type cannot be changed if there exists open orders.'),
  invalidMarginType: () => bad(-4044, 'The margin type is invalid.'),
  notionalTooSmall: (min: string) => bad(-4164, `Order's notional must be no smaller than ${min} (unless you choose reduce only).`),
  futuresDuplicateOrder: () => bad(-4116, 'ClientOrderId is duplicated.'),
  invalidPositionSide: () => bad(-4061, "Order's position side does not match user's setting."),
  apiKeyFormat: () => new BinanceError(401, -2014, 'API-key format invalid.'),
  rejectedApiKey: () => new BinanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  tooManyRequests: (retryAfterSeconds: number) =>
    new BinanceError(
      429,
      -1003,
      'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid polling the API.',
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  banned: (untilMs: number, retryAfterSeconds: number) =>
    new BinanceError(
      418,
      -1003,
      `Way too many requests; IP(127.0.0.1) banned until ${untilMs}. Please use the websocket for live updates to avoid bans.`,
      { 'Retry-After': String(retryAfterSeconds) },
    ),
} as const;

/**
 * The paper exchange's definitive rejections in Binance's words. Filter failures are -1013,
 * order rejections -2010 (ccxt maps the insufficient-balance message to InsufficientFunds).
 */
export function fromPaperRejection(code: string): BinanceError {
  switch (code) {
    case RejectCode.UNKNOWN_SYMBOL:
      return BinanceErrors.invalidSymbol();
    case RejectCode.LOT_SIZE:
      return BinanceErrors.filterFailure('LOT_SIZE');
    case RejectCode.PRICE_FILTER:
      return BinanceErrors.filterFailure('PRICE_FILTER');
    case RejectCode.MIN_NOTIONAL:
      return BinanceErrors.filterFailure('NOTIONAL');
    case RejectCode.INSUFFICIENT_BALANCE:
      return BinanceErrors.insufficientBalance();
    case RejectCode.DUPLICATE_CLIENT_ORDER_ID:
      return BinanceErrors.duplicateOrder();
    case RejectCode.NO_PRICE:
      return BinanceErrors.noLiquidity();
    case RejectCode.UNKNOWN_ACCOUNT:
      return BinanceErrors.rejectedApiKey();
    case RejectCode.INVALID_ORDER:
      return BinanceErrors.invalidQuantity();
    case RejectCode.WOULD_TRIGGER_IMMEDIATELY:
      return BinanceErrors.wouldTriggerImmediately();
    case RejectCode.OCO_PRICES_WRONG_SIDE:
      return BinanceErrors.ocoPricesWrongSide();
    default:
      return BinanceErrors.internalError();
  }
}
