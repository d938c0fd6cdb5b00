import type { EventStore } from '../ports/event-store.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { KeyValueStore } from '../ports/key-value.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';
import type { AccountMarkets } from '../ports/account-markets.js';
import type { AccountConfig } from '../../domain/accounts/account.js';
import type { RiskLimits } from '../../domain/risk/limits.js';
import type { OrderTemplate, SizingRule, StrategyConfig } from '../../domain/strategies/strategy.js';
import { validateRiskLimits, validateStrategyConfig } from '../../domain/strategies/validate-config.js';
import { err, ok, type DomainError, type Result } from '../../domain/shared/result.js';
import { configureStrategy, openAccount } from './configure.js';
import { invalidSourceEntry } from '../shared/source-allowlist.js';

/** Where a strategy's webhook secret lives in the key-value store. */
export const webhookSecretKey = (strategyId: string): string => `webhook-secret/${strategyId}`;

export interface ConfigurationDeps {
  readonly store: EventStore;
  readonly mutex: KeyedMutex;
  readonly clock: Clock;
  readonly kv: KeyValueStore;
  readonly ids: IdGenerator;
  readonly newSecret: () => string;
  /** what the signal processor knows now (tenants of strategies and accounts) */
  readonly catalog: {
    strategy(strategyId: string): StrategyConfig | undefined;
    account(accountId: string): AccountConfig | undefined;
  };
  /** each account's own exchange's markets */
  readonly markets: Pick<AccountMarkets, 'list' | 'venueName'>;
  /** brings the processor (and so ingest) up to date with what was just appended */
  readonly catchUp: () => Promise<void>;
  /** a webhook secret was set: caches of it must follow */
  readonly onSecret: (strategyId: string, secret: string) => void;
}

export interface StrategyInput {
  readonly name: string;
  readonly accounts: readonly { readonly accountId: string; readonly sizing: SizingRule; readonly orderTemplate: OrderTemplate }[];
  readonly risk?: RiskLimits;
  readonly symbolMap?: Readonly<Record<string, string>>;
  readonly maxSignalAgeSeconds?: number;
  readonly allowedSources?: readonly string[];
}

export const notFound = (): DomainError => ({ code: 'STRATEGY_NOT_FOUND', message: 'no such strategy' });

function configFrom(tenantId: string, strategyId: string, input: StrategyInput): StrategyConfig {
  return {
    strategyId, tenantId, name: input.name.trim(), symbolMap: { ...(input.symbolMap ?? {}) },
    accounts: input.accounts.map((a) => ({ accountId: a.accountId, sizing: { ...a.sizing }, orderTemplate: { ...a.orderTemplate } })),
    risk: { ...(input.risk ?? {}) }, maxSignalAgeSeconds: input.maxSignalAgeSeconds ?? 300,
    ...(input.allowedSources ? { allowedSources: [...new Set(input.allowedSources.map((s) => s.trim()))] } : {}),
  };
}

/** The domain's checks, and every allowed source an address, a CIDR or `tradingview`. */
function validConfig(config: StrategyConfig): Result<StrategyConfig, DomainError> {
  const invalid = invalidSourceEntry(config.allowedSources ?? []);
  if (invalid !== undefined) return err({ code: 'INVALID_SOURCE', message: `allowedSources: ${JSON.stringify(invalid)} is not an address, a CIDR or "tradingview"` });
  return validateStrategyConfig(config);
}

/**
 * A configuration command decides on the configuration written before it, on any node: what the
 * catalog does not know yet is looked for in the log first (an account opened a moment ago).
 */
export async function known<T>(deps: Pick<ConfigurationDeps, 'catchUp'>, find: () => T | undefined): Promise<T | undefined> {
  const found = find();
  if (found !== undefined) return found;
  await deps.catchUp();
  return find();
}

/**
 * Every market the symbol map names must be listed by each account's exchange (when its list is
 * known): a map to a market the account cannot trade would only fail later, on a live alert.
 */
function checkSymbolMap(deps: ConfigurationDeps, config: StrategyConfig): Result<void, DomainError> {
  const targets = [...new Set(Object.values(config.symbolMap))];
  for (const link of config.accounts) {
    const account = deps.catalog.account(link.accountId);
    const listed = account ? deps.markets.list(account) : undefined;
    if (!account || !listed) continue;
    const symbols = new Set(listed.map((m) => m.symbol));
    const missing = targets.filter((t) => !symbols.has(t));
    if (missing.length > 0) {
      const tickers = Object.entries(config.symbolMap).filter(([, v]) => missing.includes(v)).map(([k, v]) => `"${k}" -> "${v}"`);
      return err({
        code: 'SYMBOL_NOT_LISTED',
        message: `the symbol map names ${missing.map((m) => `"${m}"`).join(', ')}, not listed on ${deps.markets.venueName(account)} for account ${account.accountId} (${tickers.join(', ')}); map each ticker to a market that exchange lists (GET /api/v1/markets?accountId=${account.accountId})`,
      });
    }
  }
  return ok(undefined);
}

async function record(deps: ConfigurationDeps, config: StrategyConfig): Promise<Result<{ lastPosition: number }, DomainError>> {
  const valid = validConfig(config);
  if (!valid.ok) return valid;
  if (config.accounts.some((a) => deps.catalog.account(a.accountId) === undefined)) await deps.catchUp();
  const mapped = checkSymbolMap(deps, config);
  if (!mapped.ok) return mapped;
  const recorded = await configureStrategy(deps, config, (id) => deps.catalog.account(id)?.tenantId, 'api:strategies');
  if (!recorded.ok) return recorded;
  await deps.catchUp();
  return ok({ lastPosition: (recorded.value as { lastPosition: number }).lastPosition });
}

/** A new strategy with a new webhook secret (returned once, here). */
export async function createStrategy(deps: ConfigurationDeps, tenantId: string, input: StrategyInput): Promise<Result<{ strategyId: string; secret: string; lastPosition: number }, DomainError>> {
  const strategyId = deps.ids.next('strat');
  const config = configFrom(tenantId, strategyId, input);
  const valid = validConfig(config);
  if (!valid.ok) return valid;
  // the secret first: a recorded strategy never lacks one
  const secret = deps.newSecret();
  await deps.kv.set(webhookSecretKey(strategyId), secret);
  const recorded = await record(deps, config);
  if (!recorded.ok) {
    await deps.kv.delete(webhookSecretKey(strategyId));
    return recorded;
  }
  deps.onSecret(strategyId, secret);
  return ok({ strategyId, secret, lastPosition: recorded.value.lastPosition });
}

/** A new version of a strategy of this tenant (its secret stays). */
export async function updateStrategy(deps: ConfigurationDeps, tenantId: string, strategyId: string, input: StrategyInput): Promise<Result<{ lastPosition: number }, DomainError>> {
  if ((await known(deps, () => deps.catalog.strategy(strategyId)))?.tenantId !== tenantId) return err(notFound());
  return record(deps, configFrom(tenantId, strategyId, input));
}

/** Replaces the strategy's webhook secret: alerts with the old one are refused from now on. */
export async function rotateWebhookSecret(deps: ConfigurationDeps, tenantId: string, strategyId: string): Promise<Result<{ secret: string }, DomainError>> {
  if ((await known(deps, () => deps.catalog.strategy(strategyId)))?.tenantId !== tenantId) return err(notFound());
  const secret = deps.newSecret();
  await deps.kv.set(webhookSecretKey(strategyId), secret);
  deps.onSecret(strategyId, secret);
  return ok({ secret });
}

/** The secret of a strategy of this tenant (to send a test alert through the real ingest path). */
export async function webhookSecretOf(deps: Pick<ConfigurationDeps, 'kv' | 'catalog' | 'catchUp'>, tenantId: string, strategyId: string): Promise<string | undefined> {
  if ((await known(deps, () => deps.catalog.strategy(strategyId)))?.tenantId !== tenantId) return undefined;
  return deps.kv.get(webhookSecretKey(strategyId));
}

export interface AccountInput {
  readonly name: string;
  readonly exchange: string;
  readonly marketType?: 'spot' | 'swap';
  readonly quoteAsset?: string;
  /** paper only: the quote asset it starts with */
  readonly startingBalance?: string;
  readonly risk?: RiskLimits;
}

/** Opens an exchange account of the tenant: a paper account with a starting balance, or a ccxt one (keys are set separately). */
export async function openExchangeAccount(deps: ConfigurationDeps, tenantId: string, input: AccountInput): Promise<Result<{ accountId: string; lastPosition?: number }, DomainError>> {
  const risk = validateRiskLimits(input.risk ?? {});
  if (!risk.ok) return risk;
  if (input.exchange !== 'paper' && input.startingBalance !== undefined) return err({ code: 'NOT_A_PAPER_ACCOUNT', message: 'only a paper account takes a starting balance; a real account has the balances of its exchange' });
  const quoteAsset = input.quoteAsset ?? 'USDT';
  const accountId = deps.ids.next('acc');
  const paperList = input.exchange === 'paper' ? deps.markets.list({ accountId, tenantId, name: '', exchange: 'paper', quoteAsset, initialBalances: [], risk: {} }) ?? [] : [];
  const bases = [...new Set(paperList.filter((m) => m.quote === quoteAsset).map((m) => m.base))];
  const config: AccountConfig = {
    accountId, tenantId, name: input.name.trim(), exchange: input.exchange, quoteAsset,
    ...(input.exchange !== 'paper' ? { marketType: input.marketType ?? 'spot' } : {}),
    initialBalances: input.exchange === 'paper' ? [{ asset: quoteAsset, amount: input.startingBalance ?? '100000' }, ...bases.map((asset) => ({ asset, amount: '0' }))] : [],
    risk: risk.value,
  };
  const opened = await openAccount(deps, config, 'api:accounts');
  if (!opened.ok) return opened;
  await deps.catchUp();
  const lastPosition = (opened.value as { lastPosition?: number }).lastPosition;
  return ok({ accountId, ...(lastPosition !== undefined ? { lastPosition } : {}) });
}
