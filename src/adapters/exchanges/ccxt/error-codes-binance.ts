import { v, type NativeVerdict } from './native-verdict.js';
import { RejectCode } from './reject-codes.js';

/** Binance -1013 "Filter failure: X" to our codes. */
function binanceFilter(message: string): RejectCode {
  const filter = /Filter failure:\s*([A-Z_]+)/.exec(message)?.[1];
  switch (filter) {
    case 'LOT_SIZE':
    case 'MARKET_LOT_SIZE':
      return RejectCode.LOT_SIZE;
    case 'PRICE_FILTER':
    case 'PERCENT_PRICE':
    case 'PERCENT_PRICE_BY_SIDE':
      return RejectCode.PRICE_FILTER;
    case 'MIN_NOTIONAL':
    case 'NOTIONAL':
      return RejectCode.MIN_NOTIONAL;
    case 'MAX_NUM_ORDERS':
    case 'MAX_NUM_ALGO_ORDERS':
    case 'MAX_NUM_ICEBERG_ORDERS':
    case 'EXCHANGE_MAX_NUM_ORDERS':
    case 'EXCHANGE_MAX_NUM_ALGO_ORDERS':
      return RejectCode.MAX_NUM_ORDERS;
    default:
      if (/market is closed/i.test(message)) return RejectCode.MARKET_CLOSED;
      return filter !== undefined ? RejectCode.EXCHANGE_REJECTED : RejectCode.INVALID_ORDER;
  }
}

/** https://developers.binance.com/docs/binance-spot-api-docs/errors (also USDⓈ-M futures) */
export function binanceVerdict(code: string | undefined, message: string): NativeVerdict | undefined {
  switch (code) {
    case '-2010': // NEW_ORDER_REJECTED: the matching engine refused it ... unless it is a duplicate
      if (/duplicate/i.test(message)) return v.duplicate;
      if (/insufficient balance/i.test(message)) return v.rejected(RejectCode.INSUFFICIENT_BALANCE);
      if (/immediately match|trigger immediately/i.test(message)) return v.rejected(RejectCode.WOULD_MATCH);
      // an order list (OCO) whose prices do not straddle the market (issue 17)
      if (/relationship of the prices/i.test(message)) return v.rejected(RejectCode.OCO_PRICES_WRONG_SIDE);
      if (/market is closed/i.test(message)) return v.rejected(RejectCode.MARKET_CLOSED);
      if (/not permitted|restricted|disabled|not enabled/i.test(message)) return v.auth;
      return v.rejected(RejectCode.EXCHANGE_REJECTED);
    case '-4116': // futures: ClientOrderId is duplicated.
      return v.duplicate;
    case '-1013':
      return v.rejected(binanceFilter(message));
    case '-2013': // NO_SUCH_ORDER
    case '-2011': // CANCEL_REJECTED "Unknown order sent." (also for an order already final)
      return v.notFound;
    case '-2026': // archived (cancelled/expired unfilled > 90 days ago): existed, so never "absent"
      return v.unknown;
    case '-1000':
    case '-1001':
    case '-1004': // SERVER_BUSY (spot)
    case '-1006':
    case '-1007':
    case '-1008':
      return v.unknown;
    case '-1003':
    case '-1015':
      return v.rateLimited;
    case '-1021':
      return v.clock;
    case '-1002':
    case '-1022':
    case '-2014':
    case '-2015':
      return v.auth;
    case '-1121':
    case '-1108':
      return v.rejected(RejectCode.UNKNOWN_SYMBOL);
    case '-1111':
      return v.rejected(RejectCode.LOT_SIZE);
    case '-2019': // futures: margin is insufficient
    case '-4050':
    case '-4051':
      return v.rejected(RejectCode.INSUFFICIENT_BALANCE);
    case '-2022': // futures: ReduceOnly Order is rejected
      return v.rejected(RejectCode.NOT_FILLABLE);
    case '-4164': // futures: notional must be no smaller than …
      return v.rejected(RejectCode.MIN_NOTIONAL);
    case undefined:
      // ccxt matched the text and dropped the code, e.g. "binance Filter failure: PERCENT_PRICE_BY_SIDE"
      return /Filter failure:/.test(message) ? v.rejected(binanceFilter(message)) : undefined;
    default:
      return undefined;
  }
}
