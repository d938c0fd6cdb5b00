import { existsSync } from 'node:fs';
import type { Auth, PreparedPassword } from '../../application/ports/auth.js';
import { preparePassword } from '../../adapters/auth/kv-auth.js';
import type { PatriotConfig } from '../config.js';
import { sqliteLogPath } from '../storage.js';
import type { SignalProcessor } from '../../application/workflows/signal-processor.js';
import { configureStrategy, openAccount, registerUser } from '../../application/commands/configure.js';
import { tradingViewAlertMessage } from '../../domain/signals/alert-template.js';
import { webhookSecretKey } from '../../application/commands/strategies.js';
import { DEMO_LOGIN, DEMO_STRATEGY, DEMO_TENANT, DEMO_USER, demoAccount, demoStrategy, demoUser, newDemoPassword, newWebhookSecret } from '../demo.js';
import type { WebhookSecrets } from '../webhook-secrets.js';
import type { DemoInfo } from '../runtime.js';
import type { Core } from './core.js';

export interface DemoSeed {
  /** the demo strategy's secret was created by this start */
  readonly secretCreated: boolean;
  /** the demo login's password, only when this start created it */
  readonly password?: string;
}

/** On a fresh data directory: the demo user, account and strategy (PATRIOT_DEMO=false: nothing). The login: `seedDemoLogin`. */
export async function seedDemo(core: Core, processor: SignalProcessor): Promise<DemoSeed> {
  const { config, commandDeps, kv } = core;
  let secretCreated = false;
  if (config.demo && !processor.state.strategy(DEMO_STRATEGY)) {
    await registerUser(commandDeps, demoUser, 'demo'); // refused harmlessly when the user exists
    if (!processor.state.account(demoAccount.accountId)) await openAccount(commandDeps, demoAccount, 'demo');
    const generated = newWebhookSecret();
    secretCreated = (await kv.setIfAbsent(webhookSecretKey(DEMO_STRATEGY), generated)) === generated; // two nodes seeding at once agree on one secret
    await processor.catchUp();
    await configureStrategy(commandDeps, demoStrategy, (id) => processor.state.account(id)?.tenantId, 'demo');
    await processor.catchUp();
  }
  return { secretCreated };
}

/**
 * The demo login's password with its hash begun now, before the stores open, when the login will
 * surely be set: PATRIOT_DEMO_PASSWORD (set at every start) or a new SQLite data directory (no
 * login yet). Otherwise undefined: nothing is hashed that may not be needed.
 */
export function prepareDemoPassword(config: PatriotConfig): PreparedPassword | undefined {
  if (!config.demo) return undefined;
  if (config.demoPassword !== undefined) return preparePassword(config.demoPassword);
  if (config.databaseUrl === undefined && !existsSync(sqliteLogPath(config.dataDir))) return preparePassword(newDemoPassword());
  return undefined;
}

/**
 * The demo login: created once with a random password (printed then, and only then), or set from
 * PATRIOT_DEMO_PASSWORD (never printed: the operator knows it, and a log is no place for it).
 * `prepared`: from `prepareDemoPassword`, its hash under way since the start began.
 */
export async function seedDemoLogin(core: Core, processor: SignalProcessor, auth: Auth, prepared?: PreparedPassword): Promise<{ readonly password?: string }> {
  const { config } = core;
  if (!config.demo || !processor.state.strategy(DEMO_STRATEGY)) return {};
  const demoLogin = { userId: demoUser.userId, tenantId: demoUser.tenantId, role: demoUser.role };
  if (config.demoPassword !== undefined) await auth.setLogin(DEMO_LOGIN, demoLogin, prepared ?? config.demoPassword);
  else if (!(await auth.hasLogin(DEMO_LOGIN, demoLogin.tenantId))) {
    const password = prepared ?? preparePassword(newDemoPassword());
    await auth.setLogin(DEMO_LOGIN, demoLogin, password);
    return { password: password.password };
  }
  return {};
}

/** What the banner shows of the demo, once the server listens. */
export async function demoInfo(processor: SignalProcessor, secrets: WebhookSecrets, seed: DemoSeed, publicUrl: string): Promise<DemoInfo | undefined> {
  const secret = processor.state.strategy(DEMO_STRATEGY) ? await secrets.lookup(DEMO_STRATEGY) : undefined;
  if (secret === undefined) return undefined;
  return {
    tenantId: DEMO_TENANT, userId: DEMO_USER, strategyId: DEMO_STRATEGY, accountId: demoAccount.accountId, secret,
    webhookUrl: `${publicUrl}/webhook/${DEMO_STRATEGY}`, alertMessage: tradingViewAlertMessage({ secret, mode: 'strategy' }), secretCreatedNow: seed.secretCreated,
    login: { username: DEMO_LOGIN, ...(seed.password !== undefined ? { password: seed.password } : {}) },
  };
}
