import { v, type NativeVerdict } from './native-verdict.js';
import { RejectCode } from './reject-codes.js';

/** https://www.okx.com/docs-v5/en/#error-code */
export function okxVerdict(code: string | undefined): NativeVerdict | undefined {
  switch (code) {
    case '51016': // Client order ID already exists
      return v.duplicate;
    case '51603': // Order does not exist
    case '51400': // Cancellation failed as the order does not exist (or is already final)
    case '51401':
    case '51402':
      return v.notFound;
    case '50004': // request timeout: "does not mean that the request was successful or failed"
    case '50001':
    case '50013':
    case '50026':
      return v.unknown;
    case '50011':
    case '50061':
      return v.rateLimited;
    case '50102': // Timestamp request expired
      return v.clock;
    case '50100':
    case '50101':
    case '50105':
    case '50110':
    case '50111':
    case '50113':
    case '50114':
      return v.auth;
    case '51008':
    case '51131':
      return v.rejected(RejectCode.INSUFFICIENT_BALANCE);
    case '51121':
      return v.rejected(RejectCode.LOT_SIZE);
    case '51020':
      return v.rejected(RejectCode.MIN_QTY);
    case '51006':
    case '51137':
      return v.rejected(RejectCode.PRICE_FILTER);
    case '51001':
      return v.rejected(RejectCode.UNKNOWN_SYMBOL);
    default:
      return undefined;
  }
}
