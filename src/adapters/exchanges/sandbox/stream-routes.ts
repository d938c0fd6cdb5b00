import { BinanceErrors } from './binance-errors.js';
import { weight, type ApiCall, type Route, type SpotApiDeps } from './routes.js';

const PATH = '/api/v3/userDataStream';

/** Legacy listenKey management (API key only, no signature). */
export function streamRoutes(deps: SpotApiDeps): Route[] {
  const { listenKeys } = deps;
  const listenKeyOf = (call: ApiCall): string => {
    const key = call.params.get('listenKey');
    if (key === undefined) throw BinanceErrors.mandatory('listenKey');
    return key;
  };
  return [
    {
      method: 'POST',
      path: PATH,
      security: 'USER_STREAM',
      weight: weight(2),
      handle: (call) => ({ listenKey: listenKeys.create(call.apiKey, call.accountId) }),
    },
    {
      method: 'PUT',
      path: PATH,
      security: 'USER_STREAM',
      weight: weight(2),
      handle: (call) => {
        if (!listenKeys.keepAlive(call.apiKey, listenKeyOf(call))) throw BinanceErrors.invalidListenKey();
        return {};
      },
    },
    {
      method: 'DELETE',
      path: PATH,
      security: 'USER_STREAM',
      weight: weight(2),
      handle: (call) => {
        if (!listenKeys.remove(call.apiKey, listenKeyOf(call))) throw BinanceErrors.invalidListenKey();
        return {};
      },
    },
  ];
}
