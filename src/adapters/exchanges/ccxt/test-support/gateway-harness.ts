import type { PlaceOrderRequest } from '../../../../application/ports/exchange.js';
import type { Logger } from '../../../../application/ports/logger.js';
import type { CcxtMarketLike } from '../ccxt-types.js';
import { CcxtExchangeGateway, type CcxtAccount, type CcxtGatewayOptions } from '../ccxt-gateway.js';
import { FakeExchange, SPOT_MARKETS } from './fake-exchange.js';
import { FakeScheduler } from './fake-scheduler.js';

/** A gateway over fake ccxt instances for the gateway specs: one binance spot account 'acc1', credentials API_KEY/SECRET. */
export const CID = '0123456789abcdef0123456789abcdef';
export const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
export const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

export interface LogLine {
  readonly level: string;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

export function setup(
  options: Partial<CcxtGatewayOptions> & { readonly markets?: Record<string, CcxtMarketLike>; readonly account?: Partial<CcxtAccount> } = {},
) {
  const scheduler = new FakeScheduler();
  const created: FakeExchange[] = [];
  const logs: LogLine[] = [];
  const log: Logger = {
    info: (fields, message) => logs.push({ level: 'info', fields, message }),
    warn: (fields, message) => logs.push({ level: 'warn', fields, message }),
    error: (fields, message) => logs.push({ level: 'error', fields, message }),
  };
  const credentialCalls: string[] = [];
  const { markets, account, ...rest } = options;
  const gateway = new CcxtExchangeGateway({
    credentials: async (accountId) => {
      credentialCalls.push(accountId);
      return { apiKey: API_KEY, secret: SECRET };
    },
    log,
    scheduler,
    createExchange: (id, config) => {
      const fake = new FakeExchange(id, config, markets ?? SPOT_MARKETS);
      created.push(fake);
      return fake;
    },
    notFoundGraceMs: 0,
    ...rest,
  });
  gateway.registerAccount({ accountId: 'acc1', exchangeId: 'binance', marketType: 'spot', ...account });
  const loaders = () => created.filter((c) => c.config.apiKey === undefined);
  const instances = () => created.filter((c) => c.config.apiKey !== undefined);
  /** Makes the account's ccxt instance (via a balance call) and returns it for scripting. */
  const exchange = async (accountId = 'acc1'): Promise<FakeExchange> => {
    await gateway.fetchBalances(accountId);
    const fake = instances().at(-1);
    if (!fake) throw new Error('no instance');
    fake.calls.length = 0;
    return fake;
  };
  return { gateway, scheduler, created, logs, credentialCalls, loaders, instances, exchange };
}

export const limitBuy = (extra: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  clientOrderId: CID,
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'limit',
  quantity: '0.001',
  limitPrice: '43000.01',
  ...extra,
});

export const marketSell = (extra: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  clientOrderId: CID,
  symbol: 'BTC/USDT',
  side: 'sell',
  type: 'market',
  quantity: '0.002',
  ...extra,
});
