import type { AccountConfig } from '../../domain/accounts/account.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import { validateStrategyConfig } from '../../domain/strategies/validate-config.js';
import { err, ok, type DomainError, type Result } from '../../domain/shared/result.js';
import { parseDec } from '../../domain/shared/decimal.js';
import { PAPER_MARKETS } from '../../adapters/exchanges/paper/markets.js';
import type { ReplayStrategyBody } from '../../contracts/replay-api.js';

export const REPLAY_TENANT = 'tnt_replay';
export const REPLAY_ACCOUNT = 'acc_replay_paper';
export const REPLAY_STRATEGY = 'strat_replay';
export const DEFAULT_STARTING_BALANCE = '100000';

export interface ReplaySetup {
  readonly strategy: StrategyConfig;
  readonly accounts: readonly AccountConfig[];
}

/**
 * The replay's paper account (the quote asset and every paper market's base, the quote at
 * `startingBalance`) and its strategy: the body's settings, by default the alert's own quantity at
 * market (what a TradingView strategy alert asks for).
 */
export function replaySetup(body: ReplayStrategyBody = {}, startingBalance = DEFAULT_STARTING_BALANCE): Result<ReplaySetup, DomainError> {
  const balance = parseDec(startingBalance);
  if (!balance || !balance.greaterThan(0)) return err({ code: 'REPLAY_BAD_STRATEGY', message: 'the starting balance must be a positive decimal' });
  const bases = [...new Set(PAPER_MARKETS.filter((m) => m.quote === 'USDT').map((m) => m.base))];
  const account: AccountConfig = {
    accountId: REPLAY_ACCOUNT, tenantId: REPLAY_TENANT, name: 'Replay paper account', exchange: 'paper', quoteAsset: 'USDT',
    initialBalances: [{ asset: 'USDT', amount: startingBalance }, ...bases.map((asset) => ({ asset, amount: '0' }))],
    risk: {},
  };
  const strategy: StrategyConfig = {
    strategyId: REPLAY_STRATEGY, tenantId: REPLAY_TENANT, name: body.name ?? 'Replayed strategy',
    symbolMap: body.symbolMap ?? {},
    accounts: [{ accountId: REPLAY_ACCOUNT, sizing: body.sizing ?? { kind: 'signal_quantity', multiplier: '1' }, orderTemplate: body.orderTemplate ?? { type: 'market' } }],
    risk: body.risk ?? {},
    maxSignalAgeSeconds: body.maxSignalAgeSeconds ?? 300,
  };
  const valid = validateStrategyConfig(strategy);
  if (!valid.ok) return err({ code: 'REPLAY_BAD_STRATEGY', message: `the strategy: ${valid.error.message} (${valid.error.code})` });
  return ok({ strategy, accounts: [account] });
}
