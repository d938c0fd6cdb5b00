import { v, type NativeVerdict } from './native-verdict.js';
import { RejectCode } from './reject-codes.js';

/** https://bybit-exchange.github.io/docs/v5/error */
export function bybitVerdict(code: string | undefined): NativeVerdict | undefined {
  switch (code) {
    case '110072': // OrderLinkedID is duplicate
    case '170141': // Duplicate clientOrderId
    case '12141': // Duplicate clientOrderId. (old spot)
      return v.duplicate;
    case '110001': // Order does not exist
    case '170213': // Order does not exist.
    case '140001':
      return v.notFound;
    case '10000': // Server Timeout
    case '10016': // Internal server error / service restarting
      return v.unknown;
    case '10006': // Too many visits
    case '10018': // Exceeded the IP rate limit
    case '10429':
      return v.rateLimited;
    case '10002': // request timestamp outside recv_window
      return v.clock;
    case '10003':
    case '10004':
    case '10005':
    case '10007':
    case '10009':
    case '10010':
    case '33004':
      return v.auth;
    case '110004':
    case '110007':
    case '110012':
    case '170131':
      return v.rejected(RejectCode.INSUFFICIENT_BALANCE);
    case '170136':
    case '170140':
      return v.rejected(RejectCode.MIN_QTY);
    case '110094':
      return v.rejected(RejectCode.MIN_NOTIONAL);
    case '170137':
      return v.rejected(RejectCode.LOT_SIZE);
    case '110003':
    case '170193':
      return v.rejected(RejectCode.PRICE_FILTER);
    case '110017':
      return v.rejected(RejectCode.NOT_FILLABLE);
    default:
      return undefined;
  }
}
