import { randomBytes } from 'node:crypto';
import type { AccountConfig } from '../domain/accounts/account.js';
import type { StrategyConfig } from '../domain/strategies/strategy.js';

export const DEMO_TENANT = 'tnt_demo';
export const DEMO_ACCOUNT = 'acc_demo_paper';
export const DEMO_STRATEGY = 'strat_demo';

export const DEMO_USER = 'usr_demo';
/** the demo user's login name */
export const DEMO_LOGIN = 'demo';
export const demoUser = { userId: DEMO_USER, tenantId: DEMO_TENANT, name: 'Demo trader', role: 'admin' as const };

export const demoAccount: AccountConfig = {
  accountId: DEMO_ACCOUNT,
  tenantId: DEMO_TENANT,
  name: 'Demo paper account',
  exchange: 'paper',
  quoteAsset: 'USDT',
  initialBalances: [
    { asset: 'USDT', amount: '100000' },
    { asset: 'BTC', amount: '0' },
    { asset: 'ETH', amount: '0' },
    { asset: 'SOL', amount: '0' },
  ],
  risk: { maxOrderNotional: '25000', maxPositionNotional: '60000', allowedSymbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] },
};

export const demoStrategy: StrategyConfig = {
  strategyId: DEMO_STRATEGY,
  tenantId: DEMO_TENANT,
  name: 'Demo strategy',
  symbolMap: {},
  accounts: [{ accountId: DEMO_ACCOUNT, sizing: { kind: 'signal_quantity', multiplier: '1' }, orderTemplate: { type: 'market' } }],
  risk: { maxOrderNotional: '20000' },
  maxSignalAgeSeconds: 300,
};

export const newWebhookSecret = (): string => randomBytes(24).toString('base64url');
export const newDemoPassword = (): string => randomBytes(12).toString('base64url');
